from django.apps import AppConfig


class BenchtoolsConfig(AppConfig):
    """Benchmark tooling: `motcua bench generate` (a province-year of dossiers). No models, no pages."""

    name = "motcua.benchtools"
    label = "benchtools"
    verbose_name = "Đo hiệu năng (benchmark)"
