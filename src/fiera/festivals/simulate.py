"""``fiera festival simulate``: a storm of flash-sale checkouts against a running server.

Set-up runs in-process through the services (same ``DATABASE_URL`` as the server): N
simulation buyers (``sim-buyer-0001`` ..., reused by later runs) with an API token each,
revoked when the run ends, and, for ``wallet``, a funded
wallet in the sale's currency. The storm: ``concurrency`` threads, each with its own
keep-alive ``http.client`` connection, POST ``/api/v1/checkout`` for 1 unit of a flash
sale (``hot_share`` of the attempts on the hottest one: the live flash sale with the most
units left; the rest over the festival's other live flash sales and festival-priced
variants) with an ``Idempotency-Key``; a connection error or a 5xx is retried once with
the SAME key. Afterwards the buckets are read back: units sold vs allocated, oversold.
"""

from __future__ import annotations

import http.client
import json
import random
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.db.models import Sum
from django.utils.translation import gettext_lazy

from fiera.accounts import selectors as account_selectors
from fiera.accounts import services as account_services
from fiera.accounts.roles import BUYER, SYSTEM
from fiera.catalog.reservations import variants_offered
from fiera.common.errors import NotFound
from fiera.festivals.models import Festival, FestivalPrice, FlashSale, FlashSaleBucket
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.payments import services as payment_services

USERNAME = "sim-buyer-{:04d}"
CHECKOUT_PATH = "/api/v1/checkout"
MAX_OTHER_TARGETS = 50

# error kinds of the printout
SOLD_OUT = "sold out"
OVER_LIMIT = "over limit"
NOT_STARTED = "not started"
OTHER_4XX = "other 4xx"
SERVER = "5xx"
CONNECTION = "connection"
KINDS = (SOLD_OUT, OVER_LIMIT, NOT_STARTED, OTHER_4XX, SERVER, CONNECTION)


class NothingToStorm(NotFound):
    code = "simulate_nothing"
    message_template = gettext_lazy("There is no live festival with flash sales to simulate.")


@dataclass(frozen=True, slots=True)
class Target:
    variant_id: int
    flash_sale_id: int | None  # None: a festival-priced variant
    price_minor: int


@dataclass(frozen=True, slots=True)
class Plan:
    festival_slug: str
    marketplace_slug: str
    country: str
    currency: str
    hot: Target
    others: tuple[Target, ...]
    tokens: tuple[str, ...]
    flash_sale_ids: tuple[int, ...]
    token_ids: tuple[tuple[int, int], ...] = ()  # (user id, token id): revoked after the run


@dataclass(slots=True)
class Tally:
    attempts: int = 0
    accepted: int = 0
    accepted_flash: int = 0
    replays: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    order_numbers: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, slots=True)
class Report:
    festival_slug: str
    buyers: int
    concurrency: int
    attempts: int
    accepted: int
    accepted_flash: int  # the rest bought festival-priced variants
    replays: int
    errors: dict[str, int]
    codes: dict[str, int]
    statuses: dict[int, int]
    units_sold: int  # over the festival's flash sales, read back after the storm
    units_sold_in_storm: int
    units_allocated: int
    oversold: int
    seconds: float
    setup_seconds: float
    payment: str
    targets: int  # the hottest flash sale and the others
    p50_ms: float
    p95_ms: float
    p99_ms: float
    order_numbers: tuple[str, ...]

    @property
    def orders_per_second(self) -> float:
        return self.accepted / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        errors = ", ".join(f"{kind} {self.errors.get(kind, 0)}" for kind in KINDS)
        codes = ", ".join(f"{code} {n}" for code, n in sorted(self.codes.items())) or "-"
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items())) or "-"
        return [
            f"festival        {self.festival_slug} ({self.buyers} buyers, "
            f"{self.concurrency} threads, {self.payment}, {self.targets} targets)",
            f"time            set-up {self.setup_seconds:.1f} s, storm {self.seconds:.1f} s",
            f"attempts        {self.attempts}",
            f"orders (201)    {self.accepted} accepted ({self.accepted_flash} flash, "
            f"{self.accepted - self.accepted_flash} festival price), {self.replays} replays",
            f"units           {self.units_sold} sold of {self.units_allocated} allocated "
            f"({self.units_sold_in_storm} in this storm)",
            f"oversold        {self.oversold}",
            f"errors          {errors}",
            f"error codes     {codes}",
            f"statuses        {statuses}",
            f"throughput      {self.orders_per_second:.1f} orders/s",
            f"latency         p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms",
        ]


# set-up -------------------------------------------------------------------------------


def _live_festival(slug: str | None, now: datetime) -> Festival:
    qs = Festival.objects.filter(is_published=True)
    if slug is not None:
        found = qs.filter(slug=slug).first()
    else:
        found = qs.filter(starts_at__lte=now, ends_at__gt=now).order_by("-starts_at").first()
    if found is None:
        raise NothingToStorm(f"no published festival {slug or 'live now'}")
    return found


def _units(sale_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(units left, units sold) of each flash sale, from its buckets."""
    return {
        row["flash_sale_id"]: (int(row["left"] or 0), int(row["sold"] or 0))
        for row in FlashSaleBucket.objects.filter(flash_sale_id__in=sale_ids)
        .values("flash_sale_id")
        .annotate(left=Sum("units_left"), sold=Sum("units_sold"))
    }


def _country_for(marketplace_id: int, currency: str) -> str:
    info = marketplace_selectors.marketplace_get_by_id(marketplace_id=marketplace_id)
    for country, code in info.countries.items():
        if code == currency:
            return country
    return marketplace_selectors.WORLDWIDE_DEFAULT_COUNTRY


def _buyers(
    count: int, *, country: str, currency: str, payment: str, budget: int, now: datetime
) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """The simulation buyers (created once, reused by later runs), each with a fresh API
    token for this run: (token keys, (user id, token id) to revoke when the run ends). When
    the set-up fails half-way (e.g. a top-up declined), the tokens issued so far are
    revoked before the error goes on."""
    tokens: list[str] = []
    token_ids: list[tuple[int, int]] = []
    names = [USERNAME.format(n + 1) for n in range(count)]
    existing = account_selectors.user_ids_by_username(usernames=names)
    run = uuid.uuid4().hex[:12]
    funding = _Funding(budget=budget, currency=currency, run=run, now=now)
    try:
        for name in names:
            user_id = existing.get(name)
            if user_id is None:
                user_id = account_services.user_create(
                    username=name, password=secrets.token_urlsafe(16), role=BUYER, country=country
                ).pk
            issued = account_services.token_issue(user_id=user_id, name="simulate")
            tokens.append(issued.key)
            token_ids.append((user_id, issued.token_id))
            if payment == "wallet":
                payment_services.wallet_open(
                    user_id=user_id, currency=currency, now=now, actor_role=SYSTEM
                )
                funding.fund(user_id=user_id, name=name)
    except BaseException:
        _revoke(token_ids)
        raise
    return tuple(tokens), tuple(token_ids)


class _Funding:
    """Tops up each simulation buyer's wallet with ``budget``, in charges the funding source
    approves: a charge it declines as over its limit per charge ("over_limit") is halved
    and the budget topped up in that many charges, for this buyer and the next ones (so
    only the first buyer's wallet sees the declines). The demo's simulated source approves
    at most 20,000 major units at once, less than a storm's budget on dear CNY items."""

    def __init__(self, *, budget: int, currency: str, run: str, now: datetime) -> None:
        self.budget = budget
        self.charge = budget
        self.currency = currency
        self.run = run
        self.now = now
        self.tries = 0

    def fund(self, *, user_id: int, name: str) -> None:
        left = self.budget
        while left > 0:
            part = min(left, self.charge)
            self.tries += 1
            try:
                payment_services.wallet_top_up(
                    user_id=user_id,
                    amount_minor=part,
                    currency=self.currency,
                    funding_reference="simulate",
                    request_id=f"simulate-{self.run}-{self.tries}",
                    now=self.now,
                    actor_role=SYSTEM,
                )
            except payment_services.FundingDeclined as exc:
                if exc.params.get("reason") != "over_limit" or part < 2:
                    raise
                self.charge = part // 2
                continue
            left -= part


def _revoke(token_ids: Iterable[tuple[int, int]]) -> None:
    for user_id, token_id in token_ids:
        try:
            account_services.token_revoke(user_id=user_id, token_id=token_id)
        except NotFound:  # already revoked
            continue


def tokens_revoke(plan: Plan) -> None:
    """Revoke the API tokens ``prepare`` issued for this run (so runs do not pile them up)."""
    _revoke(plan.token_ids)


def prepare(
    *, festival_slug: str | None, buyers: int, attempts: int, payment: str, now: datetime
) -> Plan:
    """Pick the festival, its marketplace and the targets; create or reuse the buyers."""
    festival = _live_festival(festival_slug, now)
    sales = list(
        FlashSale.objects.filter(
            festival=festival, closed_at__isnull=True, ends_at__gt=now
        ).order_by("starts_at", "id")
    )
    if not sales:
        raise NothingToStorm(f"festival {festival.slug} has no open flash sales")
    units = _units([s.pk for s in sales])
    live = [s for s in sales if s.starts_at <= now] or sales
    hottest = max(live, key=lambda s: (units.get(s.pk, (0, 0))[0], -s.pk))
    currency = hottest.currency
    # The marketplace that sells the hottest item in its currency; the other targets are the
    # live sales and festival-priced variants that this marketplace sells too (a storm of
    # requests the checkout must refuse as "not for sale here" would measure nothing).
    marketplace = None
    for candidate in festival.marketplaces.order_by("id"):
        if variants_offered(
            marketplace_id=candidate.pk, variant_ids=[hottest.variant_id], currency=currency
        ):
            marketplace = candidate
            break
    if marketplace is None:
        raise NothingToStorm(f"festival {festival.slug}: no marketplace sells its hottest item")
    candidates = [
        Target(s.variant_id, s.pk, s.price_minor)
        for s in live
        if s.pk != hottest.pk and s.currency == currency
    ]
    flash_variants = {s.variant_id for s in sales}
    prices = (
        FestivalPrice.objects.filter(festival=festival, currency=currency)
        .exclude(variant_id__in=flash_variants)
        .order_by("id")
        .values_list("variant_id", "price_minor")[:MAX_OTHER_TARGETS]
    )
    candidates += [Target(variant_id, None, price) for variant_id, price in prices]
    sold_here = variants_offered(
        marketplace_id=marketplace.pk,
        variant_ids=[t.variant_id for t in candidates],
        currency=currency,
    )
    others = [t for t in candidates if t.variant_id in sold_here][: 2 * MAX_OTHER_TARGETS]
    highest = max([hottest.price_minor] + [t.price_minor for t in others])
    country = _country_for(marketplace.pk, currency)
    tokens, token_ids = _buyers(
        buyers,
        country=country,
        currency=currency,
        payment=payment,
        budget=highest * attempts * 3,  # room for taxes and shipping
        now=now,
    )
    return Plan(
        festival_slug=festival.slug,
        marketplace_slug=marketplace.slug,
        country=country,
        currency=currency,
        hot=Target(hottest.variant_id, hottest.pk, hottest.price_minor),
        others=tuple(others),
        tokens=tokens,
        flash_sale_ids=tuple(s.pk for s in sales),
        token_ids=token_ids,
    )


# the storm ----------------------------------------------------------------------------


def _kind(status: int, code: str) -> str:
    if status >= 500:
        return SERVER
    if code == "flash_sale_sold_out" or "stock" in code:
        return SOLD_OUT
    if code == "flash_sale_limit":
        return OVER_LIMIT
    if code == "flash_sale_not_started":
        return NOT_STARTED
    return OTHER_4XX


class _Client:
    """One keep-alive connection per thread."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request("POST", self.prefix + path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            replayed = response.getheader("Idempotent-Replayed") or ""
            if response.will_close:
                self.close()
            return response.status, data, replayed
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _body(plan: Plan, target: Target, payment: str) -> bytes:
    line: dict[str, int] = {"variant_id": target.variant_id, "quantity": 1}
    if target.flash_sale_id is not None:
        line["flash_sale_id"] = target.flash_sale_id
    address = {
        "name": "Sim Buyer",
        "line1": "1 Storm Road",
        "city": "Loopback",
        "postal_code": "10000",
        "country": plan.country,
    }
    return json.dumps(
        {
            "marketplace": plan.marketplace_slug,
            "country": plan.country,
            "lines": [line],
            "shipping_address": address,
            "payment_method": payment,
        }
    ).encode()


def _attempt(
    client: _Client, plan: Plan, token: str, target: Target, payment: str, tally: Tally
) -> None:
    body = _body(plan, target, payment)
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": f"sim-{uuid.uuid4().hex}",
    }
    status, data, replayed, failed = 0, b"", "", False
    started = time.perf_counter()
    for _try in range(2):  # a connection error or a 5xx: once more with the SAME key
        try:
            status, data, replayed = client.post(CHECKOUT_PATH, body, headers)
            failed = False
        except (OSError, http.client.HTTPException):
            failed = True
            continue
        if status < 500:
            break
    elapsed = (time.perf_counter() - started) * 1000
    code = ""
    numbers: list[str] = []
    if not failed and data:
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = {}
        if isinstance(parsed, dict):
            code = str(parsed.get("error") or "")
            numbers = [str(o.get("number")) for o in parsed.get("orders") or []]
    with tally.lock:
        tally.attempts += 1
        tally.latencies_ms.append(elapsed)
        if failed:
            tally.errors[CONNECTION] += 1
            return
        tally.statuses[status] += 1
        if status == 201:
            if replayed == "true":
                tally.replays += 1
            else:
                tally.accepted += 1
                tally.accepted_flash += target.flash_sale_id is not None
            tally.order_numbers.extend(numbers)
            return
        tally.errors[_kind(status, code)] += 1
        if code:
            tally.codes[code] += 1


def storm(
    plan: Plan,
    *,
    url: str,
    concurrency: int,
    attempts: int,
    seconds: float | None,
    hot_share: float,
    payment: str,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Tally, float]:
    """Run every buyer's attempts over ``concurrency`` threads (until ``seconds``)."""
    rng = random.Random(seed)  # noqa: S311 - which target, not a secret
    jobs: list[tuple[str, Target]] = []
    for _round in range(attempts):
        for token in plan.tokens:
            use_hot = not plan.others or rng.random() < hot_share
            jobs.append((token, plan.hot if use_hot else rng.choice(plan.others)))
    rng.shuffle(jobs)
    tally = Tally()
    index = [0]
    take = threading.Lock()
    started = time.perf_counter()
    deadline = None if seconds is None else started + seconds

    def work() -> None:
        client = _Client(url, timeout=30.0)
        try:
            while True:
                if deadline is not None and time.perf_counter() >= deadline:
                    return
                with take:
                    if index[0] >= len(jobs):
                        return
                    token, target = jobs[index[0]]
                    index[0] += 1
                _attempt(client, plan, token, target, payment, tally)
                if progress is not None:
                    progress(1)
        finally:
            client.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, concurrency))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _sold_and_allocated(sale_ids: tuple[int, ...]) -> tuple[int, int, int]:
    """(units sold, units allocated, units oversold) over these flash sales."""
    units = _units(list(sale_ids))
    quantities = dict(FlashSale.objects.filter(pk__in=sale_ids).values_list("pk", "quantity"))
    sold = sum(units.get(pk, (0, 0))[1] for pk in sale_ids)
    allocated = sum(quantities.values())
    oversold = sum(
        max(0, units.get(pk, (0, 0))[1] - quantity, -units.get(pk, (0, 0))[0])
        for pk, quantity in quantities.items()
    )
    return sold, allocated, oversold


def simulate(
    *,
    url: str,
    festival_slug: str | None,
    buyers: int,
    concurrency: int,
    attempts: int,
    seconds: float | None,
    payment: str,
    hot_share: float,
    now: datetime,
    seed: int | None = None,
    progress_factory: Callable[[int], Callable[[int], None]] | None = None,
) -> Report:
    """Set up, storm, read back. ``progress_factory(total)`` gives the progress callback."""
    setup_started = time.perf_counter()
    plan = prepare(
        festival_slug=festival_slug, buyers=buyers, attempts=attempts, payment=payment, now=now
    )
    try:
        sold_before, _allocated, _over = _sold_and_allocated(plan.flash_sale_ids)
        setup_seconds = time.perf_counter() - setup_started
        progress = None if progress_factory is None else progress_factory(buyers * attempts)
        tally, elapsed = storm(
            plan,
            url=url,
            concurrency=concurrency,
            attempts=attempts,
            seconds=seconds,
            hot_share=hot_share,
            payment=payment,
            seed=seed,
            progress=progress,
        )
    finally:
        tokens_revoke(plan)  # also when the storm fails or is interrupted
    sold, allocated, oversold = _sold_and_allocated(plan.flash_sale_ids)
    return Report(
        festival_slug=plan.festival_slug,
        buyers=buyers,
        concurrency=concurrency,
        attempts=tally.attempts,
        accepted=tally.accepted,
        accepted_flash=tally.accepted_flash,
        replays=tally.replays,
        errors=dict(tally.errors),
        codes=dict(tally.codes),
        statuses=dict(tally.statuses),
        units_sold=sold,
        units_sold_in_storm=sold - sold_before,
        units_allocated=allocated,
        oversold=oversold,
        seconds=elapsed,
        setup_seconds=setup_seconds,
        payment=payment,
        targets=1 + len(plan.others),
        p50_ms=_percentile(tally.latencies_ms, 0.50),
        p95_ms=_percentile(tally.latencies_ms, 0.95),
        p99_ms=_percentile(tally.latencies_ms, 0.99),
        order_numbers=tuple(tally.order_numbers),
    )
