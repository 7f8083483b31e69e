"""``motcua serve`` child: the national-platforms simulator, in development, on the port the HTTT expects.

Started only when MOTCUA_NATIONAL_SIMULATOR is on (the development default) and the HTTT's portal URL is
a loopback address: the simulator then listens where the connector sends, and pushes intake and payment
callbacks back to this very HTTT with the key the HTTT checks.
"""

from __future__ import annotations

import urllib.parse

from django.conf import settings

from motcua.core.serve import ChildSpec, ServeOptions, motcua_command

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def simulator_child(options: ServeOptions) -> ChildSpec | None:
    if not getattr(settings, "MOTCUA_NATIONAL_SIMULATOR", False):
        return None
    portal = urllib.parse.urlsplit(settings.MOTCUA_NATIONAL_PORTAL_URL or "")
    if portal.hostname not in LOOPBACK or portal.port is None:
        return None
    httt_host = "127.0.0.1" if options.host in ("0.0.0.0", "::", "") else options.host
    env = {
        "MOTCUA_SIM_HTTT_URL": f"http://{httt_host}:{options.port}",
        "MOTCUA_SIM_HTTT_API_KEY": settings.MOTCUA_NATIONAL_API_KEY,
        "MOTCUA_SIM_CLIENT_ID": settings.MOTCUA_NATIONAL_CLIENT_ID,
        "MOTCUA_SIM_CLIENT_SECRET": settings.MOTCUA_NATIONAL_CLIENT_SECRET,
    }
    argv = motcua_command("national_portal_sim", "--host", portal.hostname, "--port", str(portal.port))
    return ChildSpec("national-portal-sim", argv, env=env)


SERVE_CHILDREN = [simulator_child]
