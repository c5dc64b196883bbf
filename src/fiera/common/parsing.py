"""Numbers that people type or files carry, parsed in ONE place: pages, forms, CSV
readers and the CLI call these instead of ``int()``.

Only ASCII digits count. ``str.isdigit()`` is true for "²" (which ``int()`` then
refuses) and for Arabic-Indic "٣" (which ``int()`` accepts, though the database and
every code format here want "3"), so neither is ever the test of a number. Every
parsed integer is bounded, by default to what a BIGINT column holds, so that no typed
value reaches the database out of range.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fiera.common.errors import InvalidInput
from fiera.common.money import Money, MoneyError

BIGINT_MAX = 2**63 - 1
"""The largest value a BIGINT (and SQLite INTEGER) column holds: the bound of ids."""

PAGE_MAX = 10_000
"""The last page number a paged list serves; beyond it, the last page is shown."""

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:[.,][0-9]{1,6})?")


class InvalidNumber(InvalidInput):
    """A value that should be a whole number (or an amount) is not one, or is out of range."""

    code = "invalid_number"
    message_template = gettext_lazy("Enter a whole number (or an amount) within the allowed range.")

    def message(self) -> str:
        # The parser words its ``detail`` for people, translated when it raises (naming the
        # field and the bound), unless it gives a ``message`` of its own (then ``detail`` is
        # the technical account); the template is the fallback.
        if self._message is not None:
            return super().message()
        return self.detail or super().message()


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of the digits 0-9 and nothing else ("²", "٣" are not)."""
    return text.isascii() and text.isdigit()


def _read_int(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if _INTEGER.fullmatch(value) else None


def _within(number: int, minimum: int | None, maximum: int | None) -> bool:
    return (minimum is None or number >= minimum) and (maximum is None or number <= maximum)


def parse_int(
    text: str | None,
    *,
    field: str,
    minimum: int | None = 0,
    maximum: int | None = BIGINT_MAX,
) -> int:
    """The whole number written in ``text`` (surrounding blanks ignored; an optional sign;
    ASCII digits only), within ``minimum``..``maximum`` (None: unbounded on that side).

    Raises ``InvalidNumber`` naming ``field`` for anything else, an absent value included.
    """
    number = _read_int(text)
    if number is None:
        raise InvalidNumber(
            _("%(field)s: write a whole number with the digits 0-9.") % {"field": field}
        )
    if minimum is not None and number < minimum:
        raise InvalidNumber(
            _("%(field)s: at least %(minimum)d.") % {"field": field, "minimum": minimum}
        )
    if maximum is not None and number > maximum:
        raise InvalidNumber(
            _("%(field)s: at most %(maximum)d.") % {"field": field, "maximum": maximum}
        )
    return number


def parse_int_or_none(
    text: str | None, *, minimum: int | None = 0, maximum: int | None = BIGINT_MAX
) -> int | None:
    """Like ``parse_int``, but None for an absent, malformed or out-of-range value: for
    filters and choices a page may ignore or refuse as it sees fit. Needs no settings
    (the CLI calls it before Django is set up)."""
    number = _read_int(text)
    return number if number is not None and _within(number, minimum, maximum) else None


def parse_id(text: str | None) -> int | None:
    """A database id (1..BIGINT_MAX) from a query or form value, or None."""
    return parse_int_or_none(text, minimum=1, maximum=BIGINT_MAX)


def parse_page(text: str | None, *, last: int = PAGE_MAX) -> int:
    """A page number from ``?page=``: 1 when absent or not a number, at most ``last``."""
    number = parse_int_or_none(text, minimum=None, maximum=None)
    if number is None:
        return 1
    return min(max(number, 1), last)


def parse_amount_minor(text: str | None, currency: str, *, field: str) -> int:
    """A major-unit amount typed by a person ("12.50", "12,50") in minor units of
    ``currency``, exact (no more decimals than the currency has), ASCII digits only and
    at most 15 integer digits. Raises ``InvalidNumber`` naming ``field``."""
    value = (text or "").strip()
    if not _DECIMAL.fullmatch(value):
        raise InvalidNumber(
            _("%(field)s: write an amount such as 12.50 with the digits 0-9.") % {"field": field}
        )
    try:
        return Money.from_major(value.replace(",", "."), currency).amount_minor
    except MoneyError as exc:
        # The reason in words (too many decimals for the currency, too large); the
        # technical text stays in the error's context.
        raise InvalidNumber(
            str(exc),
            message=gettext_lazy(
                "%(field)s: this is not an amount in %(currency)s; check the number of decimals "
                "and the size."
            ),
            field=field,
            currency=currency,
        ) from None


class IntegerField(forms.IntegerField):
    """``forms.IntegerField`` that reads ASCII digits only and is bounded to a BIGINT
    unless the form gives tighter bounds (Django's own accepts "٣" and any size)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -BIGINT_MAX)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return parse_int(
                str(value), field=str(self.label or "value"), minimum=None, maximum=None
            )
        except InvalidNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
