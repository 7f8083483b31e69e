from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold

from .models import AdministrativeUnit, Agency, ReceptionPoint, RoleAssignment


class FoldedSearchMixin:
    """Admin search that ignores diacritics: the query is folded and matched against search_text."""

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return queryset.filter(search_text__contains=fold(search_term)), False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "full_name", "kind", "province", "valid_to"]
    list_filter = ["kind", ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["search_text"]
    raw_id_fields = ["province", "successor"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "electronic_id", "parent", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["search_text"]
    raw_id_fields = ["parent", "admin_unit", "successor"]
    inlines = [RoleAssignmentInline]


@admin.register(ReceptionPoint)
class ReceptionPointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "agency", "office_hours", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "agency__code"]
    raw_id_fields = ["agency", "admin_unit"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "reception_point", "title"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    raw_id_fields = ["user", "agency", "reception_point"]
    verbose_name = _("phân quyền")
