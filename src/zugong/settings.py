"""One settings module, driven by environment variables.

Variables:
- ``DATABASE_URL``: database (default: ``sqlite:///<cwd>/zugong.sqlite3``); PostgreSQL as
  ``postgres://user@host:5432/name``.
- ``ZUGONG_SECRET_KEY``: Django secret key (required when ``ZUGONG_DEBUG`` is off).
- ``ZUGONG_DEBUG``: ``1``/``true`` for development (default off).
- ``ZUGONG_FIELD_KEY``: 64 hex chars (32 bytes) — key material for SM4 field encryption and HMAC-SM3
  lookup hashes, or ``ZUGONG_FIELD_KEY_FILE`` naming a file holding them. Required in production.
- ``ZUGONG_ALLOWED_HOSTS``: comma-separated host names (default ``127.0.0.1,localhost``).
- ``ZUGONG_AUDIT_RETENTION_DAYS``: audit retention (≥180, default 180).
- ``ZUGONG_REQUIRE_OTP``: TOTP second factor for administrators and unmask/export holders (default on;
  off by default when ``ZUGONG_DEBUG`` or ``ZUGONG_TESTING`` is set, so demo accounts need no phone).
- ``ZUGONG_PASSWORD_MAX_AGE_DAYS`` (default 90, 0 = never), ``ZUGONG_REAUTH_SECONDS`` (default 300),
  ``ZUGONG_LOGIN_IP_MAX_FAILURES`` / ``ZUGONG_LOGIN_IP_WINDOW_MINUTES`` (default 20 per 15 minutes),
  ``ZUGONG_BACKUP_DIR`` (default ``<cwd>/var/backups``), ``ZUGONG_BREAK_GLASS_USERNAME`` (see core/checks.py).
- ``ZUGONG_ID_PROBE_DAILY_LIMIT``: ID numbers per user and day that may be answered "registered outside
  your scope" (default 20, ≥1; beyond it the user is throttled and the security administrator alerted;
  see people/oracle.py).
- ``ZUGONG_TRUSTED_PROXIES``: how many reverse proxies stand in front of the application (default 1 with
  ``ZUGONG_BEHIND_PROXY``, else 0); the client address is that many entries from the right of
  ``X-Forwarded-For``, never its leftmost (0 = ignore the header; see core/middleware.py ``client_ip``).
- ``ZUGONG_IMPORT_WORKERS``: processes that encrypt during large imports (default CPUs − 1, at most 4;
  ``0`` = encrypt in the importing process; see core/sealing.py).
- ``ZUGONG_PARSE_MEMORY_MB`` (default 1024) / ``ZUGONG_PARSE_SECONDS`` (default 120): memory (address
  space) and time limits of the child process that parses every uploaded spreadsheet (core/files.py,
  core/sandbox.py); a file that needs more is refused with a message naming the limit.
- ``ZUGONG_IMPORT_TMP_DIR``: private directory for uploads during an import (default: the system temporary
  directory + ``zugong-imports``); must be shared by every process serving the site (core/import_jobs.py).
- ``ZUGONG_INSTANCE_DIR``: this instance's identity and signing key for the 年报 packages sent to the upper
  level (default ``<cwd>/var/instance``; ``zugong instance init``; reports/package.py, docs/scale.md).
- ``ZUGONG_TRUSTED_INSTANCES``: file or directory of the public keys of the lower-level instances whose
  packages ``zugong stats aggregate`` accepts (default none: ``--trust`` must be given).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("ZUGONG_DEBUG")
TESTING = _flag("ZUGONG_TESTING")
# Development secret only when debugging or testing; production must configure one.
SECRET_KEY = os.environ.get("ZUGONG_SECRET_KEY") or (
    "zugong-insecure-development-key-do-not-use-in-production" if (DEBUG or TESTING) else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须设置 ZUGONG_SECRET_KEY 环境变量。")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ZUGONG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
if TESTING:  # Django's test client sends Host: testserver; nowhere else is it a real host
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "zugong.core",
    "zugong.accounts",
    "zugong.audit",
    "zugong.orgs",
    "zugong.people",
    "zugong.party",
    "zugong.life",
    "zugong.branches",
    "zugong.grading",
    "zugong.development",
    "zugong.cadres",
    "zugong.reports",
    "zugong.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zugong.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zugong.core.middleware.RequestIdMiddleware",
    "zugong.accounts.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zugong.core.error_pages.ChineseErrorPagesMiddleware",
]

ROOT_URLCONF = "zugong.urls"

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
                "zugong.core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "zugong.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / 'zugong.sqlite3'}",
        conn_max_age=int(os.environ.get("ZUGONG_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, creating the database file with mode 0600 (core/sqlite_backend).
    DATABASES["default"]["ENGINE"] = "zugong.core.sqlite_backend"
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE",
         "timeout": 30}
    )
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"].setdefault("NAME", None)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zugong.accounts.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zugong.accounts.passwords.HistoryValidator"},
    {"NAME": "zugong.accounts.passwords.PublishedPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # fast hashing in tests only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("ZUGONG_STATIC_ROOT", Path.cwd() / "var" / "static"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- sessions and cookies -------------------------------------------------------------------------
SESSION_COOKIE_AGE = 12 * 3600  # absolute lifetime 12 h
SESSION_IDLE_TIMEOUT = 30 * 60  # idle timeout 30 min (enforced by middleware)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and not TESTING and _flag("ZUGONG_HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 0 if (DEBUG or TESTING) else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE and _flag("ZUGONG_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _flag("ZUGONG_BEHIND_PROXY") else None
ZUGONG_TRUSTED_PROXIES = int(os.environ.get("ZUGONG_TRUSTED_PROXIES", "1" if _flag("ZUGONG_BEHIND_PROXY") else "0"))

# --- uploads ---------------------------------------------------------------------------------------
ZUGONG_MAX_UPLOAD_BYTES = int(os.environ.get("ZUGONG_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files hold personal data: owner-only (GB/T 22239-2019 8.1.4.8; core/filemodes.py).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- field encryption ------------------------------------------------------------------------------
ZUGONG_IMPORT_WORKERS = os.environ.get("ZUGONG_IMPORT_WORKERS") or None
ZUGONG_PARSE_MEMORY_MB = int(os.environ.get("ZUGONG_PARSE_MEMORY_MB", "1024"))  # parsing child: address space
ZUGONG_PARSE_SECONDS = int(os.environ.get("ZUGONG_PARSE_SECONDS", "120"))  # parsing child: wall-clock limit
ZUGONG_IMPORT_TMP_DIR = os.environ.get("ZUGONG_IMPORT_TMP_DIR", "")  # uploads during imports (core/import_jobs.py)
ZUGONG_FIELD_KEY = os.environ.get("ZUGONG_FIELD_KEY", "")
ZUGONG_FIELD_KEY_FILE = os.environ.get("ZUGONG_FIELD_KEY_FILE", "")
if not ZUGONG_FIELD_KEY and ZUGONG_FIELD_KEY_FILE:
    ZUGONG_FIELD_KEY = Path(ZUGONG_FIELD_KEY_FILE).read_text(encoding="ascii").strip()
if not ZUGONG_FIELD_KEY:
    if DEBUG or TESTING:
        # Development-only key: fixed so demo databases stay readable between runs. Never for production.
        ZUGONG_FIELD_KEY = "00112233445566778899aabbccddeeff" * 2
    else:
        raise ImproperlyConfigured("生产环境必须设置 ZUGONG_FIELD_KEY 或 ZUGONG_FIELD_KEY_FILE（字段加密密钥）。")

ZUGONG_AUDIT_RETENTION_DAYS = int(os.environ.get("ZUGONG_AUDIT_RETENTION_DAYS", "180"))
if ZUGONG_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("审计日志保存期限不得少于 180 天（ZUGONG_AUDIT_RETENTION_DAYS）。")

# --- authentication (GB/T 22239-2019 8.1.4.1 身份鉴别; see accounts/passwords.py, accounts/middleware.py) ---
# TOTP second factor for the three administrator roles and for anyone holding unmask/export rights.
# On by default in production; off by default for the demo/development (ZUGONG_DEBUG=1) and the test
# suite (the OTP tests switch it on), so demo accounts can log in without a phone.
ZUGONG_REQUIRE_OTP = _flag("ZUGONG_REQUIRE_OTP", not (DEBUG or TESTING))
ZUGONG_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZUGONG_PASSWORD_MAX_AGE_DAYS", "90"))  # 0 = no expiry
ZUGONG_REAUTH_SECONDS = int(os.environ.get("ZUGONG_REAUTH_SECONDS", "300"))  # re-auth before unmask/export/grants
ZUGONG_LOGIN_IP_MAX_FAILURES = int(os.environ.get("ZUGONG_LOGIN_IP_MAX_FAILURES", "20"))  # per IP and window
ZUGONG_LOGIN_IP_WINDOW_MINUTES = int(os.environ.get("ZUGONG_LOGIN_IP_WINDOW_MINUTES", "15"))
ZUGONG_ID_PROBE_DAILY_LIMIT = int(os.environ.get("ZUGONG_ID_PROBE_DAILY_LIMIT", "20"))  # people/oracle.py
if ZUGONG_ID_PROBE_DAILY_LIMIT < 1:
    raise ImproperlyConfigured("ZUGONG_ID_PROBE_DAILY_LIMIT 不得小于 1（每人每日公民身份号码查询上限）。")
ZUGONG_BACKUP_DIR = Path(os.environ.get("ZUGONG_BACKUP_DIR", Path.cwd() / "var" / "backups"))
# 年报 packages (reports/package.py): the signing key of this instance, the keys of trusted lower levels
ZUGONG_INSTANCE_DIR = Path(os.environ.get("ZUGONG_INSTANCE_DIR", Path.cwd() / "var" / "instance"))
ZUGONG_TRUSTED_INSTANCES = os.environ.get("ZUGONG_TRUSTED_INSTANCES", "")
OTP_TOTP_ISSUER = "组工"
# security.W021 (HSTS preload list) does not apply to government intranet host names.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- REST API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "zugong.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zugong 组工 API",
    "DESCRIPTION": "组织人事管理系统接口。所有数据按当前用户的数据范围过滤。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZUGONG_LOG_LEVEL", "WARNING")},
}
