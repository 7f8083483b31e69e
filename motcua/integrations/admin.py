"""Admin: notification templates, lookup log and report, reconciliation runs, file policies, and the
"resend" action on outbox messages (the dossiers package registers them read-only; this adds the action)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.admin import OutboxMessageAdmin
from motcua.dossiers.models import OutboxMessage

from . import outbox, population
from .models import IntakeFilePolicy, NotificationTemplate, PopulationLookup, PortalHealth, ReconciliationRun


class ResendOutboxAdmin(OutboxMessageAdmin):
    actions = ["resend"]
    list_display = [*OutboxMessageAdmin.list_display, "last_error_short"]
    readonly_fields = ["last_error"]

    @admin.display(description=_("lỗi gần nhất"))
    def last_error_short(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("integrations.resend_outbox")

    @admin.action(description=_("Gửi lại các tin đã chọn"), permissions=["resend"])
    def resend(self, request, queryset) -> None:
        # Undelivered rows only: an acknowledged old version sent again within the same second as a newer
        # one could not be told apart by the portal (ThoiDiemCapNhat has one-second resolution).
        count = outbox.resend(
            queryset.exclude(status="delivered").values_list("id", flat=True), dead_only=False
        )
        self.message_user(
            request, _("Đã đưa %(n)d tin trở lại hàng chờ gửi.") % {"n": count}, messages.SUCCESS
        )


admin.site.unregister(OutboxMessage)
admin.site.register(OutboxMessage, ResendOutboxAdmin)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "channel", "subject", "active"]
    list_filter = ["channel", "active"]
    search_fields = ["key", "subject", "body"]


@admin.register(PopulationLookup)
class PopulationLookupAdmin(admin.ModelAdmin):
    list_display = ["at", "officer", "dossier", "purpose", "number_last4", "matched", "error"]
    list_filter = ["matched"]
    date_hierarchy = "at"
    search_fields = ["officer__username", "dossier__code", "purpose"]
    raw_id_fields = ["dossier", "officer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the log is evidence: never edited, never deleted from the screen

    def get_urls(self):
        return [
            path(
                "bao-cao/",
                self.admin_site.admin_view(self.report_view),
                name="integrations_population_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request):
        year = request.GET.get("nam")
        rows = population.report(int(year) if year and year.isdigit() else None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Số lần tra cứu CSDL dân cư theo cán bộ và tháng"),
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "integrations/population_report.html", context)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "period_from", "period_to", "checked", "fixed", "ok"]
    readonly_fields = [f.name for f in ReconciliationRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PortalHealth)
class PortalHealthAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "consecutive_failures",
        "last_success_at",
        "last_failure_at",
        "blocked_until",
    ]
    readonly_fields = [f.name for f in PortalHealth._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IntakeFilePolicy)
class IntakeFilePolicyAdmin(admin.ModelAdmin):
    list_display = ["procedure", "extra_types", "max_file_mb"]
    autocomplete_fields = ["procedure"]
