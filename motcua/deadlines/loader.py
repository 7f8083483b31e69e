"""``calendar_for``: the working calendar of an agency or reception point, built from the database once.

This is the one door through which the rest of the system gets a ``WorkingCalendar``. Which overlay entries
apply: national, then the province of the unit, then each agency from the top of the hierarchy down to the
unit itself — a later (narrower) entry wins over an earlier one for the same date. Office hours: the
reception point's, else the agency's (inherited from its parents), else the configured default.

Snapshots are cached per process and keyed by a stamp of the overlay table (count and latest change), so
an entry edited in the admin, by an import or in another process is seen on the next call; saving or
deleting an entry in this process also clears the cache at once.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .engine import OverlayDay, WorkingCalendar
from .models import NATIONAL_SCOPE, CalendarEntry
from .office_hours import parse_office_hours

if TYPE_CHECKING:
    from motcua.org.models import AdministrativeUnit, Agency, ReceptionPoint

_MAX_KEYS = 256  # (scopes, hours) combinations remembered
_MAX_SNAPSHOTS = 32  # distinct calendars kept (~4 MB each); most agencies share one
_lock = threading.Lock()
_by_key: OrderedDict[tuple, WorkingCalendar] = OrderedDict()
_by_content: OrderedDict[tuple, WorkingCalendar] = OrderedDict()
_generation = 0


def clear_cache() -> None:
    global _generation
    with _lock:
        _generation += 1
        _by_key.clear()
        _by_content.clear()


@receiver(post_save, sender=CalendarEntry)
@receiver(post_delete, sender=CalendarEntry)
def _entry_changed(**kwargs) -> None:
    clear_cache()


def same_day_cutoff() -> time:
    text = str(getattr(settings, "MOTCUA_SAME_DAY_CUTOFF", "15:00"))
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"MOTCUA_SAME_DAY_CUTOFF={text!r} is not a time like 15:00.")
    return time(int(match[1]), int(match[2]))


def _province_of(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    if unit is None:
        return None
    return unit if unit.is_province else unit.province


def scopes_for(
    agency: Agency | None = None, reception_point: ReceptionPoint | None = None
) -> tuple[list[str], str]:
    """The overlay scope keys that apply, broadest first, and a human label for the calendar."""
    if agency is None and reception_point is not None:
        agency = reception_point.agency
    keys = [NATIONAL_SCOPE]
    labels = ["Toàn quốc"]
    chain = list(reversed(agency.ancestors_and_self())) if agency is not None else []
    unit = reception_point.admin_unit if reception_point is not None else None
    for node in reversed(chain):  # the nearest unit that says where it is
        if unit is not None:
            break
        unit = node.admin_unit
    province = _province_of(unit)
    if province is not None:
        keys.append(f"province:{province.pk}")
        labels.append(province.full_name)
    for node in chain:
        keys.append(f"agency:{node.pk}")
    if agency is not None:
        labels.append(agency.name)
    return keys, " / ".join(labels)


def _stamp() -> tuple:
    row = CalendarEntry.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (row["n"], row["latest"])


def calendar_for(
    agency: Agency | None = None, reception_point: ReceptionPoint | None = None
) -> WorkingCalendar:
    """The working calendar (computed + overlay + office hours) of a unit; the national one by default."""
    keys, _label = scopes_for(agency, reception_point)
    if reception_point is not None:
        hours_text = reception_point.effective_office_hours()
    elif agency is not None:
        hours_text = agency.effective_office_hours()
    else:
        hours_text = settings.MOTCUA_DEFAULT_OFFICE_HOURS
    hours = parse_office_hours(hours_text)
    cutoff = same_day_cutoff()
    key = (tuple(keys), str(hours), cutoff, _stamp(), _generation)
    with _lock:
        found = _by_key.get(key)
        if found is not None:
            _by_key.move_to_end(key)
            return found
    order = {scope: index for index, scope in enumerate(keys)}
    rows = list(
        CalendarEntry.objects.filter(scope_key__in=keys).values_list(
            "scope_key", "date", "kind", "name", "source"
        )
    )
    rows.sort(key=lambda row: (order[row[0]], row[1]))
    overlay = tuple(OverlayDay(date=d, kind=k, name=n, source=s) for _, d, k, n, s in rows)
    content = (overlay, str(hours), cutoff)
    with _lock:
        calendar = _by_content.get(content)
    if calendar is None:
        # No per-unit label on a shared snapshot: units with the same entries and hours share one calendar.
        calendar = WorkingCalendar.build(overlay, hours, same_day_cutoff=cutoff)
    with _lock:
        _by_content[content] = calendar
        _by_content.move_to_end(content)
        while len(_by_content) > _MAX_SNAPSHOTS:
            _by_content.popitem(last=False)
        _by_key[key] = calendar
        while len(_by_key) > _MAX_KEYS:
            _by_key.popitem(last=False)
    return calendar
