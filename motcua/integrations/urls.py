from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [path("dong-bo/", views.sync_page, name="sync")]
