from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "motcua — Quản trị hệ thống"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị danh mục, tổ chức và lịch làm việc"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
