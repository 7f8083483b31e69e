"""Duration units of a procedure's legal time limit (rules.md §4). One vocabulary for the whole system."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("Ngày làm việc")
    WORKING_HOURS = "working_hours", _("Giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("Ngày")
    MONTHS = "months", _("Tháng")
    SAME_DAY = "same_day", _("Trong ngày")
    NONE = "none", _("Không quy định thời hạn")


class PausePolicy(models.TextChoices):
    """What a completed supplementation does to the budget (rules.md §3.3, a per-procedure setting)."""

    PAUSE = "pause", _("Tạm dừng (giữ thời gian đã dùng)")
    RESTART = "restart", _("Tính lại từ đầu khi nhận đủ hồ sơ bổ sung")


class PauseReason(models.TextChoices):
    """Why the legal clock stopped. Only these pause it: outages and internal waiting never do."""

    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung hồ sơ")
    FINANCIAL = "financial", _("Thực hiện nghĩa vụ tài chính")
    STOP = "stop", _("Dừng xử lý theo quyết định")


class Timeliness(models.TextChoices):
    """How a finished dossier or step compares with its due date (rules.md §4)."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
