from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from fiera.accounts import roles


class Role(models.TextChoices):
    """The account roles of ``fiera.accounts.roles`` with their labels (never ``SYSTEM``)."""

    OPERATOR = roles.OPERATOR, _("Operator")
    MERCHANT = roles.MERCHANT, _("Merchant staff")
    BUYER = roles.BUYER, _("Buyer")
    PARTNER = roles.PARTNER, _("Partner")
    LEARNER = roles.LEARNER, _("Learner")


class BuyerKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    BUSINESS = "business", _("Business")


class User(AbstractUser):
    """A person who signs in. One role per account; what a merchant's staff member may do
    in which company lives in ``merchants.StaffMembership``."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER)
    business_unit = models.CharField(
        max_length=80, blank=True, default="", help_text="Operators only: the unit they work for."
    )
    buyer_kind = models.CharField(max_length=16, choices=BuyerKind.choices, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="", help_text="ISO 3166-1 alpha-2")
    preferred_language = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=sorted(roles.ACCOUNT_ROLES)),
                name="user_role_is_an_account_role",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="operator") | ~models.Q(business_unit=""),
                name="operator_has_business_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="buyer")
                | models.Q(buyer_kind__in=["consumer", "business"]),
                name="buyer_has_kind",
            ),
        ]

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER

    @property
    def is_merchant_staff(self) -> bool:
        return self.role == Role.MERCHANT


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, default="api")
    prefix = models.CharField(max_length=8)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
