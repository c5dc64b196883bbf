"""What an ECB rates file may carry that is not a rate: every fault is an EcbFormatError
naming the line (the CLI prints it and exits 2), never a traceback, a hang or an
integer too large for the database."""

from __future__ import annotations

import pytest

from fiera.payments import ecb

HEADER = "Date,USD,JPY\n"


@pytest.mark.parametrize(
    "rate",
    [
        "1e999999999",  # Decimal takes it; int() of its 10**-9 units would never finish
        "1E3",
        "\u0661.\u0660\u0669",  # Arabic-Indic digits: Decimal takes them too
        "1.09²",
        "12345678901",  # past what a BIGINT of 10**-9 holds
        "1_09",  # Decimal reads it as 109
        "NaN",
    ],
)
def test_a_cell_that_is_not_a_decimal_rate_is_refused(rate: str) -> None:
    with pytest.raises(ecb.EcbFormatError, match=r"line 2, USD: .* is not a rate"):
        list(ecb.read_csv(f"{HEADER}2024-01-03,{rate},157.91\n"))


def test_a_field_past_the_csv_limit_is_refused_with_its_line() -> None:
    text = f'{HEADER}2024-01-03,1.09,157.91\n2024-01-04,"{"9" * 200_000}",157.91\n'
    with pytest.raises(ecb.EcbFormatError, match=r"line 3: not readable as CSV"):
        list(ecb.read_csv(text))


def test_rates_as_the_ecb_writes_them_are_read() -> None:
    rates = list(ecb.read_csv(f"{HEADER}2024-01-03,1.0919,157.91\n2024-01-04,N/A,158\n"))
    assert [str(r.rate) for r in rates] == ["1.0919", "157.91", "158"]
