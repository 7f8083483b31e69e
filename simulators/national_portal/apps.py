from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    """The national side of the contract, simulated: never imported by the HTTT's own packages."""

    name = "simulators.national_portal"
    label = "national_portal"
    verbose_name = "Mô phỏng các nền tảng quốc gia"
    default_auto_field = "django.db.models.BigAutoField"
