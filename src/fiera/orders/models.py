"""Orders: carts, checkouts, orders per merchant and their lines, shipments, refunds,
idempotency records, and the cross-border (CBEC) regime data with buyers' allowances.

Money columns are integer minor units (``*_minor``) next to an ISO 4217 ``currency``.
Rates (VAT, consumption tax, tax share) are exact decimals, never floats; they are data
(``cross_border_rates_load``), not code. ``merchant_id`` is the tenant key of every
order, line, shipment and refund row (the distribution column under Citus).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MAX_LINE_QUANTITY = 999


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Cart(models.Model):
    """The one open cart of a buyer on a marketplace. Checking out empties it."""

    buyer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "marketplace"], name="one_cart_per_buyer_marketplace"
            )
        ]

    def __str__(self) -> str:
        return f"cart {self.pk} of {self.buyer_id}@{self.marketplace_id}"


class CartLine(models.Model):
    """A variant in a cart. ``buyer`` repeats the cart's buyer (the tenant key of the buyer's
    side, database-checked); ``variant`` belongs to another tenant (a merchant), so no
    database foreign key ties them (fiera.common.citus)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    buyer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "cart", "variant"], name="cart_line_once_per_variant"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY),
                name="cart_line_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


class Checkout(models.Model):
    """What one checkout created: one order per merchant, placed together.

    ``subtotal_minor`` is the goods value, ``tax_minor`` the cross-border tax collected
    (0 outside a cross-border regime), ``total_minor`` = subtotal + tax, all in ``currency``.
    """

    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.PROTECT, related_name="+"
    )
    country = models.CharField(max_length=2, help_text="destination, ISO 3166-1 alpha-2")
    currency = models.CharField(max_length=3)
    subtotal_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField()
    payment_method = models.CharField(max_length=16)
    cross_border = models.BooleanField(default=False)
    order_count = models.PositiveSmallIntegerField()
    placed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["buyer", "placed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal_minor__gte=0, tax_minor__gte=0, total_minor__gte=0),
                name="checkout_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_minor=F("subtotal_minor") + F("tax_minor")),
                name="checkout_total_is_subtotal_plus_tax",
            ),
            models.CheckConstraint(condition=Q(order_count__gte=1), name="checkout_has_orders"),
        ]

    def __str__(self) -> str:
        return f"checkout {self.pk}"


class Order(models.Model):
    """One merchant's part of a checkout. ``number`` is what people quote ("F000042-1").

    Amounts in minor units of ``currency``; ``refunded_minor`` is the sum of refunds and
    never exceeds ``total_minor``. ``cross_border_year`` is the calendar year whose CBEC
    allowance this order's goods value was counted against (null outside a regime).
    """

    # The checkout is the buyer's (another co-location group): no database foreign key.
    checkout = models.ForeignKey(
        Checkout, on_delete=models.PROTECT, related_name="orders", db_constraint=False
    )
    number = models.CharField(max_length=24)  # unique per merchant; built from the checkout id
    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    currency = models.CharField(max_length=3)
    subtotal_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField()
    refunded_minor = models.BigIntegerField(default=0)
    payment_method = models.CharField(max_length=16)
    cross_border_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ship_name = models.CharField(max_length=120)
    ship_line1 = models.CharField(max_length=200)
    ship_line2 = models.CharField(max_length=200, blank=True, default="")
    ship_city = models.CharField(max_length=120)
    ship_postal_code = models.CharField(max_length=20)
    ship_country = models.CharField(max_length=2)
    ship_phone = models.CharField(max_length=32, blank=True, default="")
    placed_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    # A method that lets the buyer pay after checkout ("wallet_later") sets the deadline;
    # a placed order still unpaid after it is cancelled (``orders_expire_unpaid``).
    payment_due_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # B2B terms (``common.trade_terms``), blank on storefront orders: the Incoterm and its
    # named place ("FOB", "Genova"), the payment terms, the promised lead time and, for an
    # order created by accepting a quote, the quote's reference (its lines are "contract").
    incoterm = models.CharField(max_length=3, blank=True, default="", db_default="")
    incoterm_place = models.CharField(max_length=80, blank=True, default="", db_default="")
    payment_terms = models.CharField(max_length=12, blank=True, default="", db_default="")
    lead_time_days = models.PositiveSmallIntegerField(null=True, blank=True)
    quote_ref = models.CharField(max_length=32, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["number"], name="order_number"),  # lookups by number
            models.Index(fields=["buyer", "placed_at"]),
            models.Index(fields=["merchant", "status", "placed_at"]),
            models.Index(fields=["status", "placed_at"]),
            models.Index(
                fields=["payment_due_at"],
                condition=Q(status="placed", payment_due_at__isnull=False),
                name="order_payment_due",
            ),  # the orders waiting for their payment, for the expiry job
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "number"], name="order_number_per_merchant"
            ),
            models.CheckConstraint(
                condition=Q(
                    subtotal_minor__gte=0,
                    tax_minor__gte=0,
                    total_minor__gte=0,
                    refunded_minor__gte=0,
                ),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_minor=F("subtotal_minor") + F("tax_minor")),
                name="order_total_is_subtotal_plus_tax",
            ),
            models.CheckConstraint(
                condition=Q(refunded_minor__lte=F("total_minor")), name="order_refunds_within_total"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in {OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.SHIPPED}

    @property
    def awaiting_payment(self) -> bool:
        """Placed by a method that lets the buyer pay later, and not paid yet."""
        return (
            self.status == OrderStatus.PLACED
            and self.payment_due_at is not None
            and self.paid_at is None
        )

    @property
    def cancelled_unpaid(self) -> bool:
        """Cancelled because it was not paid by its deadline (``payment_due_at``)."""
        return (
            self.status == OrderStatus.CANCELLED
            and self.payment_due_at is not None
            and self.paid_at is None
            and self.cancelled_at is not None
            and self.cancelled_at >= self.payment_due_at
        )


class OrderLine(models.Model):
    """A variant bought in an order, with the names and prices as they were at checkout.

    ``line_total_minor`` = ``unit_price_minor`` x ``quantity``; ``tax_minor`` is the
    cross-border tax of the line, rounded once (half up) at the minor unit.
    ``warehouse`` is where the units were reserved, so cancelling puts them back there.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    label = models.CharField(max_length=120, blank=True, default="")
    name_it = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200)
    hs_code = models.CharField(max_length=10, blank=True, default="")
    quantity = models.PositiveIntegerField()
    unit_price_minor = models.BigIntegerField()
    line_total_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField(default=0)
    # What priced the line: the marketplace's price list ("list"), a festival price
    # ("festival") or a flash sale ("flash", whose units came from ``flash_sale_id``'s
    # buckets rather than the warehouse stock, and go back there when the order is cancelled),
    # on the B2B marketplace an accepted quote's price ("contract") or a sample ("sample").
    price_kind = models.CharField(max_length=8, default="list")
    flash_sale_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY),
                name="order_line_quantity_range",
            ),
            models.CheckConstraint(
                condition=Q(unit_price_minor__gte=0, line_total_minor__gte=0, tax_minor__gte=0),
                name="order_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(line_total_minor=F("unit_price_minor") * F("quantity")),
                name="order_line_total_is_price_times_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class Shipment(models.Model):
    """A package sent for an order, with the carrier's tracking number."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    carrier = models.CharField(max_length=60)
    tracking_number = models.CharField(max_length=60)
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "carrier", "tracking_number"],
                name="tracking_number_once_per_carrier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class Refund(models.Model):
    """Money given back on an order (partial or full), in the order's currency."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount_minor} {self.currency} on {self.order_id}"


class IdempotencyRecord(models.Model):
    """A buyer's Idempotency-Key and the checkout it produced.

    ``request_sha256`` fingerprints the normalised request, so a key reused with another
    body is refused; ``result`` is the checkout result as first returned, replayed as is.
    """

    buyer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="+")
    result = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "key"], name="idempotency_key_once_per_buyer")
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id}:{self.key}"


def _rate_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": Decimal(0), f"{field}__lt": Decimal(1)}), name=name
    )


class CrossBorderRegime(models.Model):
    """The retail cross-border e-commerce (CBEC) rules for parcels sent from a marketplace to
    one destination country: value limits per order and per buyer per calendar year, and the
    share of import VAT + consumption tax collected (China: 70%, no tariff within limits).
    """

    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.CASCADE, related_name="+"
    )
    destination_country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    per_order_limit_minor = models.BigIntegerField()
    annual_limit_minor = models.BigIntegerField()
    tax_share = models.DecimalField(max_digits=5, decimal_places=4)
    source = models.TextField(blank=True, default="", help_text="the public rule it comes from")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cross-border regime")
        verbose_name_plural = _("cross-border regimes")
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace", "destination_country"], name="one_regime_per_destination"
            ),
            models.CheckConstraint(
                condition=Q(per_order_limit_minor__gt=0, annual_limit_minor__gt=0),
                name="regime_limits_positive",
            ),
            models.CheckConstraint(
                condition=Q(tax_share__gte=Decimal(0), tax_share__lte=Decimal(1)),
                name="regime_tax_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"CBEC {self.marketplace_id}->{self.destination_country}"


class DutyRate(models.Model):
    """Import VAT and consumption tax for goods whose HS code starts with ``hs_prefix``.

    The longest matching prefix wins; the empty prefix is the rate for general goods.
    Among rows of one prefix, the latest ``valid_from`` on or before the day applies.
    """

    regime = models.ForeignKey(
        CrossBorderRegime, on_delete=models.CASCADE, related_name="duty_rates"
    )
    hs_prefix = models.CharField(max_length=10, blank=True, default="")
    description = models.CharField(max_length=200, blank=True, default="")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    consumption_tax_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0))
    valid_from = models.DateField()
    source = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("duty rate")
        verbose_name_plural = _("duty rates")
        ordering = ["regime_id", "hs_prefix", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "hs_prefix", "valid_from"], name="duty_rate_once_per_prefix_day"
            ),
            models.CheckConstraint(
                condition=Q(hs_prefix__regex=r"^[0-9]{0,10}$"), name="duty_rate_hs_prefix_digits"
            ),
            _rate_range("vat_rate", "duty_rate_vat_range"),
            _rate_range("consumption_tax_rate", "duty_rate_consumption_tax_range"),
        ]

    def __str__(self) -> str:
        return f"{self.hs_prefix or '*'}: VAT {self.vat_rate}, CT {self.consumption_tax_rate}"


class CrossBorderAllowance(models.Model):
    """How much of the annual CBEC limit a buyer used in a calendar year, in ``currency``.

    Incremented by one conditional upsert at checkout (``used + x <= limit``) and given
    back when an order is cancelled before shipping.
    """

    buyer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    used_minor = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cross-border allowance")
        verbose_name_plural = _("cross-border allowances")
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "year", "currency"], name="allowance_once_per_buyer_year"
            ),
            models.CheckConstraint(condition=Q(used_minor__gte=0), name="allowance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} {self.year}: {self.used_minor} {self.currency}"


class SavedAddress(models.Model):
    """An address in a buyer's address book, picked at checkout. At most one is the
    buyer's default (a partial unique index); ``buyer_id`` is the tenant key."""

    buyer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    phone = models.CharField(max_length=32, blank=True, default="")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")
        ordering = ["-is_default", "id"]
        indexes = [models.Index(fields=["buyer", "is_default"], name="saved_address_by_buyer")]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer"],
                condition=Q(is_default=True),
                name="one_default_address_per_buyer",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="saved_address_country_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city} ({self.country})"
