"""Settings for phoihop. The environment is read here and nowhere else.

Environment variables:
  PHOIHOP_DEBUG        "1" for development (default "1" with the embedded database)
  PHOIHOP_SECRET_KEY   required when not in debug mode (except in local mode)
  PHOIHOP_LOCAL        "1" serves on this machine over plain HTTP, debug off (what `make run`
                       uses): no HTTPS redirect or secure-only cookies, and a secret key
                       generated once under PHOIHOP_VAR_DIR
  PHOIHOP_DEMO         "1" lets the demo accounts sign in (default on with the embedded database)
  PHOIHOP_VAR_DIR      where the embedded database and media live (default ./var)
  PHOIHOP_ALLOWED_HOSTS comma-separated host names
  DATABASE_URL         e.g. postgres://user@host:5432/name; SQLite under var/ when unset
  PHOIHOP_TRUST_REQUEST_ID "1" when a reverse proxy sets X-Request-ID (and strips the client's)
  PHOIHOP_IDLE_MINUTES minutes without a request after which a session is signed out (default 30)
  PHOIHOP_BULLETIN_SIGNING_KEY  the private key signing what the back office publishes
                       (default VAR_DIR/keys/bulletin-signing.pem, made on first use)
  PHOIHOP_BULLETIN_VERIFY_KEY   its public half, all the public site needs
                       (default VAR_DIR/keys/bulletin-verify.pem)

The public bulletin's own deployment reads phoihop.settings_public instead (`--site public`
on any phoihop command), with PHOIHOP_PUBLIC_DATABASE_URL for its database.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PHOIHOP_VAR_DIR", Path.cwd() / "var")).resolve()

_database_url = os.environ.get("DATABASE_URL", "")
EMBEDDED = not _database_url


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


DEBUG = _flag("PHOIHOP_DEBUG", EMBEDDED)
PHOIHOP_DEMO = _flag("PHOIHOP_DEMO", EMBEDDED)

LOCAL = _flag("PHOIHOP_LOCAL", False)


def _local_secret_key() -> str:
    """A key generated on first use and kept under var/, readable by its owner only."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("PHOIHOP_SECRET_KEY", "")
if not SECRET_KEY:
    if LOCAL:
        SECRET_KEY = _local_secret_key()
    elif DEBUG:
        SECRET_KEY = "phoihop-development-key-not-for-production"  # noqa: S105
    else:
        raise RuntimeError("PHOIHOP_SECRET_KEY must be set when PHOIHOP_DEBUG is off")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PHOIHOP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "phoihop.core",
    "phoihop.accounts",
    "phoihop.audit",
    "phoihop.regulations",
    "phoihop.dossiers",
    "phoihop.subjects",
    "phoihop.reviews",
    "phoihop.awards",
    "phoihop.activities",
    "phoihop.bulletin",
    "phoihop.newsroom",
    "phoihop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "phoihop.core.middleware.RequestContextMiddleware",
    "phoihop.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "phoihop.accounts.middleware.SessionTimeoutMiddleware",
    "phoihop.accounts.middleware.TwoFactorMiddleware",
    # Turns the lockout flag set during sign-in into the lockout page; stays last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phoihop.urls"
WSGI_APPLICATION = "phoihop.wsgi.application"

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
            ],
        },
    }
]

if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "phoihop.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                # Python keeps this many prepared statements per connection (128 by
                # default). Matching and import build statements with long IN lists, each
                # different, so a full cache held some 60 MB: a few are enough.
                "cached_statements": 16,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Short queries over large tables: PostgreSQL's JIT compiles a plan for 15 ms to
        # save less (seen on person matching at a million persons). Off for this app.
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out username+address before any password is
# checked. The standalone variant signs no one in and restores no session, so
# every session belongs to AccountBackend and keeps its demo-mode check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "phoihop.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["phoihop.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The project's own stylesheet and script live outside any app.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
PHOIHOP_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

# Background work (imports, later reports and reminders): a queue in the database,
# worked by `phoihop worker` (and by the worker `phoihop serve` starts beside itself).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Person imports (subjects.imports): the largest file accepted, and its rows.
PHOIHOP_IMPORT_MAX_BYTES = 64 * 1024 * 1024
PHOIHOP_IMPORT_MAX_ROWS = int(os.environ.get("PHOIHOP_IMPORT_MAX_ROWS", "200000"))

# -- bulletin: keys of the signed bundles (public helper) --
# The back office signs what it publishes with a private Ed25519 key, made on first use;
# the public site checks bundles with the public half (`phoihop bulletin key` prints it).
# Unset: VAR_DIR/keys/bulletin-signing.pem and VAR_DIR/keys/bulletin-verify.pem.
PHOIHOP_BULLETIN_SIGNING_KEY = os.environ.get("PHOIHOP_BULLETIN_SIGNING_KEY") or None
PHOIHOP_BULLETIN_VERIFY_KEY = os.environ.get("PHOIHOP_BULLETIN_VERIFY_KEY") or None
# "office": the back office, serving the public bulletin too (embedded default);
# phoihop.settings_public sets "public".
PHOIHOP_SITE = "office"
# -- end bulletin keys --

PHOIHOP_TRUST_REQUEST_ID = _flag("PHOIHOP_TRUST_REQUEST_ID", False)
SESSION_COOKIE_AGE = 8 * 3600  # absolute: counted from sign-in, however active the session
PHOIHOP_IDLE_MINUTES = int(os.environ.get("PHOIHOP_IDLE_MINUTES", "30"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in lockout (django-axes): 5 failures for one username from one address
# lock that pair for 15 minutes; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "phoihop.accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429

# Two-factor authentication (django-otp, TOTP): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "phoihop"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "phoihop.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not LOCAL:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _flag("PHOIHOP_SSL_REDIRECT", True)
    # HSTS is sent (above), but the agencies' intranet host names cannot be on the
    # browsers' public preload list, so asking for it would be meaningless.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

EMAIL_BACKEND = os.environ.get(
    "PHOIHOP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "phoihop.accounts.api_auth.AccountTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "phoihop.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "phoihop.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "phoihop API",
    "DESCRIPTION": "API của hệ thống phối hợp: hồ sơ, đối tượng, quy chế, thống kê.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "phoihop.dossiers.choices.DossierStatus",
        "RegulationStatusEnum": "phoihop.regulations.choices.RegulationStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
