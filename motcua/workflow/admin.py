from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .definition import ProcessError
from .diagram import render_svg
from .loader import export_process
from .models import ProcessDefinition, publish


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "number", "name", "status", "procedure", "agency", "published_at"]
    list_filter = ["status"]
    search_fields = ["code", "name", "procedure__code"]
    raw_id_fields = ["procedure", "agency"]
    readonly_fields = ["diagram", "yaml", "published_at", "created_at"]
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["code", "number", "name", "status", "procedure", "agency"]}),
        (_("Sơ đồ quy trình"), {"fields": ["diagram"]}),
        (_("Định nghĩa"), {"fields": ["spec", "yaml", "published_at", "created_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != ProcessDefinition.Status.DRAFT:
            fields += ["code", "number", "name", "status", "procedure", "agency", "spec"]
        return fields

    @admin.display(description=_("Sơ đồ"))
    def diagram(self, obj):
        if obj is None or not obj.pk:
            return "—"
        try:
            return mark_safe(render_svg(obj.process()))
        except ProcessError as exc:
            return format_html("<p>Định nghĩa chưa hợp lệ: {}</p>", "; ".join(exc.problems))

    @admin.display(description="YAML")
    def yaml(self, obj):
        return format_html("<pre>{}</pre>", export_process(obj)) if obj and obj.pk else "—"

    @admin.action(description=_("Ban hành các quy trình đã chọn"))
    def publish_selected(self, request, queryset):
        for definition in queryset.filter(status=ProcessDefinition.Status.DRAFT):
            try:
                warnings = publish(definition)
            except ProcessError as exc:
                self.message_user(request, f"{definition}: {'; '.join(exc.problems)}", messages.ERROR)
                continue
            self.message_user(request, f"Đã ban hành {definition}.", messages.SUCCESS)
            for warning in warnings:
                self.message_user(request, warning, messages.WARNING)
