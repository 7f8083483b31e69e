"""WSGI entry of the benchmark server (gunicorn --preload): the app and its URLconf built before forking,
so the first measured request does not pay for imports."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench._server_settings")
application = get_wsgi_application()

from django.urls import resolve  # noqa: E402

resolve("/bench/ping")
resolve("/api/v1/dossiers")
