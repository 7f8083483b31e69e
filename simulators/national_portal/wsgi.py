"""WSGI entry point for serving the simulator with another server (e.g. gunicorn).

Injected resets and timeouts then come back as HTTP 599 with an X-Sim-Drop header instead of a dropped
connection: only ``motcua national-portal-sim`` (simulators.national_portal.server) can really drop one.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from simulators.national_portal.server import SimulatorWSGIHandler  # noqa: E402

application = SimulatorWSGIHandler()
