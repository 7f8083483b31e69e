import logging

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Official forms (Mẫu 01–07) as PDF, the tracking book, and later e-results and signatures."""

    name = "motcua.documents"
    label = "documents"
    verbose_name = "Biểu mẫu và văn bản"

    def ready(self) -> None:
        # WeasyPrint logs every rendering step at INFO; at the project's INFO level that is seven lines per
        # printed receipt. Its warnings (ignored CSS, unreachable resources) still come through.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
