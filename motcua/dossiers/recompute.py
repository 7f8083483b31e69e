"""Plugs open dossiers into the deadline engine's recalculation (`motcua deadlines recompute`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from motcua.deadlines.recompute import Move, RecomputeItem
from motcua.deadlines.units import DurationUnit

from .models import Dossier
from .timing import engine_pauses


class DossierDueDates:
    """Open, received, not extended dossiers: their due date is a function of the calendar.

    Extended dossiers are left alone: their appointment is the date written in the apology letter.
    """

    name = "dossiers"

    def open_items(self) -> Iterable[RecomputeItem]:
        from motcua.workflow.vocabulary import OPEN_STATES

        qs = (
            Dossier.objects.filter(state__in=OPEN_STATES, received_at__isnull=False, extended=False)
            .exclude(duration_unit=DurationUnit.NONE)
            .prefetch_related("pauses")
            .order_by("id")
        )
        for d in qs.iterator(chunk_size=1000):
            duration: int | Decimal | None = d.duration_value
            if duration is not None and duration == int(duration):
                duration = int(duration)
            assert d.received_at is not None  # filtered above
            yield RecomputeItem(
                key=d.code,
                start=d.received_at,
                duration=duration,
                unit=d.duration_unit,
                current_due=d.due_at,
                pauses=tuple(engine_pauses(d)),
                policy=d.supplement_policy,
                agency_id=d.competent_agency_id,
                label=d.applicant_name,
            )

    def apply(self, moves: Sequence[Move]) -> None:
        from .commands import recalculate_due

        for move in moves:
            recalculate_due(move.item.key, move.new_due, reason="Lịch làm việc thay đổi")
