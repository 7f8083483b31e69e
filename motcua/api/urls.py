"""The REST API: /api/v1/ (OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

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
