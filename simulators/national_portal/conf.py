"""The simulator's configuration, read from the environment at each use.

Read lazily (not frozen in settings) so that one process can be re-pointed by tests with monkeypatch, and
so that adding the simulator costs the HTTT's settings module nothing. Every value has a development
default that matches the HTTT's own development defaults; docs/simulator.md lists them all.
"""

from __future__ import annotations

from motcua.env import env_int, env_list, env_str

DEFAULT_PORT = 8100


def client_id() -> str:
    """The HTTT's client id for machine tokens (POST /oauth/token)."""
    return env_str("MOTCUA_SIM_CLIENT_ID", "motcua-httt")


def client_secret() -> str:
    return env_str("MOTCUA_SIM_CLIENT_SECRET", "motcua-httt-secret")


def token_ttl_seconds() -> int:
    return env_int("MOTCUA_SIM_TOKEN_TTL", 3600, minimum=1)


def public_url() -> str:
    """Base URL at which browsers and the HTTT reach the simulator (payment pages, OIDC issuer)."""
    return env_str("MOTCUA_SIM_PUBLIC_URL", f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")


def httt_url() -> str:
    """Base URL of the HTTT, for intake pushes and payment callbacks."""
    return env_str("MOTCUA_SIM_HTTT_URL", "http://127.0.0.1:8000").rstrip("/")


def httt_api_key() -> str:
    """The X-Api-Key the national side sends to the HTTT (one shared secret per partner)."""
    return env_str("MOTCUA_SIM_HTTT_API_KEY", "motcua-dev-national-portal-key")


def httt_catalogue_url() -> str:
    """Where /sim/submit fetches the HTTT's published online procedures when none are given."""
    return env_str("MOTCUA_SIM_HTTT_CATALOGUE_URL", f"{httt_url()}/api/v1/national-portal/procedures")


def intake_path() -> str:
    return env_str("MOTCUA_SIM_HTTT_INTAKE_PATH", "/api/v1/national-portal/dossiers")


def payment_callback_path() -> str:
    return env_str("MOTCUA_SIM_HTTT_PAYMENT_CALLBACK_PATH", "/api/v1/payments/callback")


def partner_code() -> str:
    """The HTTT's partner code on the payment platform (MaDoiTac)."""
    return env_str("MOTCUA_SIM_PARTNER_CODE", "MOTCUA")


def partner_secret() -> str:
    """The secret appended to every payment checksum (MaXacThuc)."""
    return env_str("MOTCUA_SIM_PARTNER_SECRET", "motcua-dev-payment-secret")


def vneid_channel_codes() -> set[int]:
    """KenhThucHien accepted besides 1/2/3: the VNeID code is not published, so it is the HTTT's setting."""
    return {1, 2, 3, env_int("MOTCUA_VNEID_CHANNEL_CODE", 2, minimum=1)}


def oidc_client_id() -> str:
    return env_str("MOTCUA_SIM_OIDC_CLIENT_ID", "motcua-portal")


def oidc_client_secret() -> str:
    return env_str("MOTCUA_SIM_OIDC_CLIENT_SECRET", "motcua-portal-secret")


def oidc_redirect_uris() -> list[str]:
    return env_list(
        "MOTCUA_SIM_OIDC_REDIRECT_URIS",
        [
            "http://127.0.0.1:8000/oidc/callback/",
            "http://127.0.0.1:8000/accounts/oidc/vneid/login/callback/",
            "http://localhost:8000/oidc/callback/",
        ],
    )


def population_size() -> int:
    return env_int("MOTCUA_SIM_POPULATION", 3000, minimum=1, maximum=200_000)


def population_seed() -> int:
    return env_int("MOTCUA_SIM_SEED", 20250701)


def push_max_attempts() -> int:
    """Attempts per outbound call (intake push, payment callback) before giving up."""
    return env_int("MOTCUA_SIM_PUSH_MAX_ATTEMPTS", 5, minimum=1)


def push_backoff_ms() -> int:
    """First retry delay; doubles each attempt (capped at 30 s)."""
    return env_int("MOTCUA_SIM_PUSH_BACKOFF_MS", 500, minimum=0)


def push_timeout_seconds() -> int:
    return env_int("MOTCUA_SIM_PUSH_TIMEOUT", 15, minimum=1)
