from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        from motcua.deadlines.recompute import register_recompute_provider

        from .recompute import DossierDueDates

        register_recompute_provider(DossierDueDates())
