"""Read-only admin views of dossiers and their history: changes go through the commands, never the admin."""

from django.contrib import admin

from .models import Dossier, DossierEvent, OutboxMessage


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = DossierEvent
    fields = (
        "seq",
        "action",
        "at",
        "actor_name",
        "actor_role",
        "from_state",
        "to_state",
        "to_step",
        "national_status",
        "step_timeliness",
    )
    readonly_fields = fields  # type: ignore[assignment]
    extra = 0
    ordering = ["seq"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "procedure",
        "applicant_name",
        "state",
        "national_status",
        "holder_unit",
        "due_at",
    ]
    list_filter = ["state", "channel", "national_status"]
    search_fields = ["code", "applicant_id_number", "search_text"]
    inlines = [EventInline]
    list_select_related = ["procedure", "holder_unit"]
    show_full_result_count = False  # a COUNT(*) over millions of rows on every page is not worth it


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "dossier",
        "dossier_seq",
        "topic",
        "status",
        "attempts",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["topic", "status"]
    search_fields = ["dossier__code"]
    raw_id_fields = ["dossier", "event"]
    show_full_result_count = False
