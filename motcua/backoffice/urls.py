"""Officer pages (Vietnamese paths, as officers read them) and the public tracking page."""

from django.urls import path
from django.views.generic import RedirectView

from .views import auth, dossier, inbox, reception, tracking

app_name = "backoffice"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:inbox", permanent=False), name="home"),
    path("dang-nhap/", auth.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth.LogoutView.as_view(), name="logout"),
    path("vai-tro/", auth.choose_role, name="choose_role"),
    path("ho-so/", inbox.inbox_page, name="inbox"),
    path("ho-so/<str:code>/", dossier.dossier_page, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", dossier.dossier_action, name="dossier_action"),
    path("ho-so/<str:code>/tep/<int:pk>/", dossier.component_file, name="component_file"),
    path("tiep-nhan/", reception.reception_page, name="reception"),
    path("tiep-nhan/thu-tuc/", reception.procedure_search, name="procedure_search"),
    path("tiep-nhan/thong-tin/", reception.procedure_info, name="procedure_info"),
    path("tiep-nhan/kiem-tra-so-dinh-danh/", reception.check_id_number, name="check_id_number"),
    path("tiep-nhan/csdl-dan-cu/", reception.population_lookup, name="population_lookup"),
    path("tiep-nhan/huong-dan/", reception.counter_guide, name="counter_guide"),
    path("tiep-nhan/tu-choi/", reception.counter_refuse, name="counter_refuse"),
    path("tiep-nhan/xong/<str:code>/", reception.reception_done, name="reception_done"),
    path("tra-cuu/", tracking.tracking_page, name="tracking"),
    path("tra-cuu/<str:code>", tracking.tracking_page, name="tracking_code"),
]
