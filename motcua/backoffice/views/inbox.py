"""/ho-so/ — the inbox: tabs of work with counts, filters, search, sorting by due time, pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.dossiers.models import IntakeChannel
from motcua.workflow.vocabulary import State

from .. import inbox, processes
from ..roles import workplace
from .common import is_htmx, officer_required


@officer_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    place = workplace(request)
    now = timezone.now()
    known = processes.load()
    scope = inbox.scope_for(place, request.user, now, known)
    tabs = inbox.tabs_for(place.role)
    keys = [t.key for t in tabs]
    current = request.GET.get("tab", "")
    if current not in keys:
        current = inbox.DEFAULT_TAB.get(place.role or "", "mine")
        if current not in keys:
            current = keys[0]
    filters = inbox.Filters.from_query(request.GET)
    try:
        page = max(1, min(int(request.GET.get("trang", "1")), 10_000))
    except ValueError:
        page = 1
    qs = inbox.apply_filters(inbox.tab_queryset(current, scope), filters)
    rows, has_next = inbox.page_of(qs, filters, page)
    for row in rows:
        row["step_name"] = known.step_name(row["process_id"], row["current_step"])
        row["urgency"] = inbox.urgency(row["due_at"], row["state"], now)
        row["urgency_label"] = inbox.URGENCY_LABELS[row["urgency"]]
        row["state_label"] = State(row["state"]).label
        row["channel_label"] = IntakeChannel(row["channel"]).label
    context = {
        "nav": "inbox",
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "tab": current,
        "filters": filters,
        "query": _query_without_page(request),
        "now": now,
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "inbox-results":
        return render(request, "backoffice/partials/inbox_results.html", context)
    counts = {t.key: inbox.bounded_count(inbox.tab_queryset(t.key, scope)) for t in tabs}
    context.update(
        tabs=[(t, counts[t.key]) for t in tabs],
        count_cap=inbox.COUNT_CAP,
        channels=IntakeChannel.choices,
        states=State.choices,
    )
    return render(request, "backoffice/inbox.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("trang", None)
    return query.urlencode()
