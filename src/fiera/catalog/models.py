from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fiera.catalog.rules import MAX_SAMPLE_UNITS
from fiera.catalog.search import SearchDocumentField
from fiera.common.trade_terms import INCOTERMS, MAX_LEAD_TIME_DAYS, PAYMENT_TERMS


class Category(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_it = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120)
    name_es = models.CharField(max_length=120, blank=True, default="")  # empty: English shown
    # normalized names for search (fiera.catalog.search), computed when saved
    search_names = SearchDocumentField(sources=("name_it", "name_en", "name_zh"))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_en


class Product(models.Model):
    """What a merchant sells, with names in it/en/zh, HS code and country of origin.

    ``merchant_id`` is the tenant key (distribution column under Citus).
    """

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=120)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    name_it = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200)
    description_it = models.TextField(blank=True, default="")
    description_en = models.TextField(blank=True, default="")
    description_zh = models.TextField(blank=True, default="")
    hs_code = models.CharField(max_length=10, help_text="Harmonized System code, 6 to 10 digits")
    origin_country = models.CharField(max_length=2, default="IT", help_text="ISO 3166-1 alpha-2")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # --- listing terms ---
    # B2B trade terms of the listing (``common.trade_terms``), blank when not set: the
    # promised lead time in days, the Incoterm with its named place ("FOB", "Genova") and
    # the payment terms ("assurance", "advance"). A B2B checkout snapshots them on the order.
    lead_time_days = models.PositiveSmallIntegerField(null=True, blank=True)
    incoterm = models.CharField(max_length=3, blank=True, default="")
    incoterm_place = models.CharField(max_length=80, blank=True, default="")
    payment_terms = models.CharField(max_length=12, blank=True, default="")
    # the search document (fiera.catalog.search), computed when saved or bulk-created
    search_names = SearchDocumentField(sources=("name_it", "name_en", "name_zh"))
    search_descriptions = SearchDocumentField(
        sources=("description_it", "description_en", "description_zh")
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "slug"], name="product_slug_per_merchant"),
            models.CheckConstraint(
                condition=models.Q(hs_code__regex=r"^[0-9]{6,10}$"), name="product_hs_code_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(lead_time_days__isnull=True)
                | models.Q(lead_time_days__lte=MAX_LEAD_TIME_DAYS),
                name="product_lead_time_range",
            ),
            models.CheckConstraint(
                condition=models.Q(incoterm="") | models.Q(incoterm__in=list(INCOTERMS)),
                name="product_incoterm_known",
            ),
            models.CheckConstraint(
                condition=models.Q(payment_terms="")
                | models.Q(payment_terms__in=list(PAYMENT_TERMS)),
                name="product_payment_terms_known",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "is_active"], name="product_merchant_active"),
            # the storefront's newest-first pages walk it and stop after a page
            models.Index(fields=["-created_at", "-id"], name="product_newest"),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name_for(self, language: str) -> str:
        if language.startswith("zh"):
            return self.name_zh or self.name_en
        if language.startswith("it"):
            return self.name_it or self.name_en
        return self.name_en


class ProductImage(models.Model):
    """A picture of a product: the original as uploaded (validated) and a thumbnail.

    Files live in Django's default storage (a folder under var/ in the demo, S3-compatible
    storage in production); ``position`` orders them, the first is the product's cover.
    """

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    # No single-column key in the database: catalog_product's key is (merchant_id, id);
    # migration 0008 adds the composite one (triggers on SQLite).
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", db_constraint=False
    )
    image = models.ImageField(upload_to="products/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="products/thumbs/", blank=True, default="")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["product", "position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="product_image_order")]

    def __str__(self) -> str:
        return self.image.name or ""


class Variant(models.Model):
    """A sellable unit (SKU) of a product: a size, a colour, a pack."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=64)
    label = models.CharField(max_length=120, blank=True, default="", help_text='e.g. "M / navy"')
    attributes = models.JSONField(default=dict, blank=True)
    weight_grams = models.PositiveIntegerField(default=0)
    min_order_quantity = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    # --- listing terms: samples ---
    # A variant may offer samples (``catalog.rules``): at most ``sample_units`` (1 or 2; 0:
    # no samples) per order at ``sample_price_minor`` in ``sample_currency`` (the B2B
    # marketplace's), outside the MOQ.
    sample_units = models.PositiveSmallIntegerField(default=0)
    sample_price_minor = models.BigIntegerField(null=True, blank=True)
    sample_currency = models.CharField(max_length=3, blank=True, default="")

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sku"], name="sku_per_merchant"),
            models.CheckConstraint(
                condition=models.Q(min_order_quantity__gte=1), name="variant_moq_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(sample_units=0)
                | models.Q(
                    sample_units__lte=MAX_SAMPLE_UNITS,
                    sample_price_minor__gt=0,
                    sample_currency__regex=r"^[A-Z]{3}$",
                ),
                name="variant_sample_offer",
            ),
        ]

    def __str__(self) -> str:
        return self.sku


class Price(models.Model):
    """The price of a variant on one marketplace in one currency, from ``min_quantity`` up.

    Several rows with rising ``min_quantity`` form B2B price tiers; B2C has one row at 1.
    """

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="prices")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.CASCADE, related_name="+"
    )
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    min_quantity = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "variant", "marketplace", "currency", "min_quantity"],
                name="price_tier_once",
            ),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="price_positive"),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1), name="price_tier_from_one"
            ),
        ]
        indexes = [models.Index(fields=["marketplace", "currency", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.marketplace_id}: {self.amount_minor} {self.currency}"


class Warehouse(models.Model):
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2, default="IT")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="warehouse_code_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class StockLevel(models.Model):
    """Units of a variant on hand in one warehouse; never below zero (database-enforced).

    Checkout reserves stock by decrementing ``units_on_hand`` with a conditional UPDATE
    in the order transaction; cancelling puts the units back.
    """

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_levels")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    units_on_hand = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "variant", "warehouse"], name="stock_once_per_warehouse"
            ),
            models.CheckConstraint(
                condition=models.Q(units_on_hand__gte=0), name="stock_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.units_on_hand}"


class StockMovementKind(models.TextChoices):
    SET = "set", _("Counted (set)")
    ADJUST = "adjust", _("Adjusted")
    RELEASE = "release", _("Released (order cancelled or refunded)")


class StockMovement(models.Model):
    """One change of a stock level made through the catalog services: who, why, how much.

    Append-only audit trail of ``stock_set`` / ``stock_adjust`` and of the units an order
    gives back (``stock_release``, kind "release"). ``delta`` is the signed change in
    units, ``units_after`` the level it left. Checkout reservations (orders) move
    ``units_on_hand`` in their own transaction and are traced by their order lines.
    """

    stock_level = models.ForeignKey(StockLevel, on_delete=models.CASCADE, related_name="movements")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=StockMovementKind.choices)
    delta = models.IntegerField(help_text="signed change in units")
    units_after = models.IntegerField()
    reason = models.CharField(max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units_after__gte=0), name="stock_movement_never_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "-created_at"], name="stockmove_merchant_recent")
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.delta:+d} -> {self.units_after}"
