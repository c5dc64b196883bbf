"""The one parser of numbers typed by people: ASCII digits only, always bounded."""

from __future__ import annotations

import pytest
from django import forms

from fiera.common.parsing import (
    BIGINT_MAX,
    IntegerField,
    InvalidNumber,
    is_ascii_digits,
    parse_amount_minor,
    parse_id,
    parse_int,
    parse_int_or_none,
    parse_page,
)

NOT_ASCII = ["²", "٣", "\uff11\uff12", "߃", "3²", "১০"]  # all pass str.isdigit()


@pytest.mark.parametrize("text", NOT_ASCII)
def test_digits_of_other_scripts_are_not_numbers(text: str) -> None:
    assert text.isdigit()
    assert not is_ascii_digits(text)
    with pytest.raises(InvalidNumber, match="digits 0-9"):
        parse_int(text, field="quantity")
    assert parse_int_or_none(text) is None
    assert parse_id(text) is None
    assert parse_page(text) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), (" 42 ", 42), ("+7", 7), ("007", 7), (str(BIGINT_MAX), BIGINT_MAX)],
)
def test_ascii_whole_numbers(text: str, expected: int) -> None:
    assert parse_int(text, field="n") == expected


@pytest.mark.parametrize(
    "text", [None, "", " ", "1.0", "1e3", "0x10", "1_000", "--1", "1 2", "\x00"]
)
def test_what_is_not_a_whole_number(text: str | None) -> None:
    with pytest.raises(InvalidNumber) as caught:
        parse_int(text, field="units")
    assert caught.value.status == 422
    assert caught.value.as_payload()["error"] == "invalid_number"
    assert "units" in caught.value.detail


def test_bounds() -> None:
    assert parse_int("-3", field="delta", minimum=None) == -3
    with pytest.raises(InvalidNumber, match="at least 0"):
        parse_int("-3", field="units")
    with pytest.raises(InvalidNumber, match="at most 10"):
        parse_int("11", field="units", maximum=10)
    with pytest.raises(InvalidNumber, match="at most"):
        parse_int(str(BIGINT_MAX + 1), field="id")
    with pytest.raises(InvalidNumber):
        parse_int("9" * 5000, field="id")  # never reaches int() (which refuses > 4300 digits)


def test_ids_and_pages() -> None:
    assert parse_id("12") == 12
    assert parse_id("0") is None
    assert parse_id(str(BIGINT_MAX + 1)) is None
    assert parse_page(None) == 1
    assert parse_page("-4") == 1
    assert parse_page("3") == 3
    assert parse_page("9" * 19) == 10_000
    assert parse_page("50", last=20) == 20


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.50", "EUR", 1250), ("12,5", "EUR", 1250), (" 7 ", "JPY", 7), ("0.125", "BHD", 125)],
)
def test_amounts(text: str, currency: str, minor: int) -> None:
    assert parse_amount_minor(text, currency, field="price") == minor


@pytest.mark.parametrize(
    "text",
    ["1e3", "\u0661\u0662.\u0665\u0660", "12.5²", "NaN", "Infinity", "1" * 16, "", "12.", ".5"],
)
def test_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidNumber, match="price"):
        parse_amount_minor(text, "EUR", field="price")


def test_an_amount_finer_than_the_currency_is_refused() -> None:
    with pytest.raises(InvalidNumber, match="EUR has 2 decimal places"):
        parse_amount_minor("1.005", "EUR", field="price")


class _Form(forms.Form):
    units = IntegerField(min_value=0)
    delta = IntegerField(required=False)


@pytest.mark.parametrize("units", [*NOT_ASCII, "9" * 30, "1.0"])
def test_the_form_field_refuses_what_parse_int_refuses(units: str) -> None:
    form = _Form({"units": units})
    assert not form.is_valid()
    assert "units" in form.errors


def test_the_form_field_reads_ascii_numbers_and_is_bounded_to_a_bigint() -> None:
    form = _Form({"units": " 12 ", "delta": "-4"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"units": 12, "delta": -4}
    assert not _Form({"units": str(BIGINT_MAX + 1)}).is_valid()
    assert _Form({"units": "1", "delta": ""}).is_valid()


def test_an_amount_the_currency_cannot_hold_is_refused_in_the_readers_language() -> None:
    from django.utils import translation

    from fiera.common.parsing import InvalidNumber, parse_amount_minor

    with pytest.raises(InvalidNumber) as refused:
        parse_amount_minor("12.345", "EUR", field="Importo")
    with translation.override("it"):
        assert refused.value.message().startswith("Importo: non è un importo in EUR")
    assert "12.345" in refused.value.context  # the technical account stays for logs
