"""/chi-so/ — the service-quality index pages (namespace ``indicators``)."""

from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.dashboard_view, name="dashboard"),
    path("<str:code>/chi-tieu/<str:item>/", views.item_view, name="item"),
    path("<str:code>/bieu-06/", views.bieu06_view, name="bieu06"),
    path("<str:code>/bieu-06/ho-so/", views.bieu06_cell_view, name="bieu06_cell"),
]
