"""Django settings. Everything configurable comes from the environment (fiera.config)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from fiera import config as fiera_config

CONFIG = fiera_config.load()
BASE_DIR = fiera_config.BASE_DIR
VAR_DIR = fiera_config.VAR_DIR

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
if CONFIG.https:
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
else:
    CSRF_TRUSTED_ORIGINS = [f"http://{h}" for h in ALLOWED_HOSTS] + [
        f"http://{h}:8000" for h in ALLOWED_HOSTS
    ]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # django-ninja's templates and static files: /api/v1/docs serves Swagger UI from the
    # package instead of a CDN (it works offline and under the CSP).
    "ninja",
    "axes",
    "fiera.common",
    "fiera.accounts",
    "fiera.marketplaces",
    "fiera.merchants",
    "fiera.ledger",
    "fiera.catalog",
    "fiera.payments",
    "fiera.partners",
    "fiera.festivals",
    "fiera.orders",
    "fiera.trade",
    "fiera.academy",
    # --- core (analytics) ---
    "fiera.analytics",
    "fiera.web",
]

MIDDLEWARE = [
    # One line per request (method, path, status, ms); see LOGGING.
    "fiera.common.requestlog.RequestLogMiddleware",
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
    # Last: turns a sign-in locked by too many wrong passwords into a 429 (fiera.web.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fiera.urls"
WSGI_APPLICATION = "fiera.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # fiera.web's templates first, so its admin/base_site.html (the product's name and
        # favicon in the admin) wins over django.contrib.admin's, which is listed earlier.
        "DIRS": [Path(__file__).resolve().parent / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fiera.web.context_processors.shell",
            ],
        },
    }
]


def _database(url: str) -> dict[str, Any]:
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=600))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
        # BEGIN, so two writers queue instead of failing with "database is locked" midway.
        db["CONN_MAX_AGE"] = 0 if url.endswith(":memory:") else 600
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # The test database sits beside the real one ("test-<name>"), so two checkouts or
        # two DATABASE_URLs never share a test database.
        name = Path(db["NAME"])
        db["TEST"] = {"NAME": str(name.with_name(f"test-{name.name}"))}
    else:
        # Persistent connections are checked (one `SELECT 1` round trip) before a request's
        # first query, so one the server dropped (restart, failover, idle timeout) is
        # replaced instead of failing that request with a 500. Measured on bench/checkout.py:
        # about 0.1 ms of CPU per request, within the run-to-run noise of orders/s (at most
        # ~5-8% on the 1-line checkout): kept.
        db["CONN_HEALTH_CHECKS"] = True
    if db["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, grouping aggregates by every selected column: the tenant tables'
        # primary keys are composite (fiera.common.postgresql.base).
        db["ENGINE"] = "fiera.common.postgresql"
    return db


DATABASES = {"default": _database(CONFIG.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("it", _("Italiano")),
    ("en", _("English")),
    ("zh-hans", _("中文")),
    ("es", _("Español")),
]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Whitenoise serves app static files straight from the apps (finders), so no collectstatic
# step is needed; it still wants STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded images (product pictures, store logos). Code only uses Django's storage API
# (default_storage, the ImageField), so production can point "default" at S3-compatible
# storage (django-storages, the `s3` extra; see the README) without a code change. With the
# filesystem storage Fiera serves /media/ itself (fiera.web.media), also with DEBUG off.
MEDIA_ROOT = CONFIG.media_root
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if CONFIG.media_storage == "s3":
    # Credentials come from the environment boto3 reads (AWS_ACCESS_KEY_ID,
    # AWS_SECRET_ACCESS_KEY) or the machine's role; never from settings.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CONFIG.s3_bucket,
            "endpoint_url": CONFIG.s3_endpoint_url or None,
            "region_name": CONFIG.s3_region or None,
            "custom_domain": CONFIG.s3_public_url.split("://", 1)[-1] or None,
            "url_protocol": CONFIG.s3_public_url.split("://", 1)[0] + ":"
            if CONFIG.s3_public_url
            else "https:",
            "querystring_auth": not CONFIG.s3_public_url,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
# Uploaded files stream to a temporary file above 2.5 MB and do not count against
# DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB for the rest of a body); fiera.common.images
# reads at most 10 MB of a picture. In production the proxy caps request bodies (e.g.
# nginx client_max_body_size 12m).
FILE_UPLOAD_PERMISSIONS = 0o644

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS deployments (FIERA_HTTPS=true): every request redirected to https, HSTS, cookies only
# over TLS. Behind a proxy that terminates TLS, FIERA_PROXY_SSL_HEADER names the header it sets
# to "https" (only trust it when the proxy overwrites that header on every request).
if CONFIG.proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + CONFIG.proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
if CONFIG.https:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = CONFIG.hsts_preload
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The health check answers plain HTTP too, for load balancers probing the backend.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


def _media_origins() -> list[str]:
    """The origin browsers load images from when they are not on this host (S3 storage)."""
    if CONFIG.media_storage != "s3":
        return []
    url = CONFIG.s3_public_url or CONFIG.s3_endpoint_url or "https://*.amazonaws.com"
    scheme, _sep, rest = url.partition("://")
    return [f"{scheme}://{rest.split('/', 1)[0]}"]


# Content-Security-Policy (django-csp 4): everything from this host, nothing inline; pages
# keep their scripts in static files (web/fiera.js) and their styles in fiera.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Images come from this host (/media/ with the filesystem storage) or, with S3
        # storage, from the bucket's address.
        "img-src": ["'self'", "data:", *_media_origins()],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in lockout (django-axes): after FIERA_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked for FIERA_LOGIN_COOLOFF_MINUTES, on the
# sign-in page and on POST /api/v1/auth/tokens alike (both answer 429 with Retry-After).
AUTHENTICATION_BACKENDS = [
    "fiera.accounts.backends.LoginAttemptBackend",
    # Django's ModelBackend, also taking the account's email address as its user name.
    "fiera.accounts.backends.UsernameOrEmailBackend",
]
AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.login_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "fiera.web.lockout.lockout_response"
# Lock by the same client address the throttles use (NINJA_NUM_PROXIES below), not REMOTE_ADDR:
# behind a proxy that would be the proxy, shared by every client.
AXES_CLIENT_IP_CALLABLE = "fiera.web.lockout.client_address"
AXES_VERBOSE = False
# POST /api/v1/auth/tokens per client address (django-ninja throttle), e.g. "10/m".
FIERA_API_TOKEN_RATE = CONFIG.api_token_rate
# The client address the throttles count by: REMOTE_ADDR, or behind a proxy (FIERA_PROXY_SSL_HEADER
# set) the address that proxy appended to X-Forwarded-For; a client's own X-Forwarded-For is
# never trusted.
NINJA_NUM_PROXIES = 1 if CONFIG.proxy_ssl_header else 0
# Sign-in form posts per client address, whatever the username (spraying many usernames).
FIERA_LOGIN_RATE = CONFIG.login_rate
# trade: open inquiries a buyer may start per rolling day (more answers 429)
FIERA_TRADE_INQUIRIES_PER_DAY = CONFIG.trade_inquiries_per_day
# trade assurance: days after delivery when an undisputed escrowed payment is released
FIERA_TRADE_ASSURANCE_RELEASE_DAYS = CONFIG.trade_assurance_release_days
FIERA_TRADE_QUOTES_PER_MONTH = CONFIG.trade_quotes_per_month
# --- academy exams ---
# how many ranks of a cohort's leaderboard are marked as the top
FIERA_ACADEMY_TOP_N = CONFIG.academy_top_n
# New accounts per client address, on the sign-up page and on POST /api/v1/auth/signup.
FIERA_SIGNUP_RATE = CONFIG.signup_rate
# Who may read the API docs and its OpenAPI document: public, staff or off.
FIERA_API_DOCS = CONFIG.api_docs

# Mail (sign-up, password reset, order mails): FIERA_EMAIL_BACKEND file (the default and the
# demo's: one file per message under var/mail/), smtp, console or locmem (tests use locmem).
EMAIL_BACKEND = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}[CONFIG.email.backend]
EMAIL_FILE_PATH = CONFIG.email.file_path
EMAIL_HOST = CONFIG.email.host or "localhost"
EMAIL_PORT = CONFIG.email.port
EMAIL_HOST_USER = CONFIG.email.user
EMAIL_HOST_PASSWORD = CONFIG.email.password
EMAIL_USE_TLS = CONFIG.email.use_tls
EMAIL_USE_SSL = CONFIG.email.use_ssl
EMAIL_TIMEOUT = CONFIG.email.timeout_seconds
DEFAULT_FROM_EMAIL = CONFIG.email.from_address
SERVER_EMAIL = CONFIG.email.from_address
# The address people open Fiera at, for the links in mails (no request at hand there).
FIERA_BASE_URL = CONFIG.base_url
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # a reset link works for three days

# Payments (read by fiera.payments.services.base).
FIERA_FX_MARKUP_BP = CONFIG.fx_markup_bp
FIERA_FX_QUOTE_SECONDS = CONFIG.fx_quote_seconds
FIERA_PAYMENT_FEE_BP = CONFIG.payment_fee_bp
# Orders paid after checkout (fiera.orders.payment.WalletPayLater): minutes to pay.
FIERA_PAYMENT_TIMEOUT_MINUTES = CONFIG.payment_timeout_minutes
FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES = CONFIG.flash_payment_timeout_minutes
FIERA_SETTLEMENT_CURRENCY = CONFIG.settlement_currency
FIERA_WALLET_CURRENCIES = CONFIG.wallet_currencies

# Background work. Without a broker (the embedded default) tasks run eagerly in-process.
CELERY_BROKER_URL = CONFIG.celery_broker_url or "memory://"
CELERY_RESULT_BACKEND = CONFIG.celery_broker_url or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not CONFIG.celery_broker_url
# Without a broker the outbox relay runs on a background thread of the process that published
# (fiera.common.events), so a request such as the checkout never waits for the subscribers
# (the order mails). Tests turn it off to deliver inline, deterministically.
FIERA_OUTBOX_RELAY_THREAD = not CONFIG.celery_broker_url
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Periodic work for `celery -A fiera beat`: void pending ledger transfers past their timeout,
# roll the ledger's balance deltas up,
# deliver any outbox message a crashed relay left behind, and cancel the orders not paid in
# time (their units go back on sale).
CELERY_BEAT_SCHEDULE = {
    "ledger-pending-expire": {"task": "fiera.ledger.pending_expire", "schedule": 60.0},
    # the wallet checkout's deferred postings folded into the shared accounts (decision 0012)
    "ledger-balance-deltas": {"task": "fiera.ledger.balance_deltas_apply", "schedule": 5.0},
    "outbox-relay": {"task": "fiera.common.outbox_relay", "schedule": 60.0},
    "orders-expire-unpaid": {"task": "fiera.orders.expire_unpaid", "schedule": 60.0},
    # trade assurance: undisputed escrowed payments released N days after delivery
    "trade-release-due": {"task": "fiera.trade.release_due", "schedule": 3600.0},
    # RFQs past their deadline and quotes past their validity (decision 0017)
    "trade-expire-rfqs": {"task": "fiera.trade.expire_rfqs", "schedule": 300.0},
    # --- pavilions ---
    "trade-pavilion-sponsorships-end": {
        "task": "fiera.trade.pavilion_sponsorships_end",
        "schedule": 3600.0,
    },
    # --- academy exams ---
    # attempts past their deadline submitted with the answers saved before it
    "academy-close-attempts": {"task": "fiera.academy.close_attempts", "schedule": 60.0},
}

# Every line once, through the root's one handler: Django's "django" logger has its own
# console handler (with DEBUG on) and also propagates to the root, which printed each of its
# lines twice, so its handlers are emptied here. fiera.request writes one line per request;
# django.request only speaks for 5xx (ERROR, with the traceback): a 403 or 404 is an ordinary
# answer, not a warning with a traceback. django.server (runserver's own request line)
# would repeat fiera.request's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "fiera": {"level": "INFO"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}

# --- academy certificates ---
# The academy's signing key (Ed25519 Multikey secret); empty: var/academy_signing_key, made
# once for this machine (fiera.academy.certificates). The issuer's name; certificates' validity.
FIERA_ACADEMY_SIGNING_KEY = CONFIG.academy_signing_key
FIERA_ACADEMY_ISSUER_NAME = CONFIG.academy_issuer_name
FIERA_ACADEMY_CERTIFICATE_VALID_DAYS = CONFIG.academy_certificate_valid_days
