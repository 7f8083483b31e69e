"""``motcua serve`` children from this package: the outbox worker (see motcua/core/serve.py)."""

from __future__ import annotations

from django.conf import settings

from motcua.core.serve import ChildSpec, ServeOptions, motcua_command


def national_worker_child(options: ServeOptions) -> ChildSpec | None:
    if not options.worker or not settings.MOTCUA_NATIONAL_WORKER or not settings.MOTCUA_NATIONAL_PORTAL_URL:
        return None
    return ChildSpec("national-portal-worker", motcua_command("national_portal", "worker"))


SERVE_CHILDREN = [national_worker_child]
