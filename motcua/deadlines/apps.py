from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "motcua.deadlines"
    label = "deadlines"
    verbose_name = "Lịch làm việc và thời hạn"

    def ready(self) -> None:
        # Connects the signals that drop cached calendars when an overlay entry is saved or deleted.
        from . import loader  # noqa: F401
