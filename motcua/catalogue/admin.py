"""Administration of the procedure catalogue (Vietnamese UI).

A version that is not a draft is shown read-only — with its components, channels, fees, results and legal
bases — because dossiers pin it; the way to change it is the action "new draft from this version".
Searches ignore diacritics (the same folding as ``catalogue.search``).
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold

from . import versions
from .locking import VersionLockedError
from .models import (
    ChannelOption,
    Component,
    Fee,
    Field,
    ImportRecord,
    ImportRun,
    LegalBasis,
    Level,
    Procedure,
    ProcedureVersion,
    ResultDocument,
)
from .search import filter_folded, rank_folded


def _pretty_json(value) -> str:
    if not value:
        return "—"
    if isinstance(value, dict):
        return format_html_join(
            "",
            "<p><strong>{}</strong></p><pre style='white-space:pre-wrap;max-width:90ch'>{}</pre>",
            ((key, text) for key, text in value.items()),
        )
    return format_html(
        "<pre style='white-space:pre-wrap;max-width:90ch'>{}</pre>",
        json.dumps(value, ensure_ascii=False, indent=2),
    )


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        # A few hundred fields: folding in Python keeps one folding rule without a stored column.
        words = fold(search_term).split()
        matching = [f.pk for f in queryset if all(w in fold(f"{f.code} {f.name}") for w in words)]
        return queryset.filter(pk__in=matching), False


class VersionOfProcedureInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "status", "import_status", "valid_from", "valid_to", "created_at"]
    readonly_fields = ["number", "status", "import_status", "valid_from", "valid_to", "created_at"]
    show_change_link = True
    extra = 0
    can_delete = False
    verbose_name = _("phiên bản")
    verbose_name_plural = _("các phiên bản")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version_count", "published"]
    search_fields = ["search_text"]
    inlines = [VersionOfProcedureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_version_count=Count("versions"))

    def get_search_results(self, request, queryset, search_term):
        if not fold(search_term):
            return queryset, False
        return rank_folded(filter_folded(queryset, search_term), search_term), False

    @admin.display(description=_("số phiên bản"), ordering="_version_count")
    def version_count(self, obj: Procedure) -> int:
        return obj._version_count  # type: ignore[attr-defined]

    @admin.display(description=_("phiên bản đang công bố"))
    def published(self, obj: Procedure) -> str:
        version = obj.published_version()
        return f"v{version.number}" if version else "—"


class DraftOnlyInline:
    """Parts of a version: editable only while the version is a draft."""

    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class ComponentInline(DraftOnlyInline, admin.StackedInline):
    model = Component
    fields = [
        ("order", "code", "form", "original_count", "copy_count", "required"),
        "name",
        ("condition", "template_name"),
        ("replaceable_by_data", "replacing_result_code", "replacing_database"),
    ]


class ChannelOptionInline(DraftOnlyInline, admin.TabularInline):
    model = ChannelOption
    fields = ["channel", "duration_value", "duration_unit", "duration_text", "description", "fee_summary"]
    readonly_fields = ["fee_summary"]
    show_change_link = True  # the fees are edited on the channel's own page

    @admin.display(description=_("phí, lệ phí"))
    def fee_summary(self, obj: ChannelOption) -> str:
        fees = list(obj.fees.all()) if obj.pk else []
        if not fees:
            return "—"
        return "; ".join(
            f"{fee.name[:60]}: {fee.amount:,} đồng".replace(",", ".")
            if fee.amount is not None
            else fee.text[:80]
            for fee in fees
        )


class ResultInline(DraftOnlyInline, admin.TabularInline):
    model = ResultDocument
    fields = ["order", "name", "result_code", "raw_code"]


class LegalBasisInline(DraftOnlyInline, admin.TabularInline):
    model = LegalBasis
    fields = ["order", "number", "title"]


class LevelFilter(admin.SimpleListFilter):
    title = _("cấp thực hiện")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Level.choices

    def queryset(self, request, queryset):
        if self.value():
            # levels is a JSON list; the quoted value matches one element on both databases.
            return queryset.filter(levels__icontains=f'"{self.value()}"')
        return queryset


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = [
        "procedure",
        "number",
        "name_short",
        "status",
        "import_status",
        "online_level",
        "valid_from",
    ]
    list_filter = ["status", "import_status", LevelFilter, "online_level", "field"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__search_text"]
    raw_id_fields = ["procedure", "competent_agency"]
    inlines = [ComponentInline, ChannelOptionInline, ResultInline, LegalBasisInline]
    actions = ["publish_selected", "new_draft_selected"]
    readonly_fields = [
        "number",
        "status",
        "valid_from",
        "valid_to",
        "source",
        "import_status",
        "unparsed_text",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["procedure", "number", "status", "name", "field", "procedure_type"]}),
        (_("Phạm vi"), {"fields": ["levels", "subjects", "online_level", "partial_online_reason"]}),
        (
            _("Cơ quan"),
            {
                "fields": [
                    "competent_agency",
                    "competent_agency_kind",
                    "competent_agency_text",
                    "coordinating_agencies_text",
                    "announcing_decision",
                ]
            },
        ),
        (
            _("Giải quyết"),
            {
                "fields": [
                    "regardless_of_boundary",
                    "auto_receive_online",
                    "supplement_policy",
                    "steps_text",
                    "conditions_text",
                ]
            },
        ),
        (_("Hiệu lực"), {"fields": ["valid_from", "valid_to", "created_at"]}),
        (_("Nguồn nhập"), {"fields": ["source", "import_status", "unparsed_text"]}),
    ]

    @admin.display(description=_("tên thủ tục"))
    def name_short(self, obj: ProcedureVersion) -> str:
        return obj.name[:100]

    @admin.display(description=_("nội dung chưa phân tích được"))
    def unparsed_text(self, obj: ProcedureVersion) -> str:
        return _pretty_json(obj.unparsed)

    def get_search_results(self, request, queryset, search_term):
        if not fold(search_term):
            return queryset, False
        found = filter_folded(queryset, search_term, field="procedure__search_text")
        return rank_folded(found, search_term, prefix="procedure__"), False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("procedure")
        return fields

    def has_change_permission(self, request, obj=None):
        # Not a draft → the page is shown read-only (view permission), inlines included.
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj: ProcedureVersion, form, change):
        if not change:
            draft = versions.create_draft(
                obj.procedure,
                **{
                    f.attname: getattr(obj, f.attname)
                    for f in ProcedureVersion._meta.concrete_fields
                    if f.name not in {"id", "procedure", "number", "status", "created_at"}
                },
            )
            obj.pk, obj.number, obj.created_at = draft.pk, draft.number, draft.created_at
            obj._state.adding = False
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Công bố các dự thảo đã chọn"), permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        done = 0
        for version in queryset.select_related("procedure"):
            try:
                versions.publish(version)
                done += 1
            except VersionLockedError as exc:
                self.message_user(request, f"{version}: {' '.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(request, _("Đã công bố %(n)d phiên bản.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Tạo dự thảo mới từ phiên bản này"), permissions=["add"])
    def new_draft_selected(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset.select_related("procedure"):
            draft = versions.new_draft_from(version)
            url = reverse("admin:catalogue_procedureversion_change", args=[draft.pk])
            self.message_user(
                request,
                format_html("Đã tạo dự thảo <a href='{}'>{}</a> từ {}.", url, draft, version),
                messages.SUCCESS,
            )


class FeeInline(DraftOnlyInline, admin.TabularInline):
    model = Fee
    fields = ["kind", "code", "name", "amount", "text", "exemption_note", "valid_from", "valid_to"]

    def _editable(self, obj) -> bool:
        return obj is None or obj.version.is_draft


@admin.register(ChannelOption)
class ChannelOptionAdmin(admin.ModelAdmin):
    """Reached from a version's page (link on each channel), to edit that channel's fees."""

    list_display = ["version", "channel", "duration_value", "duration_unit"]
    list_filter = ["channel", "duration_unit"]
    list_select_related = ["version__procedure"]
    raw_id_fields = ["version"]
    inlines = [FeeInline]

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.version.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.version.is_draft) and super().has_delete_permission(request, obj)

    def get_model_perms(self, request):
        return {}  # not in the index: channels are reached from their version


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "source",
        "status",
        "total",
        "ok",
        "partial",
        "unchanged",
        "rejected",
        "records",
    ]
    list_filter = ["status", "publish"]
    readonly_fields = [f.name for f in ImportRun._meta.fields] + ["records"]

    @admin.display(description=_("bản ghi"))
    def records(self, obj: ImportRun) -> str:
        url = reverse("admin:catalogue_importrecord_changelist") + f"?run__id__exact={obj.pk}"
        return format_html("<a href='{}'>{}</a>", url, _("Xem từng bản ghi"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["code", "status", "action", "location", "unparsed_fields", "reason_short", "version"]
    list_filter = ["status", "run"]
    list_select_related = ["version__procedure"]
    search_fields = ["code", "reason"]
    readonly_fields = [
        "run",
        "source_file",
        "line",
        "record_index",
        "code",
        "status",
        "action",
        "reason",
        "unparsed_fields",
        "warnings_text",
        "unparsed_text",
        "source_hash",
        "version",
    ]
    exclude = ["unparsed", "warnings"]

    @admin.display(description=_("vị trí trong tệp"))
    def location(self, obj: ImportRecord) -> str:
        return obj.where

    @admin.display(description=_("lý do"))
    def reason_short(self, obj: ImportRecord) -> str:
        return obj.reason[:150]

    @admin.display(description=_("cảnh báo"))
    def warnings_text(self, obj: ImportRecord) -> str:
        if not obj.warnings:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((w,) for w in obj.warnings)))

    @admin.display(description=_("nội dung chưa phân tích được"))
    def unparsed_text(self, obj: ImportRecord) -> str:
        return _pretty_json(obj.unparsed)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
