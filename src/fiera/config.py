"""Configuration from the environment, read once, and the plain-words check of it.

Every setting Fiera reads comes from an environment variable; nothing else
configures it. ``problems()`` is what ``fiera check`` prints and what refuses a
production start (``fiera serve``, the WSGI application).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

DEMO_SECRET_KEY = "fiera-demo-secret-key-not-for-production"  # noqa: S105 - the known demo value we refuse in production

BASE_DIR = Path(os.environ.get("FIERA_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"
# A random key that `fiera demo` writes for this machine; `make demo` serves with DEBUG off
# (the product's own error pages) and SECRET_KEY read from it. Fiera itself reads only the
# environment.
LOCAL_SECRET_KEY_FILE = VAR_DIR / "secret_key"
# --- academy certificates ---
# The academy's signing key when FIERA_ACADEMY_SIGNING_KEY is unset on the embedded default:
# generated once for this machine on first use, then kept (certificates signed with it stay
# valid only as long as this file does).
LOCAL_ACADEMY_KEY_FILE = VAR_DIR / "academy_signing_key"
DEFAULT_ACADEMY_ISSUER_NAME = "Fiera Academy"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int, errors: list[str], *, low: int, high: int, meaning: str) -> int:
    """An integer variable: plain ASCII digits within [low, high]; a bad value is reported
    in ``errors`` (and the default used meanwhile)."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        errors.append(
            f"{name} must be a whole number from {low} to {high} ({meaning}); got {raw!r}."
        )
        return default
    return int(raw)


def _choice(name: str, default: str, choices: tuple[str, ...], errors: list[str]) -> str:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in choices:
        errors.append(f"{name} must be one of {', '.join(choices)}; got {raw!r}.")
        return default
    return raw


CURRENCY_CODE = re.compile(r"[A-Z]{3}")
HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
DEFAULT_WALLET_CURRENCIES = ("CNY", "EUR", "USD", "SGD", "HKD", "GBP")
API_DOCS_MODES = ("public", "staff", "off")
MEDIA_STORAGES = ("filesystem", "s3")


def _currency(raw: str) -> str | None:
    """The ISO 4217 code ``raw`` names (any case), or None when it names none."""
    import iso4217

    code = raw.strip().upper()
    if not CURRENCY_CODE.fullmatch(code):
        return None
    try:
        iso4217.Currency(code)
    except ValueError:
        return None
    return code


EMAIL_BACKENDS = ("file", "smtp", "console", "locmem")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_FROM_EMAIL = "Fiera <no-reply@fiera.localhost>"
BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?")


@dataclass(frozen=True)
class EmailConfig:
    """Where mail goes. ``file`` (the default, and the demo's) writes each message to a file
    under ``file_path`` (``var/mail/``); ``smtp`` sends it through ``host``; ``console``
    prints it; ``locmem`` keeps it in memory (tests)."""

    backend: str = "file"
    file_path: str = ""
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = True
    use_ssl: bool = False
    timeout_seconds: int = 20
    from_address: str = DEFAULT_FROM_EMAIL


def _email(errors: list[str]) -> EmailConfig:
    use_tls = _flag("FIERA_EMAIL_USE_TLS", default=True)
    use_ssl = _flag("FIERA_EMAIL_USE_SSL", default=False)
    if use_tls and use_ssl:
        use_tls = False  # SSL on connect (port 465) replaces STARTTLS; Django refuses both
    return EmailConfig(
        backend=_choice("FIERA_EMAIL_BACKEND", "file", EMAIL_BACKENDS, errors),
        file_path=os.environ.get("FIERA_EMAIL_FILE_PATH", "").strip() or str(VAR_DIR / "mail"),
        host=os.environ.get("FIERA_EMAIL_HOST", "").strip(),
        port=_int(
            "FIERA_EMAIL_PORT", 587, errors, low=1, high=65_535, meaning="the SMTP server's port"
        ),
        user=os.environ.get("FIERA_EMAIL_USER", "").strip(),
        password=os.environ.get("FIERA_EMAIL_PASSWORD", ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout_seconds=_int(
            "FIERA_EMAIL_TIMEOUT_SECONDS",
            20,
            errors,
            low=1,
            high=600,
            meaning="how long to wait for the SMTP server, in seconds",
        ),
        from_address=os.environ.get("FIERA_EMAIL_FROM", "").strip() or DEFAULT_FROM_EMAIL,
    )


def _base_url(errors: list[str]) -> str:
    raw = os.environ.get("FIERA_BASE_URL", "").strip()
    if raw == "":
        return DEFAULT_BASE_URL
    if not BASE_URL.fullmatch(raw):
        errors.append(
            f"FIERA_BASE_URL must be the address people open Fiera at, like "
            f"https://fiera.example.com; got {raw!r}."
        )
        return DEFAULT_BASE_URL
    return raw.rstrip("/")


@dataclass(frozen=True)
class Config:
    debug: bool
    secret_key: str
    database_url: str
    redis_url: str
    allowed_hosts: list[str]
    celery_broker_url: str
    https: bool = False
    """FIERA_HTTPS: served over HTTPS only (redirect, HSTS, Secure cookies, https origins)."""
    proxy_ssl_header: str = ""
    """FIERA_PROXY_SSL_HEADER: the header (e.g. X-Forwarded-Proto) a trusted proxy sets to
    ``https``; empty when Fiera terminates TLS itself (or serves plain HTTP)."""
    hsts_seconds: int = 31_536_000
    hsts_preload: bool = True
    api_docs: str = "public"
    """FIERA_API_DOCS: who sees /api/v1/docs and /api/v1/openapi.json (public, staff, off)."""
    login_failure_limit: int = 5
    login_cooloff_minutes: int = 15
    api_token_rate: str = "10/m"  # noqa: S105 - a request rate, not a password
    """FIERA_API_TOKEN_RATE: POST /api/v1/auth/tokens per client address (ninja throttle)."""
    login_rate: str = "20/m"
    """FIERA_LOGIN_RATE: sign-in form posts per client address, whatever the username."""
    signup_rate: str = "10/h"
    """FIERA_SIGNUP_RATE: new accounts per client address (sign-up page and API, each)."""
    fx_markup_bp: int = 50
    fx_quote_seconds: int = 60
    payment_fee_bp: int = 120
    payment_timeout_minutes: int = 30
    """FIERA_PAYMENT_TIMEOUT_MINUTES: how long a "pay later" order waits for its payment."""
    flash_payment_timeout_minutes: int = 15
    """FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES: the same for an order with flash-sale lines."""
    trade_inquiries_per_day: int = 10
    """FIERA_TRADE_INQUIRIES_PER_DAY: new B2B inquiries a buyer may send per day."""
    trade_assurance_release_days: int = 30
    """FIERA_TRADE_ASSURANCE_RELEASE_DAYS: days after delivery when an escrowed payment the
    buyer neither confirmed nor disputed is released to the supplier."""
    trade_quotes_per_month: int = 30
    """FIERA_TRADE_QUOTES_PER_MONTH: quotes a supplier may send to RFQs per calendar month."""
    # --- academy exams ---
    academy_top_n: int = 10
    """FIERA_ACADEMY_TOP_N: how many ranks of a cohort's leaderboard are marked as the top."""
    settlement_currency: str = "EUR"
    wallet_currencies: tuple[str, ...] = DEFAULT_WALLET_CURRENCIES
    media_root: Path = VAR_DIR / "media"
    """FIERA_MEDIA_ROOT: where uploaded images live with the filesystem storage."""
    media_storage: str = "filesystem"
    """FIERA_MEDIA_STORAGE: ``filesystem`` (MEDIA_ROOT, served by Fiera) or ``s3``
    (S3-compatible object storage through django-storages, the ``s3`` extra)."""
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_public_url: str = ""
    """FIERA_S3_PUBLIC_URL: where browsers read the bucket's files (a CDN or the bucket's
    public address, e.g. https://media.example.com); empty: signed URLs of the endpoint."""
    email: EmailConfig = field(default_factory=lambda: EmailConfig())
    """FIERA_EMAIL_*: how mail leaves (sign-up, password reset, order mails)."""
    base_url: str = DEFAULT_BASE_URL
    """FIERA_BASE_URL: the address people open Fiera at, for links in mails."""
    # --- academy certificates ---
    academy_signing_key: str = field(default="", repr=False)
    """FIERA_ACADEMY_SIGNING_KEY: the academy's Ed25519 secret key (Multikey ``z3u2...``) that
    signs certificates; empty: ``var/academy_signing_key``, generated once (embedded default)."""
    academy_issuer_name: str = DEFAULT_ACADEMY_ISSUER_NAME
    """FIERA_ACADEMY_ISSUER_NAME: the issuer's name in certificates."""
    academy_certificate_valid_days: int = 0
    """FIERA_ACADEMY_CERTIFICATE_VALID_DAYS: how long a certificate is valid; 0: no expiry."""
    errors: tuple[str, ...] = field(default=())
    """Variables whose value could not be read, each in plain words (``problems`` reports
    them; the default stands in meanwhile)."""

    @property
    def uses_demo_secret(self) -> bool:
        return self.secret_key == DEMO_SECRET_KEY

    @property
    def database_vendor(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"


def _rate(name: str, default: str, errors: list[str]) -> str:
    """A rate like ``10/m`` (per s, m, h or d), as django-ninja's throttles read it."""
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    match = re.fullmatch(r"([0-9]{1,6})/(s|sec|m|min|h|hour|d|day)", raw)
    if match is None or int(match.group(1)) == 0:
        errors.append(
            f"{name} must be a number of requests per period, like 10/m (per s, m, h or d); "
            f"got {raw!r}."
        )
        return default
    return raw


def _payments(errors: list[str]) -> dict[str, object]:
    settlement = os.environ.get("FIERA_SETTLEMENT_CURRENCY", "").strip()
    settlement_code = _currency(settlement) if settlement else "EUR"
    if settlement_code is None:
        errors.append(
            f"FIERA_SETTLEMENT_CURRENCY must be an ISO 4217 currency code like EUR; got "
            f"{settlement!r}."
        )
        settlement_code = "EUR"
    wallets_raw = os.environ.get("FIERA_WALLET_CURRENCIES", "").strip()
    wallets: tuple[str, ...] = DEFAULT_WALLET_CURRENCIES
    if wallets_raw:
        parts = [p for p in (p.strip() for p in wallets_raw.split(",")) if p]
        codes = [_currency(p) for p in parts]
        bad = [p for p, c in zip(parts, codes, strict=True) if c is None]
        if bad or not parts:
            errors.append(
                "FIERA_WALLET_CURRENCIES must list ISO 4217 currency codes separated by commas, "
                f"like CNY,EUR,USD; not currencies: {', '.join(repr(b) for b in bad) or 'none'}."
            )
        else:
            wallets = tuple(dict.fromkeys(c for c in codes if c is not None))
    return {
        "fx_markup_bp": _int(
            "FIERA_FX_MARKUP_BP",
            50,
            errors,
            low=0,
            high=5_000,
            meaning="the FX spread in basis points, 50 = 0.50 %",
        ),
        "fx_quote_seconds": _int(
            "FIERA_FX_QUOTE_SECONDS",
            60,
            errors,
            low=1,
            high=86_400,
            meaning="how long an FX quote holds, in seconds",
        ),
        "payment_fee_bp": _int(
            "FIERA_PAYMENT_FEE_BP",
            120,
            errors,
            low=0,
            high=5_000,
            meaning="the merchant fee in basis points, 120 = 1.20 %",
        ),
        "payment_timeout_minutes": _int(
            "FIERA_PAYMENT_TIMEOUT_MINUTES",
            30,
            errors,
            low=1,
            high=10_080,
            meaning="how long an order paid later waits for its payment, in minutes",
        ),
        "flash_payment_timeout_minutes": _int(
            "FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES",
            15,
            errors,
            low=1,
            high=10_080,
            meaning="the same for an order with flash-sale items, in minutes",
        ),
        "trade_inquiries_per_day": _int(
            "FIERA_TRADE_INQUIRIES_PER_DAY",
            10,
            errors,
            low=1,
            high=10_000,
            meaning="how many new B2B inquiries a buyer may send per day",
        ),
        "trade_assurance_release_days": _int(
            "FIERA_TRADE_ASSURANCE_RELEASE_DAYS",
            30,
            errors,
            low=1,
            high=365,
            meaning="days after delivery when trade assurance releases an undisputed payment",
        ),
        "trade_quotes_per_month": _int(
            "FIERA_TRADE_QUOTES_PER_MONTH",
            30,
            errors,
            low=1,
            high=100_000,
            meaning="how many quotes a supplier may send to RFQs per calendar month",
        ),
        "settlement_currency": settlement_code,
        "wallet_currencies": wallets,
        # --- academy exams ---
        "academy_top_n": _int(
            "FIERA_ACADEMY_TOP_N",
            10,
            errors,
            low=1,
            high=1_000,
            meaning="how many ranks of a cohort's leaderboard are marked as the top",
        ),
    }


def local_secret_key() -> str:
    """The key in ``var/secret_key`` (written by ``fiera demo``), or "" when there is none."""
    try:
        return LOCAL_SECRET_KEY_FILE.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def local_secret_key_ensure() -> bool:
    """Write a random ``var/secret_key`` (owner-only) unless one exists; True when written."""
    import secrets

    if local_secret_key():
        return False
    LOCAL_SECRET_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(LOCAL_SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    return True


def load() -> Config:
    default_db = f"sqlite:///{VAR_DIR / 'fiera.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL", "").strip()
    errors: list[str] = []
    proxy_header = os.environ.get("FIERA_PROXY_SSL_HEADER", "").strip()
    if proxy_header and not HEADER_NAME.fullmatch(proxy_header):
        errors.append(
            f"FIERA_PROXY_SSL_HEADER must be a header name like X-Forwarded-Proto; got "
            f"{proxy_header!r}."
        )
        proxy_header = ""
    return Config(
        debug=_flag("DEBUG", default=False),
        secret_key=os.environ.get("SECRET_KEY", "").strip() or DEMO_SECRET_KEY,
        database_url=os.environ.get("DATABASE_URL", "").strip() or default_db,
        redis_url=redis_url,
        allowed_hosts=[
            h.strip()
            for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
            if h.strip()
        ],
        celery_broker_url=os.environ.get("CELERY_BROKER_URL", "").strip() or redis_url,
        https=_flag("FIERA_HTTPS", default=False),
        proxy_ssl_header=proxy_header,
        hsts_seconds=_int(
            "FIERA_HSTS_SECONDS",
            31_536_000,
            errors,
            low=0,
            high=63_072_000,
            meaning="how long browsers must use HTTPS only, in seconds",
        ),
        hsts_preload=_flag("FIERA_HSTS_PRELOAD", default=True),
        api_docs=_choice("FIERA_API_DOCS", "public", API_DOCS_MODES, errors),
        login_failure_limit=_int(
            "FIERA_LOGIN_FAILURE_LIMIT",
            5,
            errors,
            low=1,
            high=1_000,
            meaning="wrong passwords in a row before a sign-in is locked",
        ),
        login_cooloff_minutes=_int(
            "FIERA_LOGIN_COOLOFF_MINUTES",
            15,
            errors,
            low=1,
            high=10_080,
            meaning="how long a locked sign-in stays locked, in minutes",
        ),
        api_token_rate=_rate("FIERA_API_TOKEN_RATE", "10/m", errors),
        login_rate=_rate("FIERA_LOGIN_RATE", "20/m", errors),
        signup_rate=_rate("FIERA_SIGNUP_RATE", "10/h", errors),
        **_payments(errors),  # type: ignore[arg-type]
        media_root=Path(os.environ.get("FIERA_MEDIA_ROOT", "").strip() or VAR_DIR / "media"),
        media_storage=_choice("FIERA_MEDIA_STORAGE", "filesystem", MEDIA_STORAGES, errors),
        s3_bucket=os.environ.get("FIERA_S3_BUCKET", "").strip(),
        s3_endpoint_url=os.environ.get("FIERA_S3_ENDPOINT_URL", "").strip(),
        s3_region=os.environ.get("FIERA_S3_REGION", "").strip(),
        s3_public_url=os.environ.get("FIERA_S3_PUBLIC_URL", "").strip().rstrip("/"),
        email=_email(errors),
        base_url=_base_url(errors),
        # --- academy certificates ---
        academy_signing_key=os.environ.get("FIERA_ACADEMY_SIGNING_KEY", "").strip(),
        academy_issuer_name=os.environ.get("FIERA_ACADEMY_ISSUER_NAME", "").strip()[:200]
        or DEFAULT_ACADEMY_ISSUER_NAME,
        academy_certificate_valid_days=_int(
            "FIERA_ACADEMY_CERTIFICATE_VALID_DAYS",
            0,
            errors,
            low=0,
            high=36_500,
            meaning="how many days an academy certificate is valid, 0 = no expiry",
        ),
        errors=tuple(errors),
    )


def problems(config: Config) -> list[str]:
    """What is wrong with this configuration, each in words a user understands."""
    found: list[str] = list(config.errors)
    if not config.debug and config.uses_demo_secret:
        found.append(
            "SECRET_KEY is not set, so Fiera would use the public demo key. In production "
            "(DEBUG is off) set SECRET_KEY to a long random value, for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, or set DEBUG=true "
            "to run the demo."
        )
    elif not config.uses_demo_secret and len(config.secret_key) < 32:
        found.append("SECRET_KEY is shorter than 32 characters; use a long random value.")
    if not (
        config.database_url.startswith("sqlite:")
        or config.database_url.startswith(("postgres://", "postgresql://"))
    ):
        found.append(
            f"DATABASE_URL must start with sqlite:// or postgresql:// (got "
            f"{config.database_url.split(':', 1)[0]!r})."
        )
    if config.redis_url and not config.redis_url.startswith(("redis://", "rediss://")):
        found.append("REDIS_URL must start with redis:// or rediss://.")
    if not config.allowed_hosts:
        found.append("ALLOWED_HOSTS is empty; list the host names Fiera is served under.")
    if config.media_storage == "s3":
        if not config.s3_bucket:
            found.append(
                "FIERA_MEDIA_STORAGE is s3 but FIERA_S3_BUCKET is not set; name the bucket "
                "that holds product images and store logos."
            )
        from importlib.util import find_spec

        if find_spec("storages") is None:  # the s3 extra is not installed
            found.append(
                "FIERA_MEDIA_STORAGE is s3 but django-storages is not installed; install "
                "Fiera with its s3 extra: pip install 'fiera[s3]'."
            )
        for name, url in (
            ("FIERA_S3_ENDPOINT_URL", config.s3_endpoint_url),
            ("FIERA_S3_PUBLIC_URL", config.s3_public_url),
        ):
            if url and not url.startswith(("https://", "http://")):
                found.append(f"{name} must be an http(s):// address; got {url!r}.")
    found.extend(_academy_key_problems(config))
    if config.email.backend == "smtp" and not config.email.host:
        found.append(
            "FIERA_EMAIL_BACKEND is smtp but FIERA_EMAIL_HOST is not set; name the SMTP server "
            "that sends Fiera's mail (sign-up, password reset, order mails)."
        )
    return found


# --- academy certificates ---


def _academy_key_problems(config: Config) -> list[str]:
    """A set signing key must be a valid Ed25519 secret (an unset one is generated into
    ``var/``: see :func:`academy_key_advice`)."""
    if config.academy_signing_key and not _is_ed25519_secret(config.academy_signing_key):
        return [
            "FIERA_ACADEMY_SIGNING_KEY is not an Ed25519 secret key in Multikey form "
            "(z3u2..., about 48 characters); generate one with `fiera cert key`."
        ]
    return []


def academy_key_advice(config: Config) -> str:
    """What ``fiera check`` says when production runs on a generated key ("" otherwise).

    Not a problem that stops ``fiera serve``: a server without the variable signs with the
    key generated into its ``var/`` (as the embedded default does), which works on one machine
    but is lost with it, and differs between machines."""
    if config.academy_signing_key or config.debug:
        return ""
    return (
        "FIERA_ACADEMY_SIGNING_KEY is not set, so certificates are signed with a key generated "
        "into this machine's var/: every certificate stays verifiable only with that key, and "
        "other machines would make keys of their own. In production set it to the output of "
        "`fiera cert key`, the same on every machine, and keep it secret and backed up."
    )


def _is_ed25519_secret(text: str) -> bool:
    """Whether ``text`` is ``z`` + base58btc(0x80 0x26 + 32-byte seed), the Multikey form
    fiera.academy.credentials.keys reads (checked here without importing the academy)."""
    import base58

    if not text.startswith("z"):
        return False
    try:
        decoded = base58.b58decode(text[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return decoded[:2] == b"\x80\x26" and len(decoded) == 34


def local_academy_key() -> str:
    """The key in ``var/academy_signing_key``, or "" when there is none."""
    try:
        return LOCAL_ACADEMY_KEY_FILE.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
