"""The official forms as PDF (Mẫu 01–06; Mẫu 07 is in tracking_book.py). The API the officer pages call.

    render_pdf("01", dossier)                       # receipt and appointment, with the QR code
    render_guidance_pdf(version, applicant, items, officer)   # Mẫu 02 at the counter, no dossier yet
    render_refusal_pdf(version, applicant, reasons, officer)  # Mẫu 03 at the counter, no dossier yet

Each form takes its content from what the dossier went through (rules.md §5): Mẫu 02 from the sent
supplement-request draft, 03 from the refuse event, 04 from the extend event, 05 from the stop event,
06 from the whole event log. A form the dossier has no basis for raises FormNotAvailable with the reason.
`extra` replaces template variables (for example {"number": "15/PTN"}, the document number the clerk gives).
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.models import Dossier

from . import context as ctx
from .context import FormNotAvailable
from .rendering import render_form

__all__ = [
    "DOSSIER_FORMS",
    "FormNotAvailable",
    "form_context",
    "render_guidance_pdf",
    "render_pdf",
    "render_refusal_pdf",
]

DOSSIER_FORMS = ("01", "02", "03", "04", "05", "06")


def form_context(form: str, dossier: Dossier, *, user=None) -> tuple[Any, dict[str, Any]]:
    """(issuing agency, template variables) of a dossier form — what render_pdf prints."""
    if form not in ctx.BUILDERS:
        raise ValueError(f"Không có biểu mẫu hồ sơ '{form}' (chỉ có {', '.join(DOSSIER_FORMS)}).")
    return ctx.BUILDERS[form](dossier, user)


def render_pdf(form: str, dossier: Dossier | None, *, user=None, extra: dict | None = None) -> bytes:
    """The PDF of form `form` ("01"…"06") for `dossier`, as the user `user` prints it.

    Without a dossier, "02" and "03" are the counter's written guidance and refusal: pass
    extra={"procedure_version": …, "applicant": {…}, "items": [...]} (or "reasons" for "03") and the officer
    as `user`.
    """
    extra = dict(extra or {})
    if dossier is None:
        if form == "02":
            return render_guidance_pdf(
                extra.pop("procedure_version", None), extra.pop("applicant", {}), extra.pop("items", []), user
            )
        if form == "03":
            return render_refusal_pdf(
                extra.pop("procedure_version", None),
                extra.pop("applicant", {}),
                extra.pop("reasons", []),
                user,
            )
        raise ValueError(f"Biểu mẫu {form} cần một hồ sơ.")
    agency, context = form_context(form, dossier, user=user)
    context.update(extra)
    return render_form(form, agency, context)


def render_guidance_pdf(procedure_version, applicant: dict, items: list[str], officer) -> bytes:
    """Mẫu 02 at the counter: the written, complete list of what to supply, before a dossier exists."""
    _check_counter_input(procedure_version, applicant, items, "items", "nội dung cần bổ sung, hoàn thiện")
    agency, context = ctx.guidance(procedure_version, applicant, [i.strip() for i in items], officer)
    return render_form("02", agency, context)


def render_refusal_pdf(procedure_version, applicant: dict, reasons: list[str], officer) -> bytes:
    """Mẫu 03 at the counter: refusal to receive, with the specific reasons."""
    _check_counter_input(procedure_version, applicant, reasons, "reasons", "lý do từ chối")
    agency, context = ctx.refusal_at_counter(
        procedure_version, applicant, [r.strip() for r in reasons], officer
    )
    return render_form("03", agency, context)


def _check_counter_input(version, applicant: dict, lines: list[str], field: str, what: str) -> None:
    if version is None:
        raise ValueError("Cần chọn thủ tục hành chính (procedure_version).")
    if not isinstance(applicant, dict) or not str(applicant.get("name", "")).strip():
        raise ValueError("Cần nhập họ tên người nộp hồ sơ (applicant['name']).")
    if not isinstance(lines, list | tuple) or not [x for x in lines if str(x).strip()]:
        raise ValueError(f"Cần nêu ít nhất một {what} ({field}).")
    blank = [i for i, x in enumerate(lines, start=1) if not str(x).strip()]
    if blank:
        raise ValueError(f"Mục {', '.join(map(str, blank))} của {what} ({field}) đang để trống.")
