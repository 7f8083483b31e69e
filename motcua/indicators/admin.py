"""Admin screens: definitions (draft → published, never edited afterwards), targets, inputs, official scores.

Changing the index is "copy to a new draft, edit it, publish it with its justifying document": the published
version is read-only and stays for history, and it keeps scoring the periods before the new one starts.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    IndexBand,
    IndexDefinition,
    IndexGroup,
    IndexInput,
    IndexItem,
    IndexTarget,
    InputSource,
    OfficialScore,
)


class FrozenWhenPublishedInline(admin.TabularInline):
    extra = 0

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class IndexGroupInline(FrozenWhenPublishedInline):
    model = IndexGroup
    fields = ["order", "code", "title_vi", "title_en", "max_points"]


class IndexItemInline(FrozenWhenPublishedInline):
    model = IndexItem
    fields = [
        "order",
        "number",
        "group",
        "title_vi",
        "points",
        "kind",
        "threshold_percent",
        "empty_policy",
        "decimals",
        "source",
    ]


class IndexBandInline(FrozenWhenPublishedInline):
    model = IndexBand
    fields = ["min_total", "code", "label_vi", "label_en"]


@admin.register(IndexDefinition)
class IndexDefinitionAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "valid_from", "status", "justification", "published_at"]
    list_filter = ["status"]
    search_fields = ["name", "justification"]
    inlines = [IndexGroupInline, IndexItemInline, IndexBandInline]
    # Django 6 assumes https for scheme-less links; official documents are served over https anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["make_new_draft", "publish", "withdraw"]
    fields = [
        "version",
        "name",
        "status",
        "valid_from",
        "justification",
        "justification_url",
        "based_on",
        "published_at",
        "published_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        always = ["version", "status", "based_on", "published_at", "published_by"]
        if obj is not None and obj.is_frozen:
            return self.fields
        return always

    def has_delete_permission(self, request, obj=None):
        # A published version may have scored a period: it is history, never deleted.
        return (obj is None or not obj.is_frozen) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.version = (
                IndexDefinition.objects.order_by("-version").values_list("version", flat=True).first() or 0
            ) + 1
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Tạo phiên bản mới (dự thảo) từ phiên bản đã chọn"))
    def make_new_draft(self, request, queryset):
        for definition in queryset:
            draft = definition.new_draft()
            self.message_user(
                request,
                _(
                    "Đã tạo dự thảo phiên bản %(new)s từ phiên bản %(old)s; "
                    "sửa rồi công bố kèm văn bản làm căn cứ."
                )
                % {"new": draft.version, "old": definition.version},
                messages.SUCCESS,
            )

    @admin.action(description=_("Công bố (áp dụng từ ngày bắt đầu, không sửa được nữa)"))
    def publish(self, request, queryset):
        published = 0
        for definition in queryset:
            try:
                with transaction.atomic():
                    definition.publish(by=request.user)
            except ValidationError as exc:
                self.message_user(
                    request,
                    _("Không công bố được phiên bản %(v)s: %(e)s")
                    % {"v": definition.version, "e": " ".join(exc.messages)},
                    messages.ERROR,
                )
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("Đã công bố %d phiên bản.", "Đã công bố %d phiên bản.", published) % published,
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Hủy phiên bản đã công bố nhầm (giữ lại để tra cứu, không dùng để chấm điểm)")
    )
    def withdraw(self, request, queryset):
        for definition in queryset:
            if definition.status != IndexDefinition.Status.PUBLISHED:
                self.message_user(
                    request,
                    _("Phiên bản %s chưa công bố, không cần hủy.") % definition.version,
                    messages.WARNING,
                )
                continue
            definition.withdraw()
            self.message_user(request, _("Đã hủy phiên bản %s.") % definition.version, messages.SUCCESS)


@admin.register(IndexTarget)
class IndexTargetAdmin(admin.ModelAdmin):
    list_display = ["title_vi", "applies_to", "comparison", "value_percent", "due_year", "is_active"]
    list_filter = ["is_active", "due_year"]
    search_fields = ["title_vi", "title_en", "source"]


@admin.register(IndexInput)
class IndexInputAdmin(admin.ModelAdmin):
    list_display = [
        "item_number",
        "agency",
        "period_start",
        "period_end",
        "numerator",
        "denominator",
        "portal_count",
        "source",
        "source_note",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["item_number", "source"]
    search_fields = ["agency__name", "agency__code", "source_note"]
    raw_id_fields = ["agency"]
    date_hierarchy = "period_start"
    fields = [
        "agency",
        "period_start",
        "period_end",
        "item_number",
        "numerator",
        "denominator",
        "portal_count",
        "previous_year_total",
        "source_note",
        "source",
        "entered_by",
        "entered_at",
    ]
    readonly_fields = ["source", "entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        # Whatever its first origin, a figure changed here is now the officer's entry: say so.
        obj.source = InputSource.ENTERED
        obj.entered_by = request.user
        obj.entered_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(OfficialScore)
class OfficialScoreAdmin(admin.ModelAdmin):
    list_display = [
        "agency",
        "period_start",
        "period_end",
        "total",
        "rank",
        "published_on",
        "source",
        "imported_at",
    ]
    list_filter = ["source"]
    search_fields = ["agency__name", "agency__code", "source_note"]
    raw_id_fields = ["agency"]
    date_hierarchy = "period_start"
