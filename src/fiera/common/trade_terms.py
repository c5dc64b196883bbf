"""The vocabulary of B2B trade terms shared by listings, quotes, orders and documents.

Incoterms are the eleven rules of Incoterms 2020 (ICC). Payment terms are the ways Fiera
can actually settle a B2B order today: through trade assurance (the buyer's payment is held
in escrow and released to the supplier on confirmed delivery) or paid in advance straight
to the supplier (an ordinary wallet payment, no escrow).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fiera.common.errors import InvalidInput

# code -> (name, whether the rule names a port: the four sea and inland waterway rules)
INCOTERMS: dict[str, tuple[object, bool]] = {
    "EXW": (_("Ex Works"), False),
    "FCA": (_("Free Carrier"), False),
    "CPT": (_("Carriage Paid To"), False),
    "CIP": (_("Carriage and Insurance Paid To"), False),
    "DAP": (_("Delivered at Place"), False),
    "DPU": (_("Delivered at Place Unloaded"), False),
    "DDP": (_("Delivered Duty Paid"), False),
    "FAS": (_("Free Alongside Ship"), True),
    "FOB": (_("Free on Board"), True),
    "CFR": (_("Cost and Freight"), True),
    "CIF": (_("Cost, Insurance and Freight"), True),
}

ASSURANCE = "assurance"
ADVANCE = "advance"
PAYMENT_TERMS: dict[str, object] = {
    ASSURANCE: _(
        "Trade assurance: paid into escrow, released to the supplier on confirmed delivery"
    ),
    ADVANCE: _("Paid in advance to the supplier"),
}

# Order line price kinds beyond the storefront's "list", "festival" and "flash".
CONTRACT = "contract"  # the unit price of an accepted quote
SAMPLE = "sample"  # a sample order: 1-2 units at the sample price, outside the MOQ

MAX_LEAD_TIME_DAYS = 365


class InvalidTerms(InvalidInput):
    code = "invalid_trade_terms"
    message_template = _(
        "Check the trade terms: an Incoterm (%(incoterms)s), the payment terms and a lead "
        "time of 0 to 365 days."
    )

    def __init__(self, detail: str = "", **extra: object) -> None:
        extra.setdefault("incoterms", ", ".join(INCOTERMS))
        super().__init__(detail, **extra)


def incoterm_check(code: object) -> str:
    """The Incoterm code in capitals; ``InvalidTerms`` (422) names the valid ones."""
    value = code.strip().upper() if isinstance(code, str) else ""
    if value not in INCOTERMS:
        raise InvalidTerms(f"incoterm: one of {', '.join(INCOTERMS)}")
    return value


def payment_terms_check(code: object) -> str:
    if not isinstance(code, str) or code not in PAYMENT_TERMS:
        raise InvalidTerms(f"payment_terms: one of {', '.join(PAYMENT_TERMS)}")
    return code


def lead_time_check(days: object) -> int:
    if type(days) is not int or not 0 <= days <= MAX_LEAD_TIME_DAYS:
        raise InvalidTerms(f"lead_time_days: a whole number of days from 0 to {MAX_LEAD_TIME_DAYS}")
    return days


def incoterm_name(code: str) -> str:
    entry = INCOTERMS.get(code)
    return str(entry[0]) if entry else code


def payment_terms_name(code: str) -> str:
    return str(PAYMENT_TERMS.get(code, code))
