"""Admin screens for the calendar overlay (Vietnamese), with a year view of the effective calendar."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .computed import computed_calendar
from .loader import calendar_for
from .models import CalendarEntry

WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarEntry.objects.dates("date", "year")}, reverse=True)
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarEntry)
class CalendarEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "scope", "scope_target", "source", "updated_at"]
    list_filter = [YearFilter, "kind", "scope"]
    search_fields = ["name", "source", "note"]
    date_hierarchy = "date"
    raw_id_fields = ["province", "agency"]
    readonly_fields = ["computed_status", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["date", "kind", "name", "source", "note"]}),
        (_("Phạm vi áp dụng"), {"fields": ["scope", "province", "agency"]}),
        (_("Đối chiếu"), {"fields": ["computed_status", "created_at", "updated_at"]}),
    ]
    change_list_template = "admin/deadlines/calendarentry/change_list.html"

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarEntry) -> str:
        return WEEKDAYS_VI[obj.date.weekday()]

    @admin.display(description=_("áp dụng cho"))
    def scope_target(self, obj: CalendarEntry) -> str:
        return obj.scope_label

    @admin.display(description=_("lịch tính sẵn (gói holidays)"))
    def computed_status(self, obj: CalendarEntry) -> str:
        """What the computed calendar says about this date, so an admin sees whether the entry changes it."""
        if not obj.date:
            return "—"
        base = computed_calendar()
        if obj.date in base.days_off:
            return f"Ngày nghỉ: {base.days_off[obj.date]}"
        if obj.date in base.weekend_workdays:
            return "Ngày làm việc bù"
        return "Ngày làm việc" if obj.date.weekday() < 5 else "Nghỉ cuối tuần"

    def get_urls(self):
        urls = super().get_urls()
        extra = [
            path(
                "year/",
                self.admin_site.admin_view(self.year_view),
                name="deadlines_calendarentry_year",
            )
        ]
        return extra + urls

    def year_view(self, request):
        """Every non-working weekday and worked weekend day of a year, as the engine will count them."""
        try:
            year = int(request.GET.get("year", date.today().year))
        except ValueError:
            year = date.today().year
        year = min(max(year, 1900), 2100)
        agency = None
        code = request.GET.get("agency", "").strip()
        error = ""
        if code:
            from motcua.org.models import Agency

            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                error = f"Không tìm thấy cơ quan có mã {code}."
        calendar = calendar_for(agency=agency)
        rows = []
        for day, name in calendar.days_off_between(date(year, 1, 1), date(year, 12, 31)):
            if day.weekday() < 5:
                rows.append((day, "Nghỉ", name, calendar.day_source(day)))
        for day in calendar.working_days_in(year):
            if day.weekday() >= 5:
                rows.append((day, "Làm bù", calendar.day_name(day), calendar.day_source(day)))
        rows.sort()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Lịch làm việc năm {year}",
            "year": year,
            "agency_code": code,
            "agency": agency,
            "error": error,
            "rows": rows,
            "working_days": len(calendar.working_days_in(year)),
            "office_hours": str(calendar.office_hours),
        }
        return TemplateResponse(request, "admin/deadlines/calendarentry/year.html", context)
