from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The HTTT's side of the national platforms: outbox delivery, intake, population lookups, notices."""

    name = "motcua.integrations"
    label = "integrations"
    verbose_name = _("Kết nối các nền tảng quốc gia")
    default_auto_field = "django.db.models.BigAutoField"
