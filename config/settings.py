"""Settings for the deputy-suggestion tracker, read from the environment.

SQLite and an in-process task runner are the embedded default so `make run` works on a
bare machine; DATABASE_URL / REDIS_URL switch to PostgreSQL and Redis.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The process's environment wins over the file; ENV_FILE names another file (tests, several checkouts).
environ.Env.read_env(os.environ.get("ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# pytest sets PYTEST_VERSION; tests run with DEBUG off but over plain HTTP and without a real key.
TESTING = "PYTEST_VERSION" in os.environ
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING or env.bool("ALLOW_INSECURE_SECRET", default=False)):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # The "django-insecure-" prefix makes `check --deploy` flag this key if it ever reaches a server.
    SECRET_KEY = "django-insecure-development-key-only-for-local-use-0123456789abcdef"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "suggestions",
    "handling",
    "supervision",
    "notifications",
    "dashboards",
    "deputies",
    "audit",
    "demo",
    "axes",
    "csp",
    "textanalysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "audit.middleware.AuditMiddleware",
    # Last, so it sees the failed login that a view reported (docs: django-axes, "Configuration").
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compilation costs more than it saves on the dashboards' aggregates (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Keep each worker's connection for a while (checked before reuse) instead of opening one per
    # request: over HTTP at 10^6 suggestions a new connection per request was most of a 50-row
    # list's time (47 -> 17 ms, docs/benchmarks.md "http"). `?conn_max_age=` in DATABASE_URL or
    # DB_CONN_MAX_AGE (seconds; 0 closes after each request) overrides it.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A busy web process and the embedded worker share the file; wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "config.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG or TESTING)

# Upload limits (SPEC section 9): 20 MB per attachment, document or image types only.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: strict when DEBUG is off (`manage.py check --deploy` is clean).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Served files (SPEC section 8: the public never gets attachments). Every uploaded file goes out through
# suggestions' download view, which applies the visibility rule; there is no /media/ URL in any mode.
# Behind nginx set PROTECTED_MEDIA_X_ACCEL=/protected/ (an `internal` location aliased to MEDIA_ROOT)
# and the view answers with X-Accel-Redirect instead of streaming the bytes itself.
PROTECTED_MEDIA_X_ACCEL = env.str("PROTECTED_MEDIA_X_ACCEL", default="")

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page needs any of these browser powers.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb", "display-capture", "fullscreen", "midi", "serial", "xr-spatial-tracking",
    )
}  # fmt: skip

# Brute-force defence (django-axes): a name or an address is locked out after AXES_FAILURE_LIMIT
# failed logins for AXES_COOLOFF_MINUTES. Per account: stops guessing one person's password from many
# addresses; per address: stops one machine spraying many accounts. Either alone suffices to lock.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Not reset on success: axes would then forget every failure from the address, so an insider could
# guess a colleague's password, log into their own account and guess again. Failures expire with the cool-off.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_LOCKOUT_CALLABLE = "common.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_NEVER_LOCKOUT_WHITELIST = bool(env.list("AXES_IP_WHITELIST", default=[]))
AXES_IP_WHITELIST = env.list("AXES_IP_WHITELIST", default=[]) or None
AXES_DISABLE_ACCESS_LOG = True  # successes go to the audit log, not to a second table
AXES_VERBOSE = False

SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_PARSER_CLASSES": [
        "common.api.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["common.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    # The open-data endpoints (public/): requests per client address (or signed-in user); the token
    # endpoint per address, on top of django-axes' lockouts.
    "DEFAULT_THROTTLE_RATES": {
        "public": env.str("PUBLIC_API_THROTTLE", default="60/min"),
        "token": env.str("TOKEN_THROTTLE_RATE", default="20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Deputy suggestion tracking API",
    "DESCRIPTION": "代表建议办理与督办 — REST API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `role` or `status` field with different choices; name each set.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "accounts.models.Role",
        "AssignmentRoleEnum": "suggestions.models.AssignmentRole",
        "SuggestionStatusEnum": "suggestions.models.SuggestionStatus",
        "AssignmentStatusEnum": "suggestions.models.AssignmentStatus",
        "CoSignerStatusEnum": "suggestions.models.CoSignerStatus",
        "ReplyStatusEnum": "suggestions.models.ReplyStatus",
        "RequestStatusEnum": "suggestions.models.RequestStatus",
        "RatingEnum": "suggestions.models.Rating",
        "UnitKindEnum": "accounts.models.UnitKind",
        "RequestKindEnum": "suggestions.models.RequestKind",
        "DeadlineKindEnum": "suggestions.models.DeadlineKind",
        "InspectionKindEnum": "supervision.models.InspectionKind",
        "KeyItemStatusEnum": "supervision.models.KeyItemStatus",
        "CommitteeKindEnum": "supervision.models.CommitteeKind",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process (embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=30)
# The one schedule of periodic tasks. Celery beat runs it; without Redis, `manage.py run_scheduler`
# (started by `make run`) runs the same entries in-process, and `manage.py send_reminders` runs each
# once (for cron). Add a periodic task here and nowhere else.
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {
        "task": "notifications.tasks.sweep_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
    },
    "close-unevaluated": {
        "task": "suggestions.tasks.close_unevaluated",
        "schedule": 3600,
    },
    "train-router": {
        "task": "textanalysis.tasks.train_router",
        "schedule": 24 * 3600,
    },
    # Builds the maintained dashboard figures when they are not built by this release's layout, and
    # drains their queue if an after-commit refresh was lost.
    "refresh-figures": {
        "task": "dashboards.tasks.refresh_figures",
        "schedule": 60,
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@rendajianyi.local")
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
