"""Django settings for motcua.

Everything that differs between a laptop demo and a provincial production deployment comes from the
environment (see README, "Configuration"). The embedded default is SQLite + local files + an in-process
worker, so that ``make run`` works on a fresh machine with nothing else installed.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from motcua.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))
# Reference data (official units, national catalogue sample, days-off table) is read from here, never copied.
SHARED_DIR = Path(env_str("MOTCUA_SHARED_DIR", str(BASE_DIR.parent / "shared")))

# "production" makes every secret mandatory; "development" (the demo and the tests) has safe defaults.
DEPLOYMENT = env_choice("MOTCUA_ENV", "development", ("development", "production"))
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", None if DEPLOYMENT == "production" else "insecure-development-key")
if DEPLOYMENT == "production" and (DEBUG or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("In production DEBUG must be off and SECRET_KEY at least 32 characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Domain packages, lowest layer first (see docs/architecture.md).
    "motcua.core",
    "motcua.org",
    "motcua.catalogue",
    "motcua.deadlines",
    "motcua.workflow",
    "motcua.dossiers",
    "motcua.integrations",
    "motcua.indicators",
    "motcua.documents",
    "motcua.backoffice",
    "motcua.api",
    "motcua.benchtools",  # `motcua bench generate`: the benchmark workload (docs/performance.md)
    # The national-platforms simulator: its own process and its own store (DATABASES["national_portal"]).
    "simulators.national_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Lockout after repeated failed sign-ins; must stay last.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("MOTCUA_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
# Lock the account, not the address: a whole service centre sits behind one NAT address, and locking it
# would close every counter because of one mistyped password.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The lockout page is the officers' sign-in page with a Vietnamese explanation (motcua.backoffice).
AXES_LOCKOUT_CALLABLE = "motcua.backoffice.views.auth.locked_out"
LOGIN_URL = "/dang-nhap/"
LOGIN_REDIRECT_URL = "/ho-so/"
LOGOUT_REDIRECT_URL = "/dang-nhap/"

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "motcua.backoffice.context.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("MOTCUA_DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not understood: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run while the worker writes; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing half-way with "database is locked".
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db["CONN_MAX_AGE"] = 0
    _db["TEST"] = {
        "NAME": str(VAR_DIR / "test.sqlite3") if env_bool("MOTCUA_TEST_SQLITE_FILE", False) else ""
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
DATABASES = {"default": _db}
# The national-platforms simulator keeps what it receives in a store of its own, like the real portal:
# comparing the two stores is how the sync is checked, so they must never share tables.
try:
    _sim_db = dj_database_url.parse(
        env_str("MOTCUA_SIM_DATABASE_URL", f"sqlite:///{VAR_DIR / 'national_portal_sim.sqlite3'}")
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"MOTCUA_SIM_DATABASE_URL is not understood: {exc}") from None
if _sim_db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_sim_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _sim_db["OPTIONS"] = {  # same reasons as for the default database above
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _sim_db["CONN_MAX_AGE"] = 0
elif _sim_db["ENGINE"] == "django.db.backends.postgresql":
    _sim_db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("MOTCUA_SIM_DATABASE_URL must point to SQLite or PostgreSQL.")
# Its test database can be created on its own (the simulator's tests need nothing from "default").
_sim_db["TEST"] = {"DEPENDENCIES": []}
DATABASES["national_portal"] = _sim_db
DATABASE_ROUTERS = ["simulators.national_portal.router.NationalPortalRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"

# --- Background work ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "MOTCUA_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            ("django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"),
        ),
        "QUEUES": ["default"],
    }
}

# --- Files ----------------------------------------------------------------------------------------
STORAGE_BACKEND = env_choice("MOTCUA_STORAGE", "local", ("local", "s3"))
MEDIA_ROOT = Path(env_str("MOTCUA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic has run
# Also serve straight from the apps' static folders, so a first start or a test needs no collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [p for p in [BASE_DIR / "node_modules"] if p.exists()]
_static_backend = "whitenoise.storage.CompressedStaticFilesStorage"
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MOTCUA_S3_BUCKET"),
            "endpoint_url": env_str("MOTCUA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MOTCUA_S3_REGION", "") or None,
            "access_key": env_str("MOTCUA_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("MOTCUA_S3_SECRET_KEY", "") or None,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {"default": _default_storage, "staticfiles": {"BACKEND": _static_backend}}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MOTCUA_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024

# --- Language, time, formats ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "motcua" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"  # fixed: every legal deadline is counted in Vietnam time (UTC+7, no DST)
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["motcua.formats"]  # dd/mm/yyyy in both languages

# --- Domain settings (MOTCUA_*) -------------------------------------------------------------------
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Hệ thống thông tin giải quyết thủ tục hành chính")
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")
# Same-day procedures: received before this time → due at closing the same day (rules.md §4).
MOTCUA_SAME_DAY_CUTOFF = env_str("MOTCUA_SAME_DAY_CUTOFF", "15:00")
MOTCUA_DEFAULT_OFFICE_HOURS = env_str("MOTCUA_DEFAULT_OFFICE_HOURS", "08:00-12:00,13:00-17:00")
# National channel code for dossiers submitted through VNeID: not published yet (rules.md §6), so a setting.
MOTCUA_VNEID_CHANNEL_CODE = env_int("MOTCUA_VNEID_CHANNEL_CODE", 2, minimum=1)
# MaCSDL of the population database in DSKetNoiCSDL ("7" in practice; configurable).
MOTCUA_POPULATION_DB_CODE = env_str("MOTCUA_POPULATION_DB_CODE", "7")
# At most this many supplementation requests per dossier (the index counts more than one as late).
MOTCUA_MAX_SUPPLEMENT_REQUESTS = env_int("MOTCUA_MAX_SUPPLEMENT_REQUESTS", 1, minimum=1)

# --- National platforms (motcua.integrations; docs/integrations.md) --------------------------------
# Development defaults point at the simulator that `motcua serve` starts on port 8100, with its default
# credentials; production must configure every secret (empty = not configured: the connector says so).
_dev = DEPLOYMENT == "development"
MOTCUA_NATIONAL_PORTAL_URL = env_str("MOTCUA_NATIONAL_PORTAL_URL", "http://127.0.0.1:8100" if _dev else "")
MOTCUA_NATIONAL_CLIENT_ID = env_str("MOTCUA_NATIONAL_CLIENT_ID", "motcua-httt" if _dev else "")
MOTCUA_NATIONAL_CLIENT_SECRET = env_str("MOTCUA_NATIONAL_CLIENT_SECRET", "motcua-httt-secret" if _dev else "")
# X-Api-Key the national portal sends with intake pushes (compared in constant time; empty refuses all).
MOTCUA_NATIONAL_API_KEY = env_str("MOTCUA_NATIONAL_API_KEY", "motcua-dev-national-portal-key" if _dev else "")
MOTCUA_NATIONAL_BATCH_SIZE = env_int("MOTCUA_NATIONAL_BATCH_SIZE", 100, minimum=1, maximum=100)
MOTCUA_NATIONAL_MAX_ATTEMPTS = env_int("MOTCUA_NATIONAL_MAX_ATTEMPTS", 15, minimum=1)
MOTCUA_NATIONAL_BACKOFF_BASE_MS = env_int("MOTCUA_NATIONAL_BACKOFF_BASE_MS", 1000, minimum=1)
MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS = env_int("MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS", 300, minimum=1)
MOTCUA_NATIONAL_TIMEOUT_SECONDS = env_int("MOTCUA_NATIONAL_TIMEOUT_SECONDS", 10, minimum=1)
MOTCUA_NATIONAL_CLAIM_LEASE_SECONDS = env_int("MOTCUA_NATIONAL_CLAIM_LEASE_SECONDS", 60, minimum=2)
MOTCUA_NATIONAL_BREAKER_THRESHOLD = env_int("MOTCUA_NATIONAL_BREAKER_THRESHOLD", 5, minimum=1)
MOTCUA_NATIONAL_BREAKER_COOLDOWN_MS = env_int("MOTCUA_NATIONAL_BREAKER_COOLDOWN_MS", 30_000, minimum=10)
MOTCUA_NATIONAL_POLL_MS = env_int("MOTCUA_NATIONAL_POLL_MS", 200, minimum=10)
MOTCUA_NATIONAL_RECONCILE_MINUTES = env_int("MOTCUA_NATIONAL_RECONCILE_MINUTES", 60, minimum=0)
MOTCUA_NATIONAL_RECONCILE_DAYS = env_int("MOTCUA_NATIONAL_RECONCILE_DAYS", 7, minimum=1)
# `motcua serve` starts the outbox worker, and in development the simulator too (off: 0).
MOTCUA_NATIONAL_WORKER = env_bool("MOTCUA_NATIONAL_WORKER", True)
MOTCUA_NATIONAL_SIMULATOR = env_bool("MOTCUA_NATIONAL_SIMULATOR", _dev)
MOTCUA_INTAKE_MAX_FILE_MB = env_int("MOTCUA_INTAKE_MAX_FILE_MB", 10, minimum=1)
MOTCUA_POPULATION_URL = env_str("MOTCUA_POPULATION_URL", MOTCUA_NATIONAL_PORTAL_URL)
# Notifications to applicants: SMTP when a host is set (else printed on the console in development).
EMAIL_HOST = env_str("MOTCUA_SMTP_HOST", "")
EMAIL_PORT = env_int("MOTCUA_SMTP_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("MOTCUA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("MOTCUA_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MOTCUA_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = env_int("MOTCUA_SMTP_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("MOTCUA_MAIL_FROM", "motcua <no-reply@motcua.invalid>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or not _dev
    else "django.core.mail.backends.console.EmailBackend"
)
MOTCUA_SMS_GATEWAY_URL = env_str(
    "MOTCUA_SMS_GATEWAY_URL", f"{MOTCUA_NATIONAL_PORTAL_URL}/sim/sms" if _dev else ""
)
MOTCUA_SMS_API_KEY = env_str("MOTCUA_SMS_API_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("MOTCUA_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("MOTCUA_FAST_PASSWORD_HASHER", False):  # tests only: hashing dominates fixture time otherwise
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
