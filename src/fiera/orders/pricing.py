"""What a checkout costs: line prices (B2B tiers, MOQ), one group per merchant, and the
cross-border (CBEC) tax, computed the same way by the quote and by the checkout.

Everything here is pure computation over values the caller fetched, except
``cross_border_regime_for`` and ``allowance_used_minor`` (one query each).

CBEC tax of a line (China's rule: import VAT and consumption tax at ``tax_share`` = 70%,
no tariff, within the limits), computed the customs way from the goods value ``price``:

    consumption tax = price / (1 - ct) x ct
    VAT             = (price + consumption tax) x vat
    CBEC tax        = (consumption tax + VAT) x tax_share

with exact decimals, rounded ONCE per line, half up, at the minor unit
(``Money.apply_rate``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, localcontext
from typing import TypedDict

from django.utils.translation import gettext, gettext_lazy

from fiera.catalog.reservations import PricedVariant
from fiera.common.errors import Conflict, InvalidInput
from fiera.common.money import Money
from fiera.common.reference import is_country
from fiera.common.trade_terms import SAMPLE
from fiera.festivals.offers import (
    FLASH,
    FlashInfo,
    FlashSaleNotForThisItem,
    Offer,
    flash_refusal,
    flash_sale_info,
    offers_for,
)
from fiera.marketplaces.selectors import CountryNotServed, MarketplaceInfo
from fiera.orders.models import MAX_LINE_QUANTITY, CrossBorderAllowance, CrossBorderRegime

CROSS_BORDER_KIND = "b2c_cross_border"
B2B_KIND = "b2b_trade"  # a B2B marketplace: orders record their listing terms
MAX_DISTINCT_LINES = 100


class EmptyCheckout(InvalidInput):
    code = "empty_checkout"
    message_template = gettext_lazy("Your cart is empty.")


class InvalidQuantity(InvalidInput):
    code = "invalid_quantity"
    message_template = gettext_lazy("Enter a quantity of at least 1 and within the limit per line.")


class TooManyLines(InvalidInput):
    code = "too_many_lines"
    message_template = gettext_lazy("This order has too many lines; split it into smaller orders.")


class VariantUnavailable(InvalidInput):
    code = "variant_unavailable"
    message_template = gettext_lazy("Some items are no longer for sale here.")


class BelowMinimumOrder(InvalidInput):
    code = "below_minimum_order"
    message_template = gettext_lazy("%(sku)s is sold from %(min_order_quantity)s units.")


class SampleNotOffered(InvalidInput):
    code = "sample_not_offered"
    message_template = gettext_lazy("%(sku)s is not offered as a sample here.")


class SampleLimit(InvalidInput):
    code = "sample_limit"
    message_template = gettext_lazy(
        "A sample order holds 1 to %(sample_units)s units of %(sku)s; order more as a normal line."
    )


class PriceChanged(Conflict):
    code = "price_changed"
    message_template = gettext_lazy(
        "The price of %(sku)s changed from %(old_price)s to %(new_price)s; please check your order."
    )


class InvalidAddress(InvalidInput):
    code = "invalid_address"
    message_template = gettext_lazy("The delivery address is not complete or not valid.")


class CrossBorderOrderLimit(InvalidInput):
    code = "cross_border_order_limit"
    message_template = gettext_lazy(
        "A cross-border order may hold goods worth at most %(limit)s from one shop."
    )


class CrossBorderAnnualLimit(InvalidInput):
    code = "cross_border_annual_limit"
    message_template = gettext_lazy(
        "Your yearly cross-border shopping allowance is %(limit)s; %(left)s is left for %(year)s, "
        "less than the goods in this checkout."
    )


class CrossBorderMisconfigured(InvalidInput):
    code = "cross_border_misconfigured"
    message_template = gettext_lazy(
        "Cross-border shopping is not set up on this marketplace yet; please try later."
    )


@dataclass(frozen=True, slots=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    phone: str = ""


_ADDRESS_LIMITS = {
    "name": 120,
    "line1": 200,
    "line2": 200,
    "city": 120,
    "postal_code": 20,
    "phone": 32,
}


def address_check(address: ShippingAddress, *, destination: str) -> ShippingAddress:
    """The address trimmed, with the destination as country; refuses blanks and mismatches."""
    values = {key: str(getattr(address, key) or "").strip() for key in _ADDRESS_LIMITS}
    if any("\x00" in value for value in values.values()):
        raise InvalidAddress("the shipping address contains a NUL character")
    missing = [key for key in ("name", "line1", "city", "postal_code") if not values[key]]
    if missing:
        raise InvalidAddress(f"the shipping address needs {', '.join(missing)}", fields=missing)
    too_long = [key for key, limit in _ADDRESS_LIMITS.items() if len(values[key]) > limit]
    if too_long:
        raise InvalidAddress(f"too long: {', '.join(too_long)}", fields=too_long)
    country = (address.country or destination).strip().upper()
    if country != destination:
        raise InvalidAddress(
            f"the address is in {country!r} but the order ships to {destination}",
            fields=["country"],
        )
    return ShippingAddress(country=destination, **values)


def lines_normalize(lines: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge lines of the same variant and sort by variant id (the order stock rows are
    locked in). Each quantity, before and after merging, must be 1..999."""
    if not lines:
        raise EmptyCheckout("there is nothing to check out")
    merged: dict[int, int] = {}
    for variant_id, quantity in lines:
        if type(variant_id) is not int or type(quantity) is not int:
            raise InvalidQuantity("variant ids and quantities are whole numbers")
        if not 1 <= quantity <= MAX_LINE_QUANTITY:
            raise InvalidQuantity(
                f"quantity {quantity} of variant {variant_id} is outside 1..{MAX_LINE_QUANTITY}"
            )
        merged[variant_id] = merged.get(variant_id, 0) + quantity
    over = [variant_id for variant_id, quantity in merged.items() if quantity > MAX_LINE_QUANTITY]
    if over:
        raise InvalidQuantity(
            f"at most {MAX_LINE_QUANTITY} units of one variant per checkout (variant {over[0]})"
        )
    if len(merged) > MAX_DISTINCT_LINES:
        raise TooManyLines(f"at most {MAX_DISTINCT_LINES} different variants per checkout")
    return sorted(merged.items())


def samples_normalize(samples: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sample lines (variant_id, quantity) merged by variant and sorted, like
    ``lines_normalize`` but possibly empty; whether each may hold its quantity is
    ``quote_compute``'s to judge (``catalog.rules.sample_quantity_allowed``)."""
    merged: dict[int, int] = {}
    for variant_id, quantity in samples:
        if type(variant_id) is not int or type(quantity) is not int or quantity < 1:
            raise InvalidQuantity("sample lines need a variant id and a quantity of at least 1")
        merged[variant_id] = merged.get(variant_id, 0) + min(quantity, MAX_LINE_QUANTITY + 1)
    if len(merged) > MAX_DISTINCT_LINES:
        raise TooManyLines(f"at most {MAX_DISTINCT_LINES} different samples per checkout")
    return sorted(merged.items())


def request_fingerprint(payload: dict[str, object]) -> str:
    """SHA-256 of the normalised request (what an Idempotency-Key is bound to)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def currency_for(marketplace: MarketplaceInfo, country: str) -> str:
    """The currency a buyer shipping to ``country`` pays in (no query: from the info)."""
    if marketplace.countries.get(country):
        return marketplace.countries[country]
    if marketplace.worldwide and is_country(country):
        return marketplace.default_currency
    raise CountryNotServed(f"the marketplace {marketplace.name} does not ship to {country!r}")


def festival_offers_apply(
    *,
    marketplace_id: int,
    currency: str,
    priced: dict[int, PricedVariant],
    named: Mapping[int, int],
    now: datetime,
) -> dict[int, Offer]:
    """The festival offers that price ``priced``'s variants now (``priced`` is updated in
    place: an offer's price replaces the tiers). No SQL when no festival is near, one
    query otherwise (one more to explain a refused ``named`` flash sale)."""
    found = offers_for(
        marketplace_id=marketplace_id, currency=currency, variant_ids=list(priced), now=now
    )
    offers = dict(found.by_variant)
    for variant_id, sale_id in named.items():
        info: FlashInfo | None = found.flash_sales.get(sale_id) or flash_sale_info(
            flash_sale_id=sale_id
        )
        if info is None or info.variant_id != variant_id or info.currency != currency:
            raise FlashSaleNotForThisItem(
                f"flash sale {sale_id} does not sell variant {variant_id} in {currency}",
                flash_sale_id=sale_id,
                variant_id=variant_id,
            )
        refusal = flash_refusal(info, now=now)
        if refusal is not None:
            raise refusal
        if sale_id not in found.flash_sales:  # live, but not on this marketplace now
            raise FlashSaleNotForThisItem(
                f"flash sale {sale_id} is not sold on marketplace {marketplace_id}",
                flash_sale_id=sale_id,
                variant_id=variant_id,
            )
        offers[variant_id] = Offer(variant_id, FLASH, info.price_minor, info.festival_id, info)
    for variant_id, offer in offers.items():
        if variant_id in priced:
            priced[variant_id] = replace(priced[variant_id], tiers=((1, offer.price_minor),))
    return offers


# cross-border ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateRow:
    hs_prefix: str
    vat_rate: Decimal
    consumption_tax_rate: Decimal
    valid_from: date


@dataclass(frozen=True, slots=True)
class RegimeRates:
    regime_id: int
    currency: str
    per_order_limit_minor: int
    annual_limit_minor: int
    tax_share: Decimal
    rates: tuple[RateRow, ...]

    def rate_for(self, hs_code: str, on: date) -> RateRow:
        """The longest matching HS prefix; within it the latest row valid on ``on``."""
        best: RateRow | None = None
        for row in self.rates:
            if row.valid_from > on or not hs_code.startswith(row.hs_prefix):
                continue
            if (
                best is None
                or len(row.hs_prefix) > len(best.hs_prefix)
                or (len(row.hs_prefix) == len(best.hs_prefix) and row.valid_from > best.valid_from)
            ):
                best = row
        if best is None:
            raise CrossBorderMisconfigured(
                f"no cross-border tax rate covers HS code {hs_code} (load the rates first)"
            )
        return best


def cross_border_regime_for(*, marketplace_id: int, country: str) -> RegimeRates | None:
    """The CBEC regime for parcels to ``country`` with all its rates, in ONE query."""
    rows = list(
        CrossBorderRegime.objects.filter(
            marketplace_id=marketplace_id, destination_country=country
        ).values_list(
            "id",
            "currency",
            "per_order_limit_minor",
            "annual_limit_minor",
            "tax_share",
            "duty_rates__hs_prefix",
            "duty_rates__vat_rate",
            "duty_rates__consumption_tax_rate",
            "duty_rates__valid_from",
        )
    )
    if not rows:
        return None
    first = rows[0]
    return RegimeRates(
        regime_id=first[0],
        currency=first[1],
        per_order_limit_minor=first[2],
        annual_limit_minor=first[3],
        tax_share=Decimal(first[4]),
        rates=tuple(
            RateRow(str(r[5]), Decimal(r[6]), Decimal(r[7]), r[8]) for r in rows if r[5] is not None
        ),
    )


def cbec_tax_rate(
    *, vat_rate: Decimal, consumption_tax_rate: Decimal, tax_share: Decimal
) -> Decimal:
    """Tax per unit of goods value, exact to 50 digits (see the module docstring)."""
    with localcontext() as ctx:
        ctx.prec = 50
        consumption_tax = consumption_tax_rate / (1 - consumption_tax_rate)
        vat = (1 + consumption_tax) * vat_rate
        return (consumption_tax + vat) * tax_share


def cbec_line_tax_minor(
    *,
    goods_minor: int,
    currency: str,
    vat_rate: Decimal,
    consumption_tax_rate: Decimal,
    tax_share: Decimal,
) -> int:
    rate = cbec_tax_rate(
        vat_rate=vat_rate, consumption_tax_rate=consumption_tax_rate, tax_share=tax_share
    )
    return Money(goods_minor, currency).apply_rate(rate).amount_minor


def allowance_used_minor(*, buyer_id: int, year: int, currency: str) -> int:
    used = (
        CrossBorderAllowance.objects.filter(buyer_id=buyer_id, year=year, currency=currency)
        .values_list("used_minor", flat=True)
        .first()
    )
    return int(used or 0)


# the quote ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteLine:
    variant_id: int
    product_id: int
    merchant_id: int
    sku: str
    label: str
    name_it: str
    name_en: str
    name_zh: str
    hs_code: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    tax_minor: int
    vat_rate: Decimal | None = None
    consumption_tax_rate: Decimal | None = None
    units_available: int | None = None
    price_kind: str = "list"  # or "festival", "flash" (fiera.festivals.offers)
    flash_sale_id: int | None = None
    # the list price an offer replaced (set by ``selectors.checkout_quote`` for the pages)
    list_unit_price_minor: int | None = None


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """What one merchant's order will hold."""

    merchant_id: int
    lines: tuple[QuoteLine, ...]
    subtotal_minor: int
    tax_minor: int
    # --- listing terms ---
    # B2B terms the order records (``listing_terms_agreed``; blank on storefront orders)
    incoterm: str = ""
    incoterm_place: str = ""
    payment_terms: str = ""
    lead_time_days: int | None = None

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.tax_minor


@dataclass(frozen=True, slots=True)
class CrossBorderTerms:
    per_order_limit_minor: int
    annual_limit_minor: int
    annual_used_minor: int | None
    tax_share: Decimal
    year: int

    @property
    def annual_left_minor(self) -> int | None:
        if self.annual_used_minor is None:
            return None
        return max(self.annual_limit_minor - self.annual_used_minor, 0)


@dataclass(frozen=True, slots=True)
class CheckoutQuote:
    """Totals in minor units of ``currency``; one group per merchant, by merchant id."""

    marketplace_id: int
    country: str
    currency: str
    groups: tuple[QuoteGroup, ...]
    subtotal_minor: int
    tax_minor: int
    cross_border: CrossBorderTerms | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.tax_minor


def quote_compute(
    *,
    marketplace_id: int,
    country: str,
    currency: str,
    lines: Sequence[tuple[int, int]],
    priced: dict[int, PricedVariant],
    regime: RegimeRates | None,
    today: date,
    kinds: Mapping[int, tuple[str, int | None]] | None = None,
    samples: Sequence[tuple[int, int]] = (),
    listing_terms: bool = False,
) -> CheckoutQuote:
    """Price normalised ``lines`` (see ``lines_normalize``); refuses unavailable variants,
    quantities below the MOQ (``catalog.rules.order_minimum``), and orders over the CBEC per-order
    limit. The annual CBEC limit is the caller's to check (it needs the buyer's row).
    ``kinds``: variant -> (price kind, flash sale id) of the lines a festival offer priced
    (their ``priced`` tiers already hold the offer's price).

    ``samples`` (``samples_normalize``): sample lines, priced at the variant's sample price
    (``catalog.rules``: kind "sample", 1 to its ``sample_units``, outside the MOQ), after
    the merchant's other lines; a variant without samples is ``SampleNotOffered``, more
    units ``SampleLimit`` (422). ``listing_terms`` (a B2B marketplace): each group carries
    the terms its order records (``listing_terms_agreed``)."""
    unavailable = [variant_id for variant_id, _ in lines if variant_id not in priced]
    unavailable += [v for v, _ in samples if v not in priced and v not in unavailable]
    if unavailable:
        raise VariantUnavailable(
            "not for sale here in "
            + currency
            + ": variant "
            + ", ".join(str(v) for v in unavailable),
            variant_ids=unavailable,
        )
    if regime is not None and regime.currency != currency:
        raise CrossBorderMisconfigured(
            f"the cross-border limits are in {regime.currency} but this order is in {currency}"
        )
    by_merchant: dict[int, list[QuoteLine]] = {}
    sample_lines = [(variant_id, quantity, True) for variant_id, quantity in samples]
    for variant_id, quantity, is_sample in [*((v, q, False) for v, q in lines), *sample_lines]:
        variant = priced[variant_id]
        unit_price: int | None
        if is_sample:
            if not variant.offers_samples:
                raise SampleNotOffered(
                    f"{variant.sku} offers no samples in {currency}", sku=variant.sku
                )
            if not variant.sample_allowed(quantity):
                raise SampleLimit(
                    f"a sample line of {variant.sku} holds 1 to {variant.sample_units} units "
                    f"(asked {quantity})",
                    sku=variant.sku,
                    sample_units=variant.sample_units,
                )
            unit_price = variant.sample_price_minor
        else:
            minimum = variant.order_minimum
            unit_price = variant.unit_price_minor(quantity)
            if quantity < minimum or unit_price is None:
                raise BelowMinimumOrder(
                    f"{variant.sku} is sold from {minimum} units (asked {quantity})",
                    sku=variant.sku,
                    min_order_quantity=minimum,
                )
        assert unit_price is not None
        line_total = unit_price * quantity
        tax = 0
        vat: Decimal | None = None
        consumption: Decimal | None = None
        if regime is not None:
            rate = regime.rate_for(variant.hs_code, today)
            vat, consumption = rate.vat_rate, rate.consumption_tax_rate
            tax = cbec_line_tax_minor(
                goods_minor=line_total,
                currency=currency,
                vat_rate=vat,
                consumption_tax_rate=consumption,
                tax_share=regime.tax_share,
            )
        by_merchant.setdefault(variant.merchant_id, []).append(
            QuoteLine(
                variant_id=variant_id,
                product_id=variant.product_id,
                merchant_id=variant.merchant_id,
                sku=variant.sku,
                label=variant.label,
                name_it=variant.name_it,
                name_en=variant.name_en,
                name_zh=variant.name_zh,
                hs_code=variant.hs_code,
                quantity=quantity,
                unit_price_minor=unit_price,
                line_total_minor=line_total,
                tax_minor=tax,
                vat_rate=vat,
                consumption_tax_rate=consumption,
                units_available=variant.units_available,
                price_kind=(
                    SAMPLE if is_sample else (kinds or {}).get(variant_id, ("list", None))[0]
                ),
                flash_sale_id=None if is_sample else (kinds or {}).get(variant_id, (0, None))[1],
            )
        )
    groups = tuple(
        QuoteGroup(
            merchant_id=merchant_id,
            lines=tuple(group_lines),
            subtotal_minor=sum(line.line_total_minor for line in group_lines),
            tax_minor=sum(line.tax_minor for line in group_lines),
        )
        for merchant_id, group_lines in sorted(by_merchant.items())
    )
    if listing_terms:
        groups = tuple(
            replace(
                group,
                **listing_terms_agreed([priced[line.variant_id] for line in group.lines]),
            )
            for group in groups
        )
    terms: CrossBorderTerms | None = None
    if regime is not None:
        for group in groups:
            if group.subtotal_minor > regime.per_order_limit_minor:
                limit = Money(regime.per_order_limit_minor, currency)
                raise CrossBorderOrderLimit(
                    f"a cross-border order may hold goods worth at most {limit}; the order of "
                    f"merchant {group.merchant_id} holds {Money(group.subtotal_minor, currency)}",
                    limit_minor=regime.per_order_limit_minor,
                    merchant_id=group.merchant_id,
                    currency=currency,
                )
        terms = CrossBorderTerms(
            per_order_limit_minor=regime.per_order_limit_minor,
            annual_limit_minor=regime.annual_limit_minor,
            annual_used_minor=None,
            tax_share=regime.tax_share,
            year=today.year,
        )
    warnings = tuple(
        gettext("%(sku)s: only %(count)d in stock")
        % {"sku": line.sku, "count": line.units_available}
        for group in groups
        for line in group.lines
        if line.units_available is not None and line.units_available < line.quantity
    )
    return CheckoutQuote(
        marketplace_id=marketplace_id,
        country=country,
        currency=currency,
        groups=groups,
        subtotal_minor=sum(group.subtotal_minor for group in groups),
        tax_minor=sum(group.tax_minor for group in groups),
        cross_border=terms,
        warnings=warnings,
    )


def annual_limit_error(
    *, terms: CrossBorderTerms, used_minor: int, wanted_minor: int, currency: str
) -> CrossBorderAnnualLimit:
    left = max(terms.annual_limit_minor - used_minor, 0)
    return CrossBorderAnnualLimit(
        f"the yearly cross-border allowance is {Money(terms.annual_limit_minor, currency)}; "
        f"{Money(left, currency)} is left for {terms.year} and this checkout holds "
        f"{Money(wanted_minor, currency)} of goods",
        left_minor=left,
        limit_minor=terms.annual_limit_minor,
        year=terms.year,
        currency=currency,
    )


def expected_prices_check(quote: CheckoutQuote, expected: Mapping[int, int] | None) -> None:
    """``PriceChanged`` (409) when a line's unit price differs from what the buyer saw."""
    if not expected:
        return
    for group in quote.groups:
        for line in group.lines:
            if line.price_kind == SAMPLE:  # the expected price is the normal line's
                continue
            old = expected.get(line.variant_id)
            if old is not None and old != line.unit_price_minor:
                raise PriceChanged(
                    f"{line.sku}: expected {old}, now {line.unit_price_minor} {quote.currency}",
                    sku=line.sku,
                    variant_id=line.variant_id,
                    old_price_minor=old,
                    new_price_minor=line.unit_price_minor,
                    currency=quote.currency,
                )


# --- listing terms ---


class GroupTerms(TypedDict):
    incoterm: str
    incoterm_place: str
    payment_terms: str
    lead_time_days: int | None


def listing_terms_agreed(variants: Sequence[PricedVariant]) -> GroupTerms:
    """The B2B terms one order records from its lines' listings: the longest lead time
    among them (None when none promises one); the Incoterm and its place, and the payment
    terms, when every line agrees, else blank. Keyword arguments of ``QuoteGroup``."""
    leads = [v.lead_time_days for v in variants if v.lead_time_days is not None]
    incoterms = {(v.incoterm, v.incoterm_place) for v in variants}
    payments = {v.payment_terms for v in variants}
    incoterm, place = next(iter(incoterms)) if len(incoterms) == 1 else ("", "")
    return {
        "incoterm": incoterm,
        "incoterm_place": place if incoterm else "",
        "payment_terms": next(iter(payments)) if len(payments) == 1 else "",
        "lead_time_days": max(leads) if leads else None,
    }
