"""Finding procedures the way officers and citizens type: without diacritics, by code or by name.

Both databases search the stored folded column ``Procedure.search_text`` ("1.001193 dang ky khai sinh"),
built with ``motcua.core.text.fold`` (which folds đ→d, something neither SQLite nor PostgreSQL collations
do). Every word of the query must appear; code-prefix matches rank first, then names starting with the
query, then names containing it as a whole phrase, then the rest.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Substr

from motcua.core.text import fold

from .models import Procedure

# search_text is "<code> <folded name>" and a code is always 8 characters ("1.001193").
_NAME_OFFSET = len("1.001193 ") + 1


def filter_folded(queryset: QuerySet, query: str, field: str = "search_text") -> QuerySet:
    """Keep the rows whose folded ``field`` contains every word of the folded query."""
    for word in fold(query).split():
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


def rank_folded(queryset: QuerySet, query: str, prefix: str = "") -> QuerySet:
    """Annotate ``search_rank`` (lower is better) on a queryset of procedures (or of rows reaching one
    through ``prefix``, e.g. ``"procedure__"``) and order by it."""
    folded = fold(query)
    text = f"{prefix}search_text"
    return queryset.annotate(
        _folded_name=Substr(text, _NAME_OFFSET),
        search_rank=Case(
            When(**{f"{text}__startswith": folded}, then=Value(0)),
            When(_folded_name__startswith=folded, then=Value(1)),
            When(**{f"{text}__contains": f" {folded}"}, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
    ).order_by("search_rank", f"{prefix}code" if prefix else "code")


def search_procedures(query: str, limit: int = 20) -> list[Procedure]:
    """Procedures matching ``query`` ignoring diacritics and case, best matches first."""
    if not fold(query):
        return []
    queryset = filter_folded(Procedure.objects.all(), query)
    return list(rank_folded(queryset, query)[:limit])
