from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared building blocks with no domain of their own (text folding, base models)."""

    name = "motcua.core"
    label = "core"
    verbose_name = "Dùng chung"
