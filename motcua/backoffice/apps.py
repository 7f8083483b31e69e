from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """Officer pages: sign-in, inboxes, counter reception, the dossier page."""

    name = "motcua.backoffice"
    label = "backoffice"
    verbose_name = "Trang nghiệp vụ cán bộ"
