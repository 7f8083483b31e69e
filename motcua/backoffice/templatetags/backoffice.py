"""Formatting used by the officer pages: money, working time left, Vietnam-time instants."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def dong(amount) -> str:
    """50000 → "50.000 đồng" (Vietnamese thousands separator)."""
    if amount in (None, ""):
        return ""
    return _("%(amount)s đồng") % {"amount": f"{int(amount):,}".replace(",", ".")}


@register.filter
def vn_time(moment: datetime | None) -> str:
    """hh:mm dd/mm/yyyy in Vietnam time (the form every Vietnamese document uses)."""
    if moment is None:
        return ""
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


@register.filter
def working_time(delta: timedelta | None) -> str:
    """A working-time span as "2 giờ 30 phút" (absolute value; the caller says left or late)."""
    if delta is None:
        return ""
    minutes = int(abs(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)d giờ %(m)d phút") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d giờ") % {"h": hours}
    return _("%(m)d phút") % {"m": minutes}


@register.filter
def person(row: dict, prefix: str = "holder_user") -> str:
    """The full name of a user read as columns of an inbox row."""
    # House convention (motcua/org/demo/accounts.py): first_name holds the family and middle names.
    first = row.get(f"{prefix}__first_name") or ""
    last = row.get(f"{prefix}__last_name") or ""
    return f"{first} {last}".strip() or (row.get(f"{prefix}__username") or "")


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


def full_name(user) -> str:
    """ "Trần Thị Ánh": accounts keep the family and middle names in first_name (the house convention)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


register.filter("vn_name", full_name)
