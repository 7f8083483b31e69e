"""Recomputing the due dates of open dossiers after the calendar overlay changes.

A storm closure or a late swap notice changes which days are working days, so due dates already printed on
appointment slips may move. The deadlines package does not know dossiers (it sits below them); the
packages that own dated things register a *provider* here:

    register_recompute_provider(MyProvider())

A provider lists its open items (``RecomputeItem``: the inputs of the due date and the current value) and
applies the moves it is given. ``recompute()`` builds each unit's calendar once, recomputes every item with
the pure engine, and hands back the moves — nothing is written with ``dry_run=True``. Closed items never
change, even if a provider lists them by mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from django.db import transaction

from .engine import TZ, DeadlineError, Pause, WorkingCalendar
from .loader import calendar_for
from .units import DurationUnit, PausePolicy


@dataclass(frozen=True)
class RecomputeItem:
    """One due date to recompute. ``key`` identifies it to its provider (a dossier code, a step id…)."""

    key: str
    start: datetime
    duration: object
    unit: DurationUnit | str
    current_due: datetime | None
    pauses: tuple[Pause, ...] = ()
    policy: PausePolicy | str = PausePolicy.PAUSE
    agency_id: int | None = None
    reception_point_id: int | None = None
    closed: bool = False
    label: str = ""


@dataclass(frozen=True)
class Move:
    provider: str
    item: RecomputeItem
    old_due: datetime | None
    new_due: datetime | None


@dataclass
class RecomputeReport:
    checked: int = 0
    skipped_closed: int = 0
    moves: list[Move] = field(default_factory=list)
    errors: list[tuple[str, RecomputeItem, str]] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = []
        for move in self.moves:
            old = move.old_due.astimezone(TZ).strftime("%H:%M %d/%m/%Y") if move.old_due else "—"
            new = move.new_due.astimezone(TZ).strftime("%H:%M %d/%m/%Y") if move.new_due else "—"
            out.append(f"{move.provider} {move.item.key}: {old} → {new}")
        for provider, item, message in self.errors:
            out.append(f"LỖI {provider} {item.key}: {message}")
        verb = "sẽ đổi" if self.dry_run else "đã đổi"
        out.append(
            f"Đã kiểm tra {self.checked} hạn xử lý, {verb} {len(self.moves)}, bỏ qua {self.skipped_closed} "
            f"hồ sơ đã kết thúc, {len(self.errors)} lỗi."
        )
        return out


@runtime_checkable
class RecomputeProvider(Protocol):
    name: str

    def open_items(self) -> Iterable[RecomputeItem]: ...

    def apply(self, moves: Sequence[Move]) -> None: ...


_providers: dict[str, RecomputeProvider] = {}


def register_recompute_provider(provider: RecomputeProvider) -> RecomputeProvider:
    """Register (or replace, by name) a provider. Call it from the owning app's ``ready()``."""
    if not isinstance(provider, RecomputeProvider):
        raise TypeError("A recompute provider needs a name, open_items() and apply(moves).")
    _providers[provider.name] = provider
    return provider


def unregister_recompute_provider(name: str) -> None:
    _providers.pop(name, None)


def recompute_providers() -> list[RecomputeProvider]:
    return list(_providers.values())


def recompute(
    *,
    dry_run: bool = False,
    providers: Sequence[RecomputeProvider] | None = None,
    calendar_lookup: Callable[[int | None, int | None], WorkingCalendar] | None = None,
) -> RecomputeReport:
    """Recompute every open item of every provider; apply the moves unless ``dry_run``.

    All providers' moves are applied in one transaction: a provider failing half-way leaves nothing moved.
    """
    report = RecomputeReport(dry_run=dry_run)
    lookup = calendar_lookup or _db_calendar_lookup()
    per_provider: dict[str, list[Move]] = {}
    chosen = list(providers) if providers is not None else recompute_providers()
    for provider in chosen:
        moves = per_provider.setdefault(provider.name, [])
        for item in provider.open_items():
            if item.closed:
                report.skipped_closed += 1
                continue
            report.checked += 1
            calendar = lookup(item.agency_id, item.reception_point_id)
            try:
                new_due = calendar.due(
                    item.start, item.duration, item.unit, pauses=item.pauses, policy=item.policy
                )
            except DeadlineError as exc:
                report.errors.append((provider.name, item, str(exc)))
                continue
            if new_due != item.current_due:
                move = Move(provider.name, item, item.current_due, new_due)
                moves.append(move)
                report.moves.append(move)
    if not dry_run:
        with transaction.atomic():
            for provider in chosen:
                if per_provider.get(provider.name):
                    provider.apply(per_provider[provider.name])
    return report


def _db_calendar_lookup() -> Callable[[int | None, int | None], WorkingCalendar]:
    from motcua.org.models import Agency, ReceptionPoint

    cache: dict[tuple[int | None, int | None], WorkingCalendar] = {}

    def lookup(agency_id: int | None, reception_point_id: int | None) -> WorkingCalendar:
        key = (agency_id, reception_point_id)
        if key not in cache:
            agency = Agency.objects.get(pk=agency_id) if agency_id else None
            point = None
            if reception_point_id:
                point = ReceptionPoint.objects.select_related("agency").get(pk=reception_point_id)
            cache[key] = calendar_for(agency=agency, reception_point=point)
        return cache[key]

    return lookup
