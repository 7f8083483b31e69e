"""The simulator's URLconf, served by its own process (``motcua national-portal-sim``).

Paths follow the contract exactly (no trailing slashes), so they are matched as written.
"""

from django.urls import path

from simulators.national_portal.views import dossiers, oidc, payments, population, sim, store

app_name = "national_portal"

urlpatterns = [
    path("", sim.index, name="index"),
    # §1 machine tokens
    path("oauth/token", dossiers.oauth_token, name="oauth-token"),
    # §2 dossier sync
    path("api/hoso/them-moi", dossiers.create, name="hoso-them-moi"),
    path("api/hoso/cap-nhat", dossiers.update, name="hoso-cap-nhat"),
    path("api/hoso/tien-trinh", dossiers.progress, name="hoso-tien-trinh"),
    path("api/hoso/tra-cuu", dossiers.lookup, name="hoso-tra-cuu"),
    path("api/hoso/danh-sach", dossiers.listing, name="hoso-danh-sach"),
    # §4 payment platform
    path("api/thanhtoan/khoi-tao", payments.initiate, name="thanhtoan-khoi-tao"),
    path("api/thanhtoan/truy-van", payments.query, name="thanhtoan-truy-van"),
    path("api/thanhtoan/bien-lai", payments.receipt, name="thanhtoan-bien-lai"),
    path("thanhtoan/<str:ma_giao_dich>", payments.payment_page, name="thanhtoan-trang"),
    # §5 citizen data store
    path("api/kho/giay-to", store.documents, name="kho-giay-to"),
    path("api/kho/tep", store.document_file, name="kho-tep"),
    # §6 population database
    path("api/dancu/tra-cuu", population.lookup, name="dancu-tra-cuu"),
    # §7 citizen login
    path("oidc/.well-known/openid-configuration", oidc.discovery, name="oidc-discovery"),
    path("oidc/jwks", oidc.jwks, name="oidc-jwks"),
    path("oidc/authorize", oidc.authorize, name="oidc-authorize"),
    path("oidc/token", oidc.token, name="oidc-token"),
    path("oidc/userinfo", oidc.userinfo, name="oidc-userinfo"),
    # §8 the simulator's controls
    path("sim/faults", sim.fault_settings, name="sim-faults"),
    path("sim/stats", sim.stats_view, name="sim-stats"),
    path("sim/export", sim.export_view, name="sim-export"),
    path("sim/reset", sim.reset, name="sim-reset"),
    path("sim/submit", sim.submit, name="sim-submit"),
    path("sim/thanhtoan/hoan-tat", sim.complete_payment, name="sim-thanhtoan-hoan-tat"),
    path("sim/thanhtoan/goi-lai", sim.resend_callback, name="sim-thanhtoan-goi-lai"),
    path("sim/sms", sim.sms, name="sim-sms"),
]
