from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Official forms (Mẫu 01–07) as PDF, the tracking book, and later e-results and signatures."""

    name = "motcua.documents"
    label = "documents"
    verbose_name = "Biểu mẫu và văn bản"
