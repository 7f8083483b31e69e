"""Admin of the organisation directory, in Vietnamese: units, agencies, counters, staff roles.

Search ignores diacritics everywhere ("so tu phap" finds "Sở Tư pháp"): on the folded ``search_text``
column where the model has one, otherwise by folding the few rows of small tables in Python.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold

from .models import AdministrativeUnit, Agency, ReceptionPoint, RoleAssignment
from .validity import today, valid_on_q


class FoldedSearchMixin:
    """Admin search (and autocomplete) that ignores diacritics and đ/d.

    Models with a ``search_text`` column are searched in the database; for others, ``folded_fields`` are
    folded in Python, which is fine for tables of a few hundred rows (reception points).
    """

    folded_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = fold(search_term)
        if not term:
            return queryset, False
        if any(f.name == "search_text" for f in queryset.model._meta.get_fields()):
            return queryset.filter(search_text__contains=term), False
        matching = [
            obj.pk
            for obj in queryset
            if any(term in fold(str(getattr(obj, name) or "")) for name in self.folded_fields)
        ]
        return queryset.filter(pk__in=matching), False


class ValidityFilter(admin.SimpleListFilter):
    """In force today / ended / not yet in force (validity dates are inclusive, see validity.py)."""

    title = _("hiệu lực")
    parameter_name = "hieu_luc"
    prefix = ""  # for filtering on a related row's dates, e.g. "agency__"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Đang hiệu lực")),
            ("ended", _("Hết hiệu lực")),
            ("future", _("Chưa có hiệu lực")),
        ]

    def queryset(self, request, queryset):
        p = self.prefix
        if self.value() == "current":
            return queryset.filter(valid_on_q(prefix=p))
        if self.value() == "ended":
            return queryset.filter(**{f"{p}valid_to__lt": today()})
        if self.value() == "future":
            return queryset.filter(**{f"{p}valid_from__gt": today()})
        return queryset


VALIDITY_FIELDSET: Any = (
    _("Hiệu lực và kế thừa"),
    {"fields": ["valid_from", "valid_to", "successor", "predecessors"]},
)


class SuccessionDisplayMixin:
    @admin.display(description=_("được kế thừa từ"))
    def predecessors(self, obj):
        if obj.pk is None:
            return "—"
        rows = type(obj).objects.filter(successor=obj).order_by("code")
        return format_html_join(", ", "{}", ((str(r),) for r in rows)) or "—"


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(FoldedSearchMixin, SuccessionDisplayMixin, admin.ModelAdmin):
    list_display = ["code", "full_name", "kind", "province", "valid_from", "valid_to", "successor"]
    list_filter = ["kind", ValidityFilter, ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["search_text"]
    search_help_text = _("Tìm theo mã hoặc tên, gõ có dấu hay không dấu đều được.")
    autocomplete_fields = ["province", "successor"]
    readonly_fields = ["predecessors"]
    list_select_related = ["province", "successor"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "name", "full_name", "name_en", "province"]}),
        VALIDITY_FIELDSET,
    ]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ["user", "role", "title", "reception_point", "valid_from", "valid_to"]
    autocomplete_fields = ["user", "reception_point"]
    verbose_name = _("cán bộ và vai trò")
    verbose_name_plural = _("cán bộ và vai trò tại đơn vị này")


class DivisionInline(admin.TabularInline):
    model = Agency
    fk_name = "parent"
    extra = 0
    fields = ("code", "name", "kind", "valid_to")
    readonly_fields = ("code", "name", "kind", "valid_to")
    show_change_link = True
    can_delete = False
    verbose_name = _("đơn vị trực thuộc")
    verbose_name_plural = _("đơn vị trực thuộc")

    def has_add_permission(self, request, obj=None):
        return False  # added from the agency list, with their own codes and validation


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, SuccessionDisplayMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "electronic_id", "parent", "valid_to", "successor"]
    list_filter = ["kind", ValidityFilter]
    search_fields = ["search_text"]
    search_help_text = _("Tìm theo mã QCVN 102, mã định danh hoặc tên, có dấu hay không dấu.")
    autocomplete_fields = ["parent", "admin_unit", "successor"]
    readonly_fields = ["predecessors"]
    list_select_related = ["parent", "successor"]
    inlines = [DivisionInline, RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "parent", "admin_unit"]}),
        (_("Mã"), {"fields": ["code", "electronic_id"]}),
        (_("Liên hệ, giờ làm việc"), {"fields": ["address", "phone", "email", "office_hours"]}),
        VALIDITY_FIELDSET,
    ]


@admin.register(ReceptionPoint)
class ReceptionPointAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "agency", "admin_unit", "office_hours", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]  # needed for autocomplete; the search itself is folded
    folded_fields = ("name", "address", "agency")
    search_help_text = _("Tìm theo tên, địa chỉ hoặc đơn vị quản lý, có dấu hay không dấu.")
    autocomplete_fields = ["agency", "admin_unit"]
    list_select_related = ["agency", "admin_unit"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "user_full_name", "role", "agency", "reception_point", "title", "valid_to"]
    list_filter = ["role", ValidityFilter, "agency__kind"]
    search_fields = ["user__username"]
    search_help_text = _("Tìm theo tài khoản, họ tên cán bộ hoặc tên đơn vị (đơn vị: không dấu cũng được).")
    autocomplete_fields = ["user", "agency", "reception_point"]
    list_select_related = ["user", "agency", "reception_point"]

    @admin.display(description=_("họ và tên"), ordering="user__last_name")
    def user_full_name(self, obj):
        return obj.user.get_full_name()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return (
            queryset.filter(
                Q(user__username__icontains=term)
                | Q(user__first_name__icontains=term)
                | Q(user__last_name__icontains=term)
                | Q(agency__search_text__contains=fold(term))
            ),
            False,
        )


class UserRoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "agency", "reception_point", "title", "valid_from", "valid_to"]
    autocomplete_fields = ["agency", "reception_point"]
    verbose_name = _("vai trò")
    verbose_name_plural = _("vai trò cán bộ (một người có thể giữ nhiều vai trò ở nhiều đơn vị)")


class HasRoleFilter(admin.SimpleListFilter):
    title = _("loại tài khoản")
    parameter_name = "loai"

    def lookups(self, request, model_admin):
        return [("staff", _("Cán bộ (có vai trò)")), ("citizen", _("Không có vai trò cán bộ"))]

    def queryset(self, request, queryset):
        if self.value() == "staff":
            return queryset.filter(roles__isnull=False).distinct()
        if self.value() == "citizen":
            return queryset.filter(roles__isnull=True)
        return queryset


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, plus the user's roles inline: one screen to set up a staff member."""

    inlines = [*DjangoUserAdmin.inlines, UserRoleInline]
    list_filter = [HasRoleFilter, *DjangoUserAdmin.list_filter]
