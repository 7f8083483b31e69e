"""Template overrides per agency: edited here, test-rendered before saving, previewable as PDF."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import FormTemplate
from .rendering import BUILTIN_DIR, TemplateCheckError, check_override


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    list_display = ["form", "agency", "active", "updated_by", "updated_at", "preview_link"]
    list_filter = ["form", "active"]
    search_fields = ["agency__name", "agency__code"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["updated_by", "updated_at", "preview_link", "builtin_source"]
    fields = [
        "form",
        "agency",
        "active",
        "html",
        "css",
        "preview_link",
        "updated_by",
        "updated_at",
        "builtin_source",
    ]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("xem thử"))
    def preview_link(self, obj: FormTemplate | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:documents_formtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("PDF với dữ liệu mẫu"))

    @admin.display(description=_("mẫu có sẵn (để sao chép)"))
    def builtin_source(self, obj: FormTemplate | None) -> str:
        if obj is None or not obj.form:
            return str(_("Chọn biểu mẫu và lưu để xem mẫu có sẵn."))
        text = (BUILTIN_DIR / f"mau-{obj.form}.html").read_text(encoding="utf-8")
        return format_html(
            '<pre style="white-space: pre-wrap; max-height: 30em; overflow: auto">{}</pre>', text
        )

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="documents_formtemplate_preview",
            )
        ]
        return extra + super().get_urls()

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = get_object_or_404(FormTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            return HttpResponse(status=403)
        try:
            pdf = check_override(template.form, template.html, template.css)
        except TemplateCheckError as exc:
            return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="mau-{template.form}-xem-thu.pdf"'
        return response
