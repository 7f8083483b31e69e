from django.contrib import admin
from django.urls import include, path

from motcua.api.urls import api

admin.site.site_header = "motcua — Quản trị hệ thống"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị danh mục, tổ chức và lịch làm việc"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("motcua.integrations.urls")),
    path("bieu-mau/", include("motcua.documents.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("chi-so/", include("motcua.indicators.urls")),  # the service-quality index (motcua.indicators)
    # The officer pages (and the public tracking page); "/" opens the inbox.
    path("", include("motcua.backoffice.urls")),
]
