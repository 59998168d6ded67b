"""SocialHub settings.

Everything comes from environment variables, read through the small typed helpers
below; every variable has a safe default for a laptop (SQLite, no broker, console
email). Production sets DEBUG=false and the variables listed in README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SOCIALHUB_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """A string variable, or the default when unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean variable: 1/true/yes/on are true, 0/false/no/off are false."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    """An integer variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list variable."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A development-only key: never used with DEBUG off (see above).
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "socialhub",
    "listening",
    "listening.insights",
    "listening.inbox",
    "listening.alerts",
    "listening.reports",
    "campaigns",
    "influencers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "socialhub.middleware.SessionLifetimeMiddleware",
    "socialhub.middleware.AgencyMFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "socialhub.urls"
WSGI_APPLICATION = "socialhub.wsgi.application"

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
                "socialhub.context_processors.navigation",
                "listening.alerts.context_processors.alert_bell",
            ],
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/socialhub.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: rate limits (login attempts) need a cache that all processes share, so the
# default is a file cache under var/, and CACHE_URL=redis://... in production.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "socialhub.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Sessions: at most 12 hours, and 30 minutes idle for users without two-factor
# (enforced by socialhub.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_MAX_AGE = timedelta(hours=12)
SESSION_IDLE_TIMEOUT_WITHOUT_MFA = timedelta(minutes=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# allauth: email login, mandatory verification, no usernames.
ACCOUNT_ADAPTER = "socialhub.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SocialHub] "
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 10 a minute per IP, 5 per 5 minutes per account.
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_PREVENT_ENUMERATION = True
# Open self-signup is off unless SOCIALHUB_OPEN_SIGNUP is set; signing up then
# creates a new agency owned by the person.
SOCIALHUB_OPEN_SIGNUP = env_bool("SOCIALHUB_OPEN_SIGNUP", default=False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SocialHub"
# Recording "last seen" would write to the database on every request.
USERSESSIONS_TRACK_ACTIVITY = False

# Outbound HTTP (listening connectors) may reach these hosts even on private
# addresses (tests, an intranet feed); everything else passes the SSRF guard.
SOCIALHUB_HTTP_ALLOWED_HOSTS = env_list("SOCIALHUB_HTTP_ALLOWED_HOSTS")

# The content calendar warns of a channel with no post for this many days.
CALENDAR_GAP_DAYS = env_int("CALENDAR_GAP_DAYS", 3)

# Invitations expire after this many days.
SOCIALHUB_INVITATION_DAYS = env_int("SOCIALHUB_INVITATION_DAYS", 7)

# Campaign KPIs: the advertising-equivalent value prices 1000 impressions at this CPM,
# in the campaign's currency.
SOCIALHUB_AVE_CPM = env_str("SOCIALHUB_AVE_CPM", "5.00")

# Influencer collaborations: the earned-media value rate card (docs/influencers.md).
# Per platform (or "default"): a value per engagement and per 1000 reach, in the
# collaboration's currency. Override with SOCIALHUB_EMV_RATES as JSON of the same shape.
SOCIALHUB_EMV_RATES: dict[str, dict[str, str]] = {
    "default": {"engagement": "0.10", "reach_cpm": "5.00"},
    "instagram": {"engagement": "0.20", "reach_cpm": "8.00"},
    "tiktok": {"engagement": "0.08", "reach_cpm": "6.00"},
    "youtube": {"engagement": "0.30", "reach_cpm": "12.00"},
}
if env_str("SOCIALHUB_EMV_RATES"):
    import json

    try:
        SOCIALHUB_EMV_RATES = json.loads(env_str("SOCIALHUB_EMV_RATES"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"SOCIALHUB_EMV_RATES is not valid JSON: {exc}") from exc

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SocialHub <noreply@socialhub.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Uploads (the calendar's post images).
MEDIA_ROOT = Path(os.environ.get("SOCIALHUB_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Chart.js comes from its CDN, pinned with a subresource-integrity hash
# (the hash of dist/chart.umd.min.js in the npm package of that version).
CHARTJS_VERSION = "4.5.0"
CHARTJS_URL = f"https://cdn.jsdelivr.net/npm/chart.js@{CHARTJS_VERSION}/dist/chart.umd.min.js"
CHARTJS_INTEGRITY = "sha384-XcdcwHqIPULERb2yDEM4R0XaQKU3YnDsrTmjACBZyfdVVqjh6xQ4/DCMd7XLcA6Y"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a missing or bad credential answers 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "socialhub.access.permissions.TwoFactorRequirementPermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "socialhub.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "socialhub.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SocialHub API",
    "DESCRIPTION": (
        "Brand-scoped API for SocialHub. Authenticate with a session or a token "
        "(`Authorization: Token <key>`). Everything under /api/brands/<slug>/ belongs to "
        "that brand; a brand you hold no role in answers 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "listening.models.Source.Kind",
        "QueryKindEnum": "listening.models.Query.Kind",
        "PlatformEnum": "listening.models.Platform",
        "AlertKindEnum": "listening.alerts.models.AlertKind",
        "InboxEventKindEnum": "listening.inbox.models.InboxEvent.Kind",
        "InboxStatusEnum": "listening.inbox.models.Status",
        "SocialPlatformEnum": "campaigns.models.SocialAccount.Platform",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "InfluencerPlatformEnum": "influencers.models.InfluencerPlatform",
        "RelationshipStageEnum": "influencers.models.Stage",
    },
}

# Celery. With no CELERY_BROKER_URL the broker is a folder under var/ (kombu's
# filesystem transport), so `make run` needs no server; production points it at Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue = VAR_DIR / "celery" / "queue"
    # kombu's filesystem transport expects its folders to exist.
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
if CELERY_BROKER_URL.startswith("redis"):
    # How long an unacknowledged task waits before another worker gets it (a worker
    # killed mid-task): longer than the slowest task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "health-heartbeat": {"task": "socialhub.tasks.heartbeat", "schedule": 300.0},
    "poll-due-sources": {"task": "listening.poll_due_sources", "schedule": 60.0},
    "evaluate-alert-rules": {"task": "alerts.evaluate_all", "schedule": 600.0},
    # Hourly: sends each brand's weekly digest from Monday 07:00 in the brand's time zone
    # (at most once a week per person, so extra runs are harmless).
    "reports-weekly-digests": {"task": "reports.send_due_digests", "schedule": 3600.0},
    # Every minute: publishes (or marks ready) the calendar's posts whose time has come.
    "calendar-publish-due": {"task": "calendar.publish_due", "schedule": 60.0},
    # Daily: relationship health from listening (influencers.health).
    "influencers-health-check": {"task": "influencers.health_check_all", "schedule": 86400.0},
}

# Production hardening: all of it on when DEBUG is off.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
