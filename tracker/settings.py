"""Settings, all from the environment with safe defaults.

A ``.env`` file at the project root (or at ``ENV_FILE``) is read if present (``make run`` writes one
for development); real environment variables win over it.
"""

import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)
# Demo mode allows printing a demo login; never on in production.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"
# Earlier keys, still accepted for signatures (sessions, signed links) and to read CRM secrets sealed under them.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "axes",
    "ninja",  # its Swagger UI files, served from this site (the content security policy allows no other)
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Device (token) requests to the scan API stop here: the rest is for browsers. DEVICE_API_SHORTCUT=0
    # sends them down the whole chain (``bench/scan_ingest.py --full-stack`` measures what that costs).
    *(["tracker.middleware.DeviceApiMiddleware"] if env.bool("DEVICE_API_SHORTCUT", default=True) else []),
    # Every page's Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times in the viewer's own zone, unless a page about an event says otherwise (tracker/times.py).
    "tracker.middleware.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.navigation",
            ],
        },
    },
]


def on_greenlets() -> bool:
    """Whether this process runs on gevent's greenlets (gunicorn's gevent worker patches threading)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


# Database: SQLite file by default (WAL, see tracker.apps), PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if on_greenlets():
        # The web server's gevent workers (tracker/gunicorn.py) serve each client connection on a
        # greenlet of its own, and Django keeps a connection per greenlet: fifty phones would hold fifty.
        # Instead each request borrows one from a pool of the process and gives it back when it ends.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": env.int("DB_POOL_SIZE", default=10),
            "timeout": 10,  # seconds a request waits for a free connection before it fails
        }
    else:
        DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: a booth shares one NAT address, so lock out a username on an address, not the
# whole address; unlock by itself after a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Browser libraries come from npm at set-up time (`make run`), never from the repository or a CDN.
ZXING_DIR = BASE_DIR / "node_modules" / "@zxing" / "library" / "umd"
STATICFILES_DIRS = [("vendor/zxing", ZXING_DIR)] if ZXING_DIR.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Export and import files go through Django's storage API: this machine's MEDIA_ROOT by default, or, for
# several web servers and workers on different machines, an S3-compatible object store (django-storages)
# when S3_BUCKET is set. Files are private: the app serves them after its permission check.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": env.str("S3_PREFIX", default=""),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,  # MinIO, Ceph, R2, ...
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,  # else boto3's own chain
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,  # the bucket's own: private unless made public (ACLs are often disabled)
            "querystring_auth": True,  # a URL of a file, if one is ever made, is signed and expires
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The cache every process shares (Redis) when there is one; the figures pages keep their figures there
# until an input changes (tracker/analytics/freshness.py), and only when it is shared.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that hangs must not hang a scan's request: give up after a second (then computed).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=600 if REDIS_URL else 0)
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_TIME_LIMIT = 120
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a worker took and never finished (the worker killed) goes back to the queue after this many
# seconds: longer than any task runs (an export may take 30 minutes). Tests lower it to see that happen.
BROKER_VISIBILITY_TIMEOUT = env.int("BROKER_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # How often a worker looks for such tasks: about every tenth of the timeout, at least every second.
    "unacked_restore_interval": max(1, min(10, BROKER_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1 if BROKER_VISIBILITY_TIMEOUT < 600 else 10,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-scans": {"task": "tracker.sweep_pending_scans", "schedule": 60.0},
    "sweep-scores": {"task": "tracker.sweep_scores", "schedule": 300.0},
    "create-follow-ups": {"task": "tracker.create_follow_ups_for_ended_events", "schedule": 3600.0},
    "send-overdue-digests": {"task": "tracker.send_overdue_digests", "schedule": 3600.0},
    "clean-up-exports": {"task": "tracker.clean_up_exports", "schedule": 3600.0},
    "apply-retention": {"task": "tracker.apply_retention", "schedule": 3600.0},
    "sweep-crm-pushes": {"task": "tracker.sweep_crm_pushes", "schedule": 600.0},
}

# Export files stay downloadable this long, then the cleanup task deletes them.
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=24)
# Exports of at most this many rows are written during the request; larger ones run as a task.
EXPORT_INLINE_ROWS = env.int("EXPORT_INLINE_ROWS", default=2000)
IMPORT_MAX_MEGABYTES = env.int("IMPORT_MAX_MEGABYTES", default=200)  # the largest lead file or list taken

# CRM push (tracker/crm): HubSpot's API root (tests point it at a local fake), the Salesforce REST API
# version, and the key CRM credentials are encrypted with (through HKDF; SECRET_KEY's when not set). Keys
# in CRM_SECRET_KEY_FALLBACKS, SECRET_KEY and SECRET_KEY_FALLBACKS still read a secret, which is then sealed
# again under the current key (tracker/crm/secrets.py).
HUBSPOT_API_URL = env.str("HUBSPOT_API_URL", default="https://api.hubapi.com").rstrip("/")
SALESFORCE_API_VERSION = env.str("SALESFORCE_API_VERSION", default="v62.0")
# Where a Salesforce org's instance URL may point: a domain (leading dot: its subdomains) or a host.
SALESFORCE_HOSTS = env.list("SALESFORCE_HOSTS", default=[".salesforce.com", ".force.com", ".salesforce.mil"])
# Tests only: hosts of a local fake Salesforce, taken over plain HTTP on any port. Never set in production.
CRM_TEST_HOSTS = env.list("CRM_TEST_HOSTS", default=[])
CRM_SECRET_KEY = env.str("CRM_SECRET_KEY", default="")
CRM_SECRET_KEY_FALLBACKS = env.list("CRM_SECRET_KEY_FALLBACKS", default=[])

# Leads scored per rescoring task (one transaction each).
SCORING_CHUNK = env.int("SCORING_CHUNK", default=2000)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tracker@localhost")
# Where links in emails point: the address users reach this installation at.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Overdue digests go out once a day, at this local hour of each owner or later.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)

# Hardening that costs nothing behind TLS; switched on in production through the environment.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The content security policy (django-csp): scripts, styles, images and connections from this site only;
# no inline script or style attribute is needed by any page (tests/test_security.py loads every page
# in Chromium and fails on a violation). The scan screen's camera needs no source of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap4-responsive.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
