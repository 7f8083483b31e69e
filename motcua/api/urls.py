"""The REST API: /api/v1/ (OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from motcua.indicators.api import router as indicators_router
from motcua.integrations.api import portal_router, staff_router

from . import dossiers, errors, tracking

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="Hệ thống thông tin giải quyết thủ tục hành chính — REST API. Messages are Vietnamese "
    "(`message`) with an English summary (`message_en`).",
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("/", dossiers.router)
api.add_router("/", tracking.router)
# The national platforms (motcua.integrations): intake and catalogue for the portal, sync status, lookups.
api.add_router("/", portal_router)
api.add_router("/", staff_router)
api.add_router("/", indicators_router)  # /indicators, /reports/bieu-06 (motcua.indicators)
