"""Settings for the CVM Portal, read from the environment.

With nothing set, the portal runs on the *embedded default*: a SQLite file,
local-memory cache and Celery tasks executed in-process. ``DATABASE_URL``
switches to PostgreSQL, ``REDIS_URL`` to a Redis cache and Celery broker.
Production mode is ``DJANGO_DEBUG=false``; it requires ``DJANGO_SECRET_KEY``
and ``DJANGO_ALLOWED_HOSTS``. Every variable is listed in ``.env.example``
and ``docs/configuration.md``.
"""

import ipaddress
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Production mode is decided by the environment once; test runners may flip DEBUG, not this.
CVM_PRODUCTION = not DEBUG

# A development key is only ever used with DEBUG on; production refuses to start without one.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghij"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=false (production mode). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "cvm_portal.views.csrf_failure"  # the portal's page, not Django's bare one

INSTALLED_APPS = [
    "modeltranslation",  # Polish and English columns of texts CVM writes; before the admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",  # its AbstractAPIKey: API clients' hashed keys (channels.ApiKey)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "csp",
    "simple_history",  # before/after history of campaigns, offers, texts, rules
    "cvm_portal",
    "campaigns",
    "training",
    "channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # One cache GET per request: a kill-switch stop made in any process holds on the next one.
    "campaigns.governance.stop_signal.StopSignalMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who made each history record
    "cvm_portal.idle.IdleTimeoutMiddleware",  # after messages: it says why you were signed out
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into its page
]
# The channels' API (/api/v1/) under gunicorn (cvm_portal/wsgi.py): what an API call needs of
# the stack above — HTTPS redirect and HSTS, language, a session only to refuse a signed-in
# person with 403 (read lazily: an API-key call never touches it), the kill switch's stop signal.
# DRF's views are CSRF-exempt and check CSRF themselves for a session; the rest is for pages.
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "campaigns.governance.stop_signal.StopSignalMiddleware",
]

ROOT_URLCONF = "cvm_portal.urls"
WSGI_APPLICATION = "cvm_portal.wsgi.application"
ASGI_APPLICATION = "cvm_portal.asgi.application"

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
                "cvm_portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"sqlite:///{env.str('CVM_SQLITE_PATH', default=str(BASE_DIR / 'db.sqlite3'))}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a demo or load writes.
    # IMMEDIATE: every transaction takes SQLite's one write lock at BEGIN, waiting up to
    # ``timeout`` seconds for it. A deferred one (the default) that reads, then writes, cannot
    # wait: when another request wrote meanwhile, SQLite refuses the upgrade at once ("database
    # is locked", whatever the timeout), so two outcome clicks arriving together gave a 500.
    # A bounded retry could not help: record_outcome often runs inside a caller's transaction,
    # which only its outermost block could start again. Our atomic blocks are writes (the
    # admin's change pages also hold one while they render: milliseconds), so taking the lock at
    # BEGIN rather than at the first write costs little; reads outside them never wait (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    # A new connection per request costs ~8 ms on our machines: keep them.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound on the server, and a statement run twice on a connection is prepared:
    # the ORM sends the same text for the same query, so a page's queries skip parsing and
    # planning after the first request (the console page: about a fifth faster).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=env.bool("DJANGO_DB_SERVER_SIDE_BINDING", default=True),
        prepare_threshold=env.int("DJANGO_DB_PREPARE_THRESHOLD", default=1),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cvm_portal.cache.RedisCache",  # Django's, reusing its redis-py client
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CVM_CACHE_PREFIX", default="cvm"),
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # No broker configured: run tasks in-process, so the embedded default needs nothing.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest load, so a slow task is not redelivered while it runs. A load
    # whose worker died is retaken by its heartbeat long before (CVM_LOAD_STALE_SECONDS).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=6 * 3600),
    # A lost Redis host must not hold a web request for the operating system's connect
    # timeout (minutes): queueing fails within about a second and says so.
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=1.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Auth -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "cvm_portal.signin.LockoutBackend",  # axes: a locked-out sign-in stops here
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (django-axes; docs/security.md). Keyed on username and address together:
# one address (a call centre's NAT) mistyping never locks its colleagues out, and nobody can
# lock a user out from another address.
AXES_FAILURE_LIMIT = env.int("CVM_LOGIN_FAILURE_LIMIT", default=5)
CVM_LOGIN_COOLOFF_MINUTES = env.int("CVM_LOGIN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=CVM_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a sign-in after a few typos starts the count again
AXES_LOCKOUT_CALLABLE = "cvm_portal.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cvm_portal.signin.client_address"
AXES_VERBOSE = False  # no configuration banner at every start
# Reverse proxies in front of the portal that append to X-Forwarded-For (1 behind a load
# balancer). 0 trusts no header: behind a proxy every client then shares its address.
CVM_TRUSTED_PROXIES = env.int("CVM_TRUSTED_PROXIES", default=0)

# Sessions end after this long without a request (cvm_portal/idle.py) and when the browser closes.
CVM_SESSION_IDLE_MINUTES = env.int("CVM_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = CVM_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Texts CVM writes (offer titles, scripts, decline reasons, guide titles) are kept in both
# languages (campaigns/translation.py); a reader whose language has no text gets the other one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "pl"), "en": ("pl",), "pl": ("en",)}
USE_I18N = True
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Warsaw")
USE_TZ = True
# Dates written out ("3 grudnia 2026" / "3 December 2026"); shown only via cvm_portal/formatting.py.
FORMAT_MODULE_PATH = ["cvm_portal.formats"]

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
if DEBUG:
    # Development serves static files from their source folders; there is no collectstatic output.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
MEDIA_ROOT = env.path("CVM_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The docs page, signed in. The API's own views take API keys (channels/api/auth.py).
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "cvm_portal.api.JSONParser",  # a body it cannot use is a 400, never a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "cvm_portal.api.exception_handler",
    # JSON only: people read the API at /api/docs/. DRF's browsable pages need inline styles,
    # which the Content-Security-Policy refuses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # drf-spectacular's, naming every status a view can answer (channels/api/errors.py).
    "DEFAULT_SCHEMA_CLASS": "channels.api.errors.ContractSchema",
    # Counters in the default cache (Redis in production); a cache outage lifts them.
    "DEFAULT_THROTTLE_CLASSES": ["cvm_portal.api.AnonymousThrottle", "cvm_portal.api.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("CVM_API_ANON_RATE", default="60/minute"),  # no or wrong credentials
        "user": env.str("CVM_API_USER_RATE", default="20/second"),  # agents, the docs page
        "channel": env.str("CVM_API_CHANNEL_RATE", default="5000/second"),  # a ceiling, not a quota
    },
    "NUM_PROXIES": CVM_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CVM Portal API",
    "DESCRIPTION": "Next-best-offer decisions and outcome capture for digital channels (web, app, chatbot, USSD, IVR).",
    "VERSION": "1",
    # Request bodies as their own components, so a field that refuses blank says minLength 1.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"OutcomeEnum": "campaigns.choices.Outcome"},  # not the hand-over's
    "SERVE_INCLUDE_SCHEMA": False,
    # The contract is for the API's clients as well as for staff: an integrator fetches it with
    # its key (Authorization: Api-Key …); staff read it signed in.
    "SERVE_AUTHENTICATION": [
        "channels.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["channels.api.auth.IsStaffOrApiClient"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: every script is a file under static/ (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP and read a redirect as "unhealthy".
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- The portal's own -------------------------------------------------------------
# Region used to read phone numbers typed without a country code (ISO 3166 alpha-2).
CVM_DEFAULT_PHONE_REGION = env.str("CVM_DEFAULT_PHONE_REGION", default="PL")
# The currency of offer values, as agents read it.
CVM_CURRENCY = env.str("CVM_CURRENCY", default="PLN")
# Where the data warehouse drops customer snapshots and target groups (see docs/loads.md).
CVM_INBOX = env.path("CVM_INBOX", default=BASE_DIR / "var" / "inbox")
# How long a replaced target-group version is kept before it is pruned.
CVM_KEEP_VERSIONS_DAYS = env.int("CVM_KEEP_VERSIONS_DAYS", default=7)
# A running load writes a heartbeat this often; a load run that nothing has vouched for in
# CVM_LOAD_STALE_SECONDS (its worker died, or its task never reached the queue) is retaken.
CVM_LOAD_HEARTBEAT_SECONDS = env.float("CVM_LOAD_HEARTBEAT_SECONDS", default=15.0)
CVM_LOAD_STALE_SECONDS = env.float("CVM_LOAD_STALE_SECONDS", default=120.0)
# API keys of digital channels: how long a new key works, and how long the old one still
# works after a rotation (so the client can switch without an outage).
CVM_API_KEY_DAYS = env.int("CVM_API_KEY_DAYS", default=365)
CVM_API_KEY_GRACE_HOURS = env.int("CVM_API_KEY_GRACE_HOURS", default=24)
# The USSD gateway (docs/api.md, "USSD gateway"): how long a caller's session is kept (its
# offers in the cache), the language of its screens when the gateway sends no Accept-Language,
# and the addresses it may call from (comma-separated IPs or CIDR blocks; empty: any address).
CVM_USSD_SESSION_SECONDS = env.int("CVM_USSD_SESSION_SECONDS", default=180)
CVM_USSD_LANGUAGE = env.str("CVM_USSD_LANGUAGE", default=LANGUAGE_CODE)
if CVM_USSD_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"CVM_USSD_LANGUAGE={CVM_USSD_LANGUAGE!r}: use one of {', '.join(dict(LANGUAGES))}."
    )
CVM_USSD_ALLOWED_IPS = env.list("CVM_USSD_ALLOWED_IPS", default=[])
for _cidr in CVM_USSD_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"CVM_USSD_ALLOWED_IPS: {_cidr!r} is not an IP address or CIDR block ({_exc})."
        ) from None
# A verified API key is remembered by each worker process this long: a revoked or expired key,
# or a disabled client, stops working within it (docs/api.md).
CVM_API_KEY_CACHE_SECONDS = env.float("CVM_API_KEY_CACHE_SECONDS", default=5.0)
# The time a decision may take when the client states none (X-Decision-Budget-Ms, budget_ms):
# past it the answer is the always-on offers, marked degraded (docs/api.md).
CVM_DECISION_BUDGET_MS = env.int("CVM_DECISION_BUDGET_MS", default=150)
# Whether an API decision's commit (with its audit row) waits for the disk flush. Off: ~4 ms
# less per decision; a crash of the database server (not of the portal) may lose the last
# fraction of a second of decisions together with their audit rows (docs/api.md).
CVM_DECISION_SYNCHRONOUS_COMMIT = env.bool("CVM_DECISION_SYNCHRONOUS_COMMIT", default=False)
# Customer look-ups an agent may make in a period (found or not); past it they wait, and CVM
# managers see a "look-up burst" in the audit trail.
CVM_LOOKUP_LIMIT = env.int("CVM_LOOKUP_LIMIT", default=60)
CVM_LOOKUP_PERIOD_MINUTES = env.int("CVM_LOOKUP_PERIOD_MINUTES", default=10)
# How long the link to a customer's console page, made by the agent's look-up, stays valid.
CVM_CUSTOMER_LINK_MINUTES = env.int("CVM_CUSTOMER_LINK_MINUTES", default=30)
# How long an agent may undo an outcome they recorded (a wrong click or key).
CVM_UNDO_SECONDS = env.int("CVM_UNDO_SECONDS", default=10)
# Learned propensity (campaigns.learning): how many presentations the prior (the file's view,
# or the policy's default) is worth before outcomes move the estimate.
CVM_LEARNING_PRIOR_WEIGHT = env.float("CVM_LEARNING_PRIOR_WEIGHT", default=20.0)
# One contact, one decision: the same agent opening the same customer again within this window
# sees the same offers (no new presentation, no extra contact counted).
CVM_CONTACT_WINDOW_MINUTES = env.int("CVM_CONTACT_WINDOW_MINUTES", default=30)
# The weekly sales digest leaves out offers presented fewer times than this in a channel kind.
CVM_DIGEST_MIN_PRESENTATIONS = env.int("CVM_DIGEST_MIN_PRESENTATIONS", default=30)
# The weekly research queue draws up to this many call recordings per campaign and outcome.
CVM_RESEARCH_PER_STRATUM = env.int("CVM_RESEARCH_PER_STRATUM", default=3)
# How long reading an offer's script aloud may take per channel kind (seconds): a longer script
# is a warning the approver of a campaign must acknowledge. Override as JSON, e.g.
# CVM_TALK_TIME_BUDGET_SECONDS='{"inbound_call": 15}'.
CVM_TALK_TIME_BUDGET_SECONDS = {
    "inbound_call": 20,
    "outbound_call": 30,
    "store": 45,
    "field": 60,
    **env.json("CVM_TALK_TIME_BUDGET_SECONDS", default={}),
}
# Flood alerts: contacts tagged "calling about campaign X" in an hour above the campaign's
# forecast (or, without one, above this multiple of its usual hourly count over the previous
# 7 days) alert the CVM managers; fewer than CVM_FLOOD_MIN_CONTACTS in an hour never do.
CVM_FLOOD_BASELINE_MULTIPLIER = env.float("CVM_FLOOD_BASELINE_MULTIPLIER", default=3.0)
CVM_FLOOD_MIN_CONTACTS = env.int("CVM_FLOOD_MIN_CONTACTS", default=20)
# Digital events (POST /api/v1/events/, docs/api.md): kept this many whole months (older
# monthly partitions are dropped nightly); partitions made this many months ahead; an event may
# be at most CVM_EVENT_MAX_AGE_DAYS old and CVM_EVENT_MAX_SKEW_SECONDS in the future (clocks);
# a batch body may be this large (5,000 events fit in about 2 MB), larger: 413.
CVM_EVENT_RETENTION_MONTHS = env.int("CVM_EVENT_RETENTION_MONTHS", default=13)
CVM_EVENT_PARTITIONS_AHEAD = env.int("CVM_EVENT_PARTITIONS_AHEAD", default=2)
CVM_EVENT_MAX_AGE_DAYS = env.int("CVM_EVENT_MAX_AGE_DAYS", default=30)
CVM_EVENT_MAX_SKEW_SECONDS = env.int("CVM_EVENT_MAX_SKEW_SECONDS", default=300)
CVM_EVENTS_MAX_BODY_BYTES = env.int("CVM_EVENTS_MAX_BODY_BYTES", default=4 * 1024 * 1024)
if CVM_EVENT_MAX_AGE_DAYS > 28 * CVM_EVENT_RETENTION_MONTHS:
    raise ImproperlyConfigured(
        "CVM_EVENT_MAX_AGE_DAYS must fit in CVM_EVENT_RETENTION_MONTHS: an event accepted must "
        "not fall into a month already dropped."
    )
# E-mail (alerts to CVM managers) is sent only when a server is configured: EMAIL_HOST set.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cvm-portal@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "cvm.audit": {"level": "INFO", "propagate": True},
        "celery.app.trace": {"level": "WARNING"},  # one line per task is noise; failures still show
        "kombu.connection": {
            "level": "ERROR"
        },  # "No hostname was supplied" for the in-memory broker
    },
}
