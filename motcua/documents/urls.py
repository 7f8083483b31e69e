from django.urls import path, register_converter

from . import views


class FormCodeConverter:
    """The dossier forms that exist as PDF: 01–06 (07, the tracking book, has its own address)."""

    regex = "0[1-6]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormCodeConverter, "formcode")

app_name = "documents"

urlpatterns = [
    path("so-theo-doi/", views.tracking_book_export, name="tracking_book"),
    path("<str:code>/<formcode:form>.pdf", views.form_pdf, name="form"),
]
