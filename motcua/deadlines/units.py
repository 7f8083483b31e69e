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
