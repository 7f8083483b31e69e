from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "motcua.indicators"
    label = "indicators"
    verbose_name = "Bộ chỉ số phục vụ người dân, doanh nghiệp"
