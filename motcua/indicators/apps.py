from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class IndicatorsConfig(AppConfig):
    name = "motcua.indicators"
    label = "indicators"
    verbose_name = "Bộ chỉ số phục vụ người dân, doanh nghiệp"

    def ready(self) -> None:
        from motcua.dossiers.models import OutboxMessage

        from . import aggregates

        # A HoSo delivered to the portal makes its dossier "synchronised" (1.4) without a dossier event.
        post_save.connect(aggregates.on_outbox_saved, sender=OutboxMessage, dispatch_uid="indicators-outbox")
        post_migrate.connect(_build_missing_aggregates, sender=self, dispatch_uid="indicators-first-build")


def _build_missing_aggregates(using: str = "default", **kwargs) -> None:
    """Dossiers that existed before the aggregate tables (an upgraded database) are counted once, here."""
    from motcua.dossiers.models import Dossier

    from .aggregates import rebuild
    from .models import DossierFact

    if using != "default":
        return
    if Dossier.objects.exists() and not DossierFact.objects.exists():
        summary = rebuild()
        if kwargs.get("verbosity", 1):
            print(f"  Bộ chỉ số: đã tính số liệu tổng hợp cho {summary.dossiers} hồ sơ.")
