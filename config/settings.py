"""Paneel settings, read from the environment.

Development defaults are safe to run on a laptop; `DJANGO_ENV=production` refuses to start while a secret key,
an encryption key or a shared cache (Redis) is missing, so an insecure default can never reach production.
"""

import base64
import binascii
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    return default if not value else value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:port/name` or `sqlite:///path` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path)) if parts.path not in {"", "/"} else BASE_DIR / "db.sqlite3")
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (postgres or sqlite).")


def sqlite_database(path: Path) -> dict:
    # WAL lets the worker write while the web process reads; IMMEDIATE makes a write transaction take the
    # write lock up front, so two writers wait for each other instead of failing with "database is locked".
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


ENVIRONMENT = env("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

SECRET_KEY = env("SECRET_KEY")
PANEEL_ENCRYPTION_KEY = env("PANEEL_ENCRYPTION_KEY")
REDIS_URL = env("REDIS_URL")

if PRODUCTION:
    missing = [
        name
        for name, value in (
            ("SECRET_KEY", SECRET_KEY),
            ("PANEEL_ENCRYPTION_KEY", PANEEL_ENCRYPTION_KEY),
            ("REDIS_URL", REDIS_URL),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"DJANGO_ENV=production refuses to start without: {', '.join(missing)}.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")
else:
    # Development only: fixed keys so a restart keeps sessions and stored API-key secrets readable.
    SECRET_KEY = SECRET_KEY or "dev-insecure-0b6f5c1e9d4a4f7c8e2d1a3b5c7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6"
    PANEEL_ENCRYPTION_KEY = PANEEL_ENCRYPTION_KEY or "ZGV2LWluc2VjdXJlLWtleS1mb3ItcGFuZWVsLTAwMDA="

# Keys that only decrypt (comma-separated): the previous key while `manage.py rotate_encryption_key` re-encrypts.
PANEEL_ENCRYPTION_OLD_KEYS = env_list("PANEEL_ENCRYPTION_OLD_KEYS")
# A key that is not a Fernet key would start fine and then fail every signed request: refuse it up front.
for _name, _key in [("PANEEL_ENCRYPTION_KEY", PANEEL_ENCRYPTION_KEY)] + [
    ("PANEEL_ENCRYPTION_OLD_KEYS", old) for old in PANEEL_ENCRYPTION_OLD_KEYS
]:
    try:
        _raw = base64.urlsafe_b64decode(_key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        _raw = b""
    if len(_raw) != 32:
        raise ImproperlyConfigured(
            f"{_name} must hold Fernet keys (32 bytes, URL-safe Base64): generate one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our own static files (no CDN)
    "django_ratelimit",
    "apps.core",
    "apps.resellers",
    "apps.servers",
    "apps.servicepacks",
    "apps.accounts",
    "apps.assets",
    "apps.listcounts",  # trigger-kept counts of the big lists (issue 11)
    "apps.provisioning",
    "apps.mail",
    "apps.apikeys",
    "apps.ipwhitelist",
    "apps.events",
    "apps.dns",
    "apps.certificates",
    "apps.domains",
    "apps.api",
    "apps.twofactor",
    "apps.panel",  # the panel's shell: the top floor, nothing imports it
    # After apps.provisioning, whose `db_worker` (with the stale-job sweep) must win over the stock one.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "apps.core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.api.signed_responses.JwtResponseMiddleware",  # outside the problem middleware: errors are signed too
    "apps.api.problems.ApiProblemMiddleware",
    "apps.twofactor.middleware.StaffTwoFactorMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(Path(env("PANEEL_SQLITE_PATH")) if env("PANEEL_SQLITE_PATH") else BASE_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Valid only for one process (the development server): rate limits and nonces must be shared.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "paneel"}}

SILENCED_SYSTEM_CHECKS = [
    # Django's RedisCache increments atomically (INCR), which is what django-ratelimit's W001 doubts.
    "django_ratelimit.W001",
]
if not PRODUCTION:
    # E003 rejects the local-memory cache; development runs one web process, so counts stay correct.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Development serves from the finders (whitenoise); collectstatic is for production.
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "paneel@localhost")
# Two-factor sign-in (apps/twofactor): staff must use it in the panel and in admin when this is on.
PANEEL_STAFF_REQUIRE_TWO_FACTOR = env_bool("PANEEL_STAFF_REQUIRE_TWO_FACTOR")

# Security: strict in production, `check --deploy` clean.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PANEEL_BEHIND_TLS_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Background jobs: django-tasks with the database backend; `manage.py db_worker` runs them.
TASKS = {
    "default": {
        "BACKEND": env("PANEEL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        # Any queue: each server's jobs go to the queue named after it (DESIGN 8), `default` without servers.
        "QUEUES": [],
    }
}

# Provisioning drivers (DESIGN 6.3): local artefacts unless a MySQL server is configured.
PANEEL_PROVISIONING_ROOT = Path(env("PANEEL_PROVISIONING_ROOT", str(BASE_DIR / "var" / "provisioning")))
PANEEL_MYSQL_URL = env("PANEEL_MYSQL_URL")
PANEEL_MYSQL_HOSTNAME = env("PANEEL_MYSQL_HOSTNAME", "127.0.0.1")
# Connection details shown to customers and in the welcome e-mail (apps/assets/connection.py); an empty host
# means the account's own domain (mail.<domain> for mail).
PANEEL_MYSQL_PORT = int(env("PANEEL_MYSQL_PORT", "3306"))
PANEEL_FTP_HOSTNAME = env("PANEEL_FTP_HOSTNAME")
PANEEL_FTP_PORT = int(env("PANEEL_FTP_PORT", "21"))
PANEEL_SSH_HOSTNAME = env("PANEEL_SSH_HOSTNAME")
PANEEL_SSH_PORT = int(env("PANEEL_SSH_PORT", "22"))
PANEEL_MAIL_HOSTNAME = env("PANEEL_MAIL_HOSTNAME")
PANEEL_DRIVERS = {
    "linux_hosting": env("PANEEL_DRIVER_LINUX_HOSTING", "apps.provisioning.drivers.local.LinuxHostingDriver"),
    "mailbox": env("PANEEL_DRIVER_MAILBOX", "apps.provisioning.drivers.mail.LocalMailboxDriver"),
    "mail_zone": env("PANEEL_DRIVER_MAIL_ZONE", "apps.provisioning.drivers.mail.MailZoneDriver"),
    "mysql": env(
        "PANEEL_DRIVER_MYSQL",
        "apps.provisioning.drivers.mysql.MySQLDriver"
        if PANEEL_MYSQL_URL
        else "apps.provisioning.drivers.local.LocalMySQLDriver",
    ),
}
# A job whose worker stopped renewing its lease this long ago is taken over by another worker.
# DNS (apps.dns): the name servers of zones on no DNS server, and another zone driver class if wanted.
PANEEL_DNS_NAMESERVERS = env_list("PANEEL_DNS_NAMESERVERS") or ["ns1.paneel.test", "ns2.paneel.test"]
PANEEL_DRIVER_DNS = env("PANEEL_DRIVER_DNS", "")
# SSL certificates over ACME (apps.certificates): the CA's directory, a CA bundle for its own TLS (e.g. Pebble's),
# the contact address of Paneel's ACME account, and how many days before expiry certificates are renewed.
PANEEL_ACME_DIRECTORY = env("PANEEL_ACME_DIRECTORY", "https://acme-v02.api.letsencrypt.org/directory")
PANEEL_ACME_CA_BUNDLE = env("PANEEL_ACME_CA_BUNDLE", "")
PANEEL_ACME_EMAIL = env("PANEEL_ACME_EMAIL", "")
PANEEL_SSL_RENEW_DAYS = int(env("PANEEL_SSL_RENEW_DAYS", "30"))
# Domains (apps.domains): the registrar driver (the operator-fulfilled one by default; an EPP driver goes here).
PANEEL_REGISTRAR_DRIVER = env("PANEEL_REGISTRAR_DRIVER", "apps.domains.registrars.OperatorRegistrar")
# A domain that will renew gets its renewal ordered from the registrar this many days before it expires.
PANEEL_DOMAIN_RENEW_DAYS = int(env("PANEEL_DOMAIN_RENEW_DAYS", "30"))
PANEEL_JOB_LEASE_SECONDS = int(env("PANEEL_JOB_LEASE_SECONDS", "120"))
# Workers measure each asset's real size (driver `usage`) when its last measurement is older than this.
PANEEL_USAGE_INTERVAL_SECONDS = int(env("PANEEL_USAGE_INTERVAL_SECONDS", "3600"))

# Events and webhooks (apps/events): delivery retries back off from the base (doubling, at most 6 h) for this long.
PANEEL_WEBHOOK_RETRY_BASE_SECONDS = float(env("PANEEL_WEBHOOK_RETRY_BASE_SECONDS", "30"))
PANEEL_WEBHOOK_RETRY_FOR_SECONDS = int(env("PANEEL_WEBHOOK_RETRY_FOR_SECONDS", str(24 * 3600)))
PANEEL_WEBHOOK_TIMEOUT_SECONDS = float(env("PANEEL_WEBHOOK_TIMEOUT_SECONDS", "5"))
# Webhook URLs may not reach loopback, private, link-local or metadata addresses; on-premise set-ups may allow
# private ranges, or name networks allowed whatever their range (metadata addresses stay refused).
PANEEL_WEBHOOK_ALLOW_PRIVATE = env_bool("PANEEL_WEBHOOK_ALLOW_PRIVATE")
PANEEL_WEBHOOK_ALLOWED_NETWORKS = env_list("PANEEL_WEBHOOK_ALLOWED_NETWORKS")
# Off: webhooks reach only PANEEL_WEBHOOK_ALLOWED_NETWORKS (an egress allowlist; the test settings use it).
PANEEL_WEBHOOK_ALLOW_PUBLIC = env_bool("PANEEL_WEBHOOK_ALLOW_PUBLIC", default=True)

# `?jwt=1` answers are signed ES256 with this EC P-256 key (PEM text or a file); without one it is derived from
# SECRET_KEY, so all processes of an installation share it.
PANEEL_JWT_PRIVATE_KEY = env("PANEEL_JWT_PRIVATE_KEY")
PANEEL_JWT_PRIVATE_KEY_FILE = env("PANEEL_JWT_PRIVATE_KEY_FILE")

# SHA-512-crypt rounds of the FTP and mailbox password hashes (5000 is crypt(3)'s default; more is slower to guess).
PANEEL_CRYPT_ROUNDS = int(env("PANEEL_CRYPT_ROUNDS", "5000"))

# API v2
PANEEL_TRUSTED_PROXIES = env_list("PANEEL_TRUSTED_PROXIES")
PANEEL_RATELIMIT_READ_PER_MINUTE = int(env("PANEEL_RATELIMIT_READ_PER_MINUTE", "600"))
PANEEL_RATELIMIT_WRITE_PER_MINUTE = int(env("PANEEL_RATELIMIT_WRITE_PER_MINUTE", "120"))
PANEEL_RATELIMIT_IP_READ_PER_MINUTE = int(env("PANEEL_RATELIMIT_IP_READ_PER_MINUTE", "1200"))
PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE = int(env("PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE", "240"))
# Failed authentication attempts (HMAC, bearer tokens, /o/token/) per client IP a minute; past it, 429.
PANEEL_RATELIMIT_FAILED_AUTH_PER_MINUTE = int(env("PANEEL_RATELIMIT_FAILED_AUTH_PER_MINUTE", "30"))
PANEEL_HMAC_WINDOW_SECONDS = 300
# How long a web process may keep an API key's rows between requests (apps.api.keyrows; 0: never). Every change
# made through Django is seen from the next request anyway; this bounds only changes made around it (raw SQL).
PANEEL_API_KEY_ROWS_SECONDS = int(env("PANEEL_API_KEY_ROWS_SECONDS", "60"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.HmacAuthentication",
        "apps.api.authentication.BearerAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "apps.api.ordering.StableOrdering",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.api.paging.SkipTakePagination",
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.PaneelAutoSchema",
    "EXCEPTION_HANDLER": "apps.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Paneel API v2",
    "DESCRIPTION": "Hosting reseller API, wire-compatible with the reference reseller API v2 for the routes it offers.",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/v2",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.postprocess_document",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ResourceStatusEnum": "apps.accounts.models.Status",
        "JobStatusEnum": "apps.provisioning.models.JobStatus",
        "ProvisioningJobStatusEnum": "apps.provisioning.api.PROVISIONING_JOB_STATUS",
        "AssetTypeEnum": "apps.servicepacks.models.AssetType",
        "LevelEnum": "apps.core.principal.Level",
        "ViaEnum": "apps.core.principal.Via",
        "ErrorCodeEnum": "apps.api.errors.ERROR_CODES",
        "AntiSpamTypesEnum": "apps.mail.models.ANTI_SPAM_TYPES",
    },
}

# OAuth2 provider (DESIGN 6.1): tighter than the toolkit's defaults.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read the reseller's data",
        "write": "Create and change accounts and assets",
        "full": "Manage API access and members",
    },
    "DEFAULT_SCOPES": ["read"],
    # An application is granted scopes up to its own level cap only (apps/apikeys/oauth_scopes.py).
    "SCOPES_BACKEND_CLASS": "apps.apikeys.oauth_scopes.ApplicationLevelScopes",
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["https", "http"],
    "ALLOW_URI_WILDCARDS": False,
    # RFC 9700 (OAuth 2.0 Security BCP): enforce every recommendation the toolkit can enforce: no implicit or
    # password grants, S256 PKCE only, tokens only in the Authorization header, `iss` in authorization responses,
    # tokens stored hashed, and deploy checks that fail on a weaker configuration.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": PRODUCTION,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
