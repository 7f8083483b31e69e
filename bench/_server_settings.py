"""Settings of the benchmark's HTTP server: the product's, plus one trivial JSON endpoint (bench only)."""

from motcua.settings import *  # noqa: F403

ROOT_URLCONF = "bench._server_urls"
