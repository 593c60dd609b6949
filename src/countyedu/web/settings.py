"""Django settings: every value from the environment, with defaults that work on a laptop.

COUNTYEDU_DATA      data dir (census DuckDB, uploads, the SQLite database) — default ./countyedu-data
DATABASE_URL        postgresql://user:pass@host:port/name for PostgreSQL (default: SQLite in the data dir)
SECRET_KEY          required when DEBUG is off
DEBUG               true for development (default false)
ALLOWED_HOSTS       comma-separated (default 127.0.0.1,localhost)
SECURE_SSL          true behind HTTPS: secure cookies, HSTS, SSL redirect (default: not DEBUG)
LOGIN_RATE          failed logins allowed per 15 minutes per user and address (default 5)
CONTENT_SECURITY_POLICY  the CSP header of every answer (default: the app itself only, web/security.py)
SQLITE_BUSY_TIMEOUT seconds a write to the SQLite database waits for another writer (default 30)
COUNTYEDU_UPLOAD_*  bounds on a school's uploaded file (census.limits; README "Limits")
COUNTYEDU_JOBS_SYNC 1 runs background jobs inline, in the request (tests; default: task worker processes)
JOB_POLL_SECONDS    how often an idle task worker looks for queued jobs (default 1)
JOB_HEARTBEAT_SECONDS how often a task worker says its jobs are alive (default 10)
JOB_STALE_SECONDS   a running job whose heartbeat is older is marked failed as lost (default 120)
JOB_NICE            CPU niceness of the task workers, so that pages go first (default 10)
JOB_QUEUE_KEEP_DAYS the queue's own rows of finished jobs are deleted this many days after they
                    finished (default 7; the Job rows the pages read are kept)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from countyedu.census.limits import UPLOAD, from_environ
from countyedu.census.store import data_dir_from
from countyedu.web.security import CSP


def envbool(name: str, default: bool) -> bool:
    v = os.environ.get(name)
    return default if v is None else v.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    v = os.environ.get(name)
    return default if v is None else int(v)


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir_from(None).resolve()
DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    SECRET_KEY = "countyedu-local-" + (DATA_DIR / ".secret").as_posix()  # replaced below when possible
    _secret_file = DATA_DIR / ".secret_key"
    if _secret_file.exists():
        SECRET_KEY = _secret_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _secret_file.write_text(SECRET_KEY)
            _secret_file.chmod(0o600)
        except OSError:
            pass
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "countyedu.web",
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
    "countyedu.web.security.headers_middleware",
]
ROOT_URLCONF = "countyedu.web.root_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "countyedu.web.context.membership",
                "countyedu.web.context.grave_hazards",
            ]
        },
    }
]
WSGI_APPLICATION = "countyedu.web.wsgi.application"


SQLITE_BUSY_TIMEOUT = envint("SQLITE_BUSY_TIMEOUT", 30)


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        # WAL: readers never wait for the writer; IMMEDIATE: a transaction takes the write lock when
        # it begins, so concurrent writers queue on the busy timeout instead of failing with
        # 'database is locked' when a read lock would have to be upgraded mid-transaction
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "web.sqlite3"),
            "OPTIONS": {
                "timeout": SQLITE_BUSY_TIMEOUT,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must be postgresql://…, not {u.scheme}://")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        "CONN_MAX_AGE": 60,
    }


DATABASES = {"default": _database()}
# background jobs (web/jobs.py): a queue in the database above, run by `countyedu worker` processes
JOBS_SYNC = envbool("COUNTYEDU_JOBS_SYNC", False)
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if JOBS_SYNC
        else "django_tasks_db.DatabaseBackend"
    }
}
JOB_POLL_SECONDS = float(os.environ.get("JOB_POLL_SECONDS", "1"))
JOB_HEARTBEAT_SECONDS = envint("JOB_HEARTBEAT_SECONDS", 10)
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 120)
JOB_NICE = envint("JOB_NICE", 10)
JOB_QUEUE_KEEP_DAYS = envint("JOB_QUEUE_KEEP_DAYS", 7)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [DATA_DIR / "locale"]  # compiled from countyedu/locale on start (web/i18n.py)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # collectstatic's target; WhiteNoise serves from the finders meanwhile
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "uploads")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
LOGIN_RATE = envint("LOGIN_RATE", 5)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SECURE_SSL = envbool("SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", CSP)
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["countyedu.web.uploads.BoundedUpload"]  # keeps at most UPLOAD_BYTES of a file
UPLOAD_LIMITS = from_environ(os.environ, "COUNTYEDU_UPLOAD", UPLOAD)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "countyedu.web.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# COMPONENT_SPLIT_REQUEST: request bodies get components of their own, so an upload is documented as
# binary (a client generated from the schema sends the file) and required text as non-empty.
SPECTACULAR_SETTINGS = {
    "TITLE": "countyedu API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # the schema is for users of the API
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"YearStateEnum": ["collecting", "closed"]},  # one name for the year states
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "countyedu.web.security.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["refusals"]}},  # a 403 is one line, without a traceback
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
