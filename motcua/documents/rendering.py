"""HTML/CSS → PDF with WeasyPrint, choosing the template an agency overrides (see models.FormTemplate).

The stylesheets are applied in this order: the page size of the form (A5 for 01–05, A4 for 06, A4
landscape for 07 — rules.md §5), the built-in ``forms.css``, then the override's CSS. Fonts are the system's
Noto Serif / Noto Sans (Debian ``fonts-noto-core``, full Vietnamese coverage); WeasyPrint embeds the subset
each document uses, so the PDF reads the same on any machine.

Templates never fetch anything: the only resource they may reference is a ``data:`` URI (the QR code is
inline SVG). An override typed in the admin therefore cannot read files or reach the network.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.template import TemplateSyntaxError, engines
from django.template.exceptions import TemplateDoesNotExist

from motcua.org.models import Agency

from .models import FormCode, FormTemplate

log = logging.getLogger("motcua.documents")

FORMS = tuple(FormCode.values)
PAGE_SIZE: dict[str, str] = {
    "01": "A5",
    "02": "A5",
    "03": "A5",
    "04": "A5",
    "05": "A5",
    "06": "A4",
    "07": "A4 landscape",
}
BUILTIN_DIR = Path(__file__).resolve().parent / "templates" / "documents" / "forms"


def builtin_template_name(form: str) -> str:
    return f"documents/forms/mau-{form}.html"


@lru_cache(maxsize=1)
def builtin_css() -> str:
    return (BUILTIN_DIR / "forms.css").read_text(encoding="utf-8")


def page_css(form: str) -> str:
    return f"@page {{ size: {PAGE_SIZE[form]}; }}"


def find_override(form: str, agency: Agency | None) -> FormTemplate | None:
    """The most specific active override: the agency, then its ancestors, then the default (no agency)."""
    chain = [a.pk for a in agency.ancestors_and_self()] if agency is not None else []
    candidates = FormTemplate.objects.filter(form=form, active=True).filter(
        Q(agency_id__in=chain) | Q(agency__isnull=True)
    )
    by_agency = {t.agency_id: t for t in candidates}
    for pk in chain:
        if pk in by_agency:
            return by_agency[pk]
    return by_agency.get(None)


def render_html(form: str, context: dict[str, Any], override: FormTemplate | None = None) -> str:
    engine = engines["django"]
    if override is not None and override.html.strip():
        template = engine.from_string(override.html)
    else:
        template = engine.get_template(builtin_template_name(form))
    return template.render({**context, "form": form})


def html_to_pdf(form: str, html: str, extra_css: str = "") -> bytes:
    from weasyprint import CSS, HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheets = [CSS(string=page_css(form)), CSS(string=builtin_css())]
    if extra_css.strip():
        stylesheets.append(CSS(string=extra_css, url_fetcher=fetcher))
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets)
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf


def render_form(form: str, agency: Agency | None, context: dict[str, Any]) -> bytes:
    """The PDF of `form` for documents issued by `agency`, with the override that applies to it."""
    if form not in FORMS:
        raise ValueError(f"Không có biểu mẫu '{form}' (chỉ có {', '.join(FORMS)}).")
    override = find_override(form, agency)
    if override is not None:
        try:
            html = render_html(form, context, override)
            return html_to_pdf(form, html, override.css)
        except Exception:
            # Overrides are checked when saved through the admin, but a row written some other way (a
            # script, a restored backup) must not stop a counter from printing: fall back to the built-in.
            log.exception(
                "template override #%s of form %s failed; using the built-in template", override.pk, form
            )
    return html_to_pdf(form, render_html(form, context))


# --------------------------------------------------------------------------------------------------------
# Checking an override before it is saved


@dataclass
class TemplateCheckError(Exception):
    field: str  # "html" or "css": where the administrator should look
    message: str

    def __str__(self) -> str:
        return self.message


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """WeasyPrint reports ignored CSS and unreachable resources as log warnings; collect them."""
    from weasyprint import LOGGER

    handler = _Collect()
    LOGGER.addHandler(handler)
    try:
        yield handler.messages
    finally:
        LOGGER.removeHandler(handler)


def check_override(form: str, html: str, css: str) -> bytes:
    """Render `form` with sample data through this HTML/CSS; raise TemplateCheckError naming the problem.

    Returns the sample PDF (the admin offers it as a preview).
    """
    from .samples import sample_context

    draft = FormTemplate(form=form, html=html or "", css=css or "")
    context = sample_context(form)
    try:
        rendered = render_html(form, context, draft)
    except TemplateSyntaxError as exc:
        raise TemplateCheckError("html", f"Mẫu HTML có lỗi cú pháp: {exc}") from None
    except TemplateDoesNotExist as exc:
        raise TemplateCheckError("html", f"Mẫu HTML kế thừa một mẫu không tồn tại: {exc}") from None
    except Exception as exc:  # a filter or tag failing on the sample data
        raise TemplateCheckError("html", f"Không dựng được mẫu HTML với dữ liệu mẫu: {exc}") from None
    with _weasyprint_warnings() as warnings:
        try:
            pdf = html_to_pdf(form, rendered, draft.css)
        except Exception as exc:
            raise TemplateCheckError("html", f"Không tạo được PDF từ mẫu: {exc}") from None
    if warnings:
        field = (
            "css" if css and any("css" in w.lower() or "ignored" in w.lower() for w in warnings) else "html"
        )
        raise TemplateCheckError(field, "Mẫu có lỗi: " + "; ".join(dict.fromkeys(warnings)))
    return pdf
