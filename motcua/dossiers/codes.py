"""Dossier codes: `<receiving unit code>-YYMMDD-NNNN` (rules.md §6). The one owner of that format.

The sequence is per receiving unit per day, taken inside the receiving transaction from a counter row that
is locked for the increment (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers), so two
counters receiving at the same instant never get the same number and a rolled-back reception leaves no
trace. Beyond 9999 in a day the number simply grows to 5, 6, 7 digits (ministries already use 6–7): codes
stay unique and sort by day; nothing wraps around.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from .models import DossierSequence

MIN_DIGITS = 4


def format_code(unit_code: str, day: date, number: int) -> str:
    return f"{unit_code}-{day:%y%m%d}-{number:0{MIN_DIGITS}d}"


def next_dossier_code(unit_code: str, day: date) -> str:
    """Must be called inside the transaction that creates the dossier."""
    assert transaction.get_connection().in_atomic_block, (
        "dossier codes are taken inside the receiving transaction"
    )
    for _attempt in range(3):
        row = DossierSequence.objects.select_for_update().filter(unit_code=unit_code, day=day).first()
        if row is None:
            try:
                with transaction.atomic():  # savepoint: a concurrent creator may win the insert
                    row = DossierSequence.objects.create(unit_code=unit_code, day=day, last_value=0)
            except IntegrityError:
                continue
            row = DossierSequence.objects.select_for_update().get(pk=row.pk)
        row.last_value += 1
        DossierSequence.objects.filter(pk=row.pk).update(last_value=row.last_value)
        return format_code(unit_code, day, row.last_value)
    raise RuntimeError("could not allocate a dossier number")  # pragma: no cover - needs 3 lost races
