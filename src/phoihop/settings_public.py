"""Settings of the public deployment: the bulletin alone, facing the Internet.

`phoihop ... --site public` selects this module. It holds no back-office app, model,
route or account: only published articles, their images and readers' comments,
in a database of its own. Articles arrive as signed bundles (checked with the
verify key only; this site cannot sign) pushed to /tin-tuc/nhan-goi-tin/ or
imported with `phoihop bulletin import FILE --site public`.

Environment variables (read here and nowhere else):
  PHOIHOP_DEBUG                "1" for development (default "1" with the embedded database)
  PHOIHOP_SECRET_KEY           required when not in debug mode (except in local mode)
  PHOIHOP_LOCAL                "1": plain HTTP on this machine, a secret key made under var/
  PHOIHOP_VAR_DIR              data directory (default ./var); this site uses VAR_DIR/public/
  PHOIHOP_ALLOWED_HOSTS        comma-separated host names
  PHOIHOP_PUBLIC_DATABASE_URL  e.g. postgres://user@host:5432/bulletin; SQLite when unset
  PHOIHOP_BULLETIN_VERIFY_KEY  the verify key (default VAR_DIR/keys/bulletin-verify.pem)
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PHOIHOP_VAR_DIR", Path.cwd() / "var")).resolve()
PUBLIC_DIR = VAR_DIR / "public"

PHOIHOP_SITE = "public"

_database_url = os.environ.get("PHOIHOP_PUBLIC_DATABASE_URL", "")
EMBEDDED = not _database_url


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


DEBUG = _flag("PHOIHOP_DEBUG", EMBEDDED)
LOCAL = _flag("PHOIHOP_LOCAL", False)


def _local_secret_key() -> str:
    """A key of this site's own, generated on first use, readable by its owner only."""
    path = PUBLIC_DIR / "secret_key"
    if not path.exists():
        import secrets

        PUBLIC_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("PHOIHOP_SECRET_KEY", "")
if not SECRET_KEY:
    if LOCAL:
        SECRET_KEY = _local_secret_key()
    elif DEBUG:
        SECRET_KEY = "phoihop-public-development-key-not-for-production"  # noqa: S105
    else:
        raise RuntimeError("PHOIHOP_SECRET_KEY must be set when PHOIHOP_DEBUG is off")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PHOIHOP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "phoihop.bulletin",
]

# The back office's security headers (phoihop.core.middleware reads no model).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "phoihop.core.middleware.RequestContextMiddleware",
    "phoihop.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "phoihop.public_urls"
WSGI_APPLICATION = "phoihop.wsgi_public.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The app's own templates only: the back office's are not this site's.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

if EMBEDDED:
    PUBLIC_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": PUBLIC_DIR / "bulletin.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Moderators' passwords (bulletin.moderation; this site has no user model).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["phoihop.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = PUBLIC_DIR / "static"
MEDIA_ROOT = PUBLIC_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Signed bundles: the public half of the back office's key, nothing to sign with.
PHOIHOP_BULLETIN_VERIFY_KEY = os.environ.get("PHOIHOP_BULLETIN_VERIFY_KEY") or None
PHOIHOP_BULLETIN_SIGNING_KEY = None

SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "phoihop.bulletin.views.csrf_failure"
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

EMAIL_BACKEND = os.environ.get(
    "PHOIHOP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"phoihop.bulletin": {"level": "INFO"}},
}
