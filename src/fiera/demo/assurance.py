"""Demo B2B orders under trade assurance (decision 0016), so that every page of it shows
real content: the README's business buyer (``buyer-b2b``) has, on the trade marketplace,
an order whose payment is held (shipped, waiting for "Confirm receipt"), one released to
the supplier after the buyer confirmed receipt, one with a dispute open (both sides wrote,
with evidence) and one whose dispute an operator upheld (refunded). The operator's queue
shows the open one.

Everything goes through the services, as the people would: the checkout with the
"assurance" method (the wallet's USD held in escrow), shipping and delivery by the
supplier's staff, confirm receipt, the dispute and its decision. The release is booked the
day before the demo's ``now`` and settled at once, as every payment of a past day is."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

from PIL import Image, ImageDraw

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.catalog.models import Price, StockLevel
from fiera.common.errors import DomainError
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import StaffMembership
from fiera.orders import services as orders
from fiera.orders.models import Order
from fiera.payments import services as payments
from fiera.payments.models import FxRate, SettlementRun
from fiera.trade import services as trade

BUYER_USERNAME = "buyer-b2b"
TRADE = "trade"
TOP_UP_MINOR = 2_000_000  # USD 20,000.00: the most the simulated funding source takes at once
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _photo() -> bytes:
    """A drawn "photo" of a dented carton (no file from the internet)."""
    picture = Image.new("RGB", (480, 320), (214, 190, 150))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((60, 60, 420, 260), outline=(120, 90, 50), width=6)
    draw.polygon([(300, 60), (420, 60), (420, 170)], fill=(160, 130, 90))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _address(user: User) -> dict[str, str]:
    return {
        "name": user.get_full_name() or user.username,
        "line1": "200 Harbor Boulevard",
        "city": "Newark",
        "postal_code": "07114",
        "country": "US",
        "phone": "+1 973 555 0100",
    }


def _offers(market: Marketplace) -> list[tuple[int, int, int, int, int]]:
    """(variant, quantity (its MOQ), staff user, unit price, merchant) of in-stock variants of
    merchants with a staff login, cheapest first, one per merchant."""
    staffed = dict(StaffMembership.objects.values_list("merchant_id", "user_id"))
    in_stock = StockLevel.objects.filter(units_on_hand__gte=60).values("variant_id")
    rows = (
        Price.objects.filter(
            marketplace=market,
            currency=market.default_currency,
            min_quantity=1,
            variant_id__in=in_stock,
            merchant_id__in=list(staffed),
        )
        .order_by("amount_minor", "variant_id")
        .values_list("variant_id", "merchant_id", "variant__min_order_quantity", "amount_minor")[
            :200
        ]
    )
    seen: set[int] = set()
    found = []
    for variant_id, merchant_id, moq, amount in rows:
        if merchant_id in seen:
            continue
        seen.add(merchant_id)
        found.append((variant_id, max(1, moq or 1), staffed[merchant_id], amount, merchant_id))
    return found


def build_assurance(*, now: datetime) -> str:
    """Place and move the demo's trade-assurance orders; returns one summary line."""
    market = Marketplace.objects.filter(slug=TRADE).first()
    buyer = User.objects.filter(username=BUYER_USERNAME).first()
    operator = User.objects.filter(role=OPERATOR).order_by("pk").first()
    if market is None or buyer is None or operator is None:
        return "assurance      skipped: no trade marketplace, business buyer or operator"
    if Order.objects.filter(buyer=buyer, payment_method="assurance").exists():
        return "assurance      already built"
    release_day = now.date() - timedelta(days=1)
    if (
        payments.settlement_currency() != market.default_currency
        and not FxRate.objects.filter(quote=market.default_currency, date__lte=release_day).exists()
    ):  # a release pays the supplier in the settlement currency, through FX
        return "assurance      skipped: no FX rates (built with the outlets and rates step)"
    # The release is booked yesterday and settled at once (every payment of a past day is
    # in a settlement run): the released order goes to a supplier with no run from that day
    # on, so that the run made here is the one that takes its payment.
    release_at = datetime.combine(release_day, time(15, 0), tzinfo=UTC)
    candidates = _offers(market)
    settled = set(
        SettlementRun.objects.filter(day__gte=release_day).values_list("merchant_id", flat=True)
    )
    fresh = [o for o in candidates if o[4] not in settled]
    if len(candidates) < 4 or not fresh:
        return "assurance      skipped: fewer than 4 suppliers with stock and staff"
    rest = [o for o in candidates if o is not fresh[0]]
    offers = [rest[0], fresh[0], rest[1], rest[2]]  # held, released, disputed, decided
    start = now - timedelta(days=12)
    payments.wallet_open(user_id=buyer.pk, currency="USD", now=start, actor_role=SYSTEM)
    needed = sum(o[1] * o[3] for o in offers) * 13 // 10  # + taxes
    for n in range(-(-needed // TOP_UP_MINOR)):
        payments.wallet_top_up(
            user_id=buyer.pk,
            amount_minor=TOP_UP_MINOR,
            currency="USD",
            funding_reference="demo bank transfer",
            request_id=f"demo-assurance-funds-{n}",
            now=start,
            actor_role=SYSTEM,
        )
    placed: list[tuple[str, int]] = []
    for n, (variant_id, quantity, staff_id, _price, _merchant) in enumerate(offers):
        try:
            result = orders.checkout_submit(
                buyer_id=buyer.pk,
                marketplace_slug=market.slug,
                country="US",
                lines=[(variant_id, quantity)],
                shipping_address=_address(buyer),
                payment_method="assurance",
                now=start + timedelta(hours=n),
                actor_role=BUYER,
            )
        except DomainError as exc:
            return f"assurance      skipped: the checkout refused ({exc.code})"
        number = result.orders[0].number
        placed.append((number, staff_id))
        orders.order_ship(
            actor_id=staff_id,
            actor_role=MERCHANT,
            number=number,
            carrier="Maersk",
            tracking_number=f"MSKU{7_100_000 + int(result.checkout_id) * 10 + n}",
            now=start + timedelta(days=2, hours=n),
        )
    (held, _), (released, _), (disputed, disputed_staff), (decided, _) = placed
    for number, staff_id in placed[1:]:
        orders.order_deliver(
            actor_id=staff_id, actor_role=MERCHANT, number=number, now=now - timedelta(days=6)
        )
    trade.receipt_confirm(
        actor_id=buyer.pk, actor_role=BUYER, order_number=released, now=release_at
    )
    payments.settlement_run(
        day=release_day, now=now, merchant_ids=[offers[1][4]], actor_role=SYSTEM
    )
    open_one = trade.dispute_open(
        actor_id=buyer.pk,
        actor_role=BUYER,
        order_number=disputed,
        reason="damaged",
        statement="Four parcels arrived crushed and the bottles inside are broken. "
        "Photos of the pallet on arrival are attached.",
        now=now - timedelta(days=4),
    )
    trade.dispute_message_add(
        actor_id=buyer.pk,
        actor_role=BUYER,
        dispute_id=open_one.id,
        body="Photo of the pallet as the courier left it.",
        evidence=_photo(),
        evidence_name="pallet-on-arrival.png",
        now=now - timedelta(days=4, hours=-1),
    )
    trade.dispute_message_add(
        actor_id=disputed_staff,
        actor_role=MERCHANT,
        dispute_id=open_one.id,
        body="The goods left our warehouse intact: the signed delivery note is attached. "
        "We have asked the carrier for its damage report.",
        evidence=PDF,
        evidence_name="delivery-note-signed.pdf",
        now=now - timedelta(days=3),
    )
    closed = trade.dispute_open(
        actor_id=buyer.pk,
        actor_role=BUYER,
        order_number=decided,
        reason="quantity_short",
        statement="We ordered the full lot but received only half of the cartons.",
        now=now - timedelta(days=5),
    )
    trade.dispute_decide(
        actor_id=operator.pk,
        actor_role=OPERATOR,
        dispute_id=closed.id,
        outcome="upheld",
        reason="The carrier's delivery note confirms half of the cartons; the supplier did not "
        "answer within the time given. The payment goes back to the buyer.",
        now=now - timedelta(hours=1),
    )
    return (
        f"assurance      4 B2B orders in escrow for {BUYER_USERNAME}: {held} held, "
        f"{released} released, {disputed} disputed, {decided} dispute upheld"
    )
