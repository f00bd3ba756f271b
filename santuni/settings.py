"""Santuni settings: one file, read from the environment; defaults give a local SQLite system."""

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("SANTUNI_VAR_DIR", PROJECT_DIR / "var"))

# Files and folders a Santuni process makes are its owner's only (0600, 0700): the database
# and its -wal and -shm files, attachments, booklets, backups and exports hold personal data
# or lead to it. A umask, set here, is the one root for all of them: every Santuni process
# (gunicorn through wsgi.py, each manage.py command, the worker, the tests) reads the settings
# before it writes a file, and it also covers what libraries create without asking for a mode
# (SQLite's files, zip archives, WeasyPrint). A stricter umask already set is kept.
os.umask(os.umask(0o077) | 0o077)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
# Under pytest the test speed-ups below apply without any variable to remember.
TESTING = env_bool("SANTUNI_TESTING") or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise RuntimeError(
            "Set SECRET_KEY (or DEBUG=1 for a local development server). In a checkout, "
            "`make run` makes var/secret_key once, and manage.py reads it from there."
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "santuni.accounts.apps.SantuniAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "santuni.geo",
    "santuni.audit",
    "santuni.directory",
    "santuni.api",
    "santuni.search",
    "santuni.accounts",
    "santuni.cases",
    "santuni.aid",
    "santuni.reports",
    "santuni.training",
    "santuni.listings",
    "santuni.pages",
    "santuni.demo",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "santuni.lib.security.PublicApiCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "santuni.accounts.access.HomePlaceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "santuni.lib.security.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the sign-in view's failed attempts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "santuni.urls"
WSGI_APPLICATION = "santuni.wsgi.application"

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
                "santuni.lib.context_processors.site",
                "santuni.accounts.access.membership_context",
                "santuni.cases.context_processors.unread_notifications",
            ],
            "builtins": [
                "django.templatetags.static",
                "django.templatetags.i18n",
                "santuni.lib.templatetags",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://...) in production; a WAL-mode SQLite file by default.
_sqlite_path = VAR_DIR / "santuni.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_sqlite_path}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids
        # "database is locked" upgrades from read to write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: sign-in by email (the username is the email in lower case), argon2 hashes.
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "santuni.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:sign_in"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after SESSION_IDLE_MINUTES without a request (each request renews them).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True

# Lock-out (django-axes): 5 wrong passwords for one account from one address lock that pair
# for 30 minutes; resetting the password by email lifts it at once. Counting per address too
# means nobody can keep an officer out by typing wrong passwords from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "santuni.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# The failures are kept in the database; log lines would carry the email addresses.
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "santuni.lib.security.client_ip"
OTP_TOTP_ISSUER = "Santuni"
# The admin never shows a second factor's secret (TOTP key and QR code, recovery codes):
# whoever read it could sign in as that user. A lost phone is handled by deleting the device.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Email: SMTP when EMAIL_HOST is set, else printed on the console (development).
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Santuni <noreply@santuni.invalid>")

# Language: Malay first, English one tap away.
LANGUAGE_CODE = "ms"
LANGUAGES = [("ms", _("Bahasa Melayu")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Kuala_Lumpur"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Django's storage sets these modes itself (0644 and the umask's by default): its owner's only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Security headers; HTTPS-only settings switch on with SECURE_SSL=1 behind TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if env_bool("SECURE_SSL"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Cache (rate limits of the API and of emails): Redis shared by all app servers in production,
# memory otherwise.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

# The public HSDS API: requests per client (IP address) and period (s, m, h or d).
SANTUNI_API_RATE = os.environ.get("SANTUNI_API_RATE", "300/m")
# Emails anyone can ask for, as a count per period (s, m, h or d): password-reset links per
# address typed (whether it has an account or not) and per client address; invitations per
# inviter and per invited address (sending one again counts too).
SANTUNI_RESET_RATE = os.environ.get("SANTUNI_RESET_RATE", "3/h")
SANTUNI_RESET_CLIENT_RATE = os.environ.get("SANTUNI_RESET_CLIENT_RATE", "10/h")
SANTUNI_INVITE_RATE = os.environ.get("SANTUNI_INVITE_RATE", "30/h")
SANTUNI_INVITE_EMAIL_RATE = os.environ.get("SANTUNI_INVITE_EMAIL_RATE", "5/d")
# Load balancers in front of the app: how many X-Forwarded-For entries to trust.
NINJA_NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

# Secrets in addresses (invitation and password-reset links) are written as [secret]: on the
# console, and by runserver's, Django's and gunicorn's loggers, which santuni.lib.logs adds to.
LOGGING_CONFIG = "santuni.lib.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_secrets": {"()": "santuni.lib.logs.HideSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes reports every sign-in at INFO; failures are in its tables anyway.
    # WeasyPrint logs every page it lays out at INFO; the booklet reads those for its progress.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# Background work (the printed booklet): a table in the same database, run by
# `manage.py db_worker` (started by `make run`); tests run each task at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class SantuniSettings(TypedDict):
    """What each key of SANTUNI holds, for the type checker."""

    BASE_URL: str
    PAGE_SIZE: int
    EMERGENCY: dict[str, str]
    INVITATION_DAYS: int
    REAUTH_SECONDS: int
    AUDIT_KEY: str
    AUDIT_CHECKPOINT: str
    VERIFY_EVERY_DAYS: int
    FIELD_KEYS: list[str]
    HASH_KEY: str
    CASE_RETENTION_DAYS: int
    ATTACHMENT_MAX_BYTES: int
    MESSAGE_BACKEND: str


SANTUNI: SantuniSettings = {
    # Public base URL, used where a link must be absolute (QR codes, exports).
    "BASE_URL": os.environ.get("SANTUNI_BASE_URL", "http://127.0.0.1:8000"),
    "PAGE_SIZE": 20,
    # The emergency strip on every page (national numbers, DOMAIN.md); the printed booklet's
    # hotlines page adds the Women's Aid Organisation, its TINA WhatsApp line and JKM's HQ.
    "EMERGENCY": {
        "police": "999",
        "talian_kasih": "15999",
        "whatsapp": "+60192615999",
        "wao": "+60330008858",
        "tina_whatsapp": "+60189888058",
        "jkm_hq": "+60380008000",
    },
    # Invitation links work this many days, once.
    "INVITATION_DAYS": 7,
    # Dangerous actions (roles, exports of personal data) ask for the password again after.
    "REAUTH_SECONDS": 10 * 60,
    # The audit trail's HMAC key; it must never change once rows exist (default: SECRET_KEY,
    # which `check --deploy` warns about).
    "AUDIT_KEY": os.environ.get("AUDIT_KEY", ""),
    # The audit trail's last signed checkpoint, kept apart from the database: rows cut from
    # the end of the trail are found against it (`backup` and `verify_audit_chain` write it).
    "AUDIT_CHECKPOINT": os.environ.get("AUDIT_CHECKPOINT", str(VAR_DIR / "audit-checkpoint.json")),
    # A listing not verified by a district officer for this long is due a check.
    "VERIFY_EVERY_DAYS": 365,
    # Fernet keys for personal fields (MyKad, OKU card), comma-separated, newest first: add a
    # new key in front, run `manage.py rotate_field_keys`, then drop the old one.
    "FIELD_KEYS": [
        k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()
    ],
    # The key of the MyKad hash that finds possible duplicate clients; it must never change.
    "HASH_KEY": os.environ.get("PERSONAL_HASH_KEY", ""),
    # Closed cases' clients are anonymised this many days after the last case closed.
    "CASE_RETENTION_DAYS": int(os.environ.get("CASE_RETENTION_DAYS", str(7 * 365))),
    # Attachments to a case: at most this many bytes, of these types.
    "ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
    # Text messages (SMS/WhatsApp) about referrals: a class with send(user, text).
    "MESSAGE_BACKEND": os.environ.get("MESSAGE_BACKEND", "santuni.cases.messaging.ConsoleBackend"),
}

if TESTING:
    # Test speed-ups live here and nowhere else.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tests make hundreds of API calls from one address; the throttle test sets its own rate.
    SANTUNI_API_RATE = "100000/m"
    # So with emails: the tests of their limits set their own.
    SANTUNI_RESET_RATE = SANTUNI_RESET_CLIENT_RATE = "100000/h"
    SANTUNI_INVITE_RATE = SANTUNI_INVITE_EMAIL_RATE = "100000/h"
