"""ECB reference rates: the CSV and XML readers, the idempotent import, the bundled offline
history, and rates on a date (direct, inverse, cross via EUR), never through a float.

Values are the ECB's published euro reference rates (e.g. 2 January 2024: USD 1.0956,
JPY 155.68; 4 January 1999, the first fixing: USD 1.1789).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from fiera.common.errors import InvalidInput
from fiera.payments import ecb, selectors, services
from fiera.payments.models import FxRate

HIST_CSV = """Date,USD,JPY,BGN,CYP,GBP,CHF,
2024-01-03,1.0919,156.16,1.9558,N/A,0.8647,0.9322,
2024-01-02,1.0956,155.68,1.9558,N/A,0.86645,0.9305,
2023-12-29,1.105,156.33,1.9558,N/A,0.86905,0.926,
"""
# The daily file's shape, trailing ", " included.
DAILY_CSV = "Date, USD, JPY, GBP, CHF, \n04 January 2024, 1.0953, 157.91, 0.86278, 0.9313, \n"
GESMES_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
    xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time="2024-01-05">
      <Cube currency="USD" rate="1.0921"/>
      <Cube currency="JPY" rate="158.57"/>
      <Cube currency="GBP" rate="0.8621"/>
    </Cube>
    <Cube time="2024-01-04">
      <Cube currency="USD" rate="1.0953"/>
      <Cube currency="JPY" rate="157.91"/>
    </Cube>
  </Cube>
</gesmes:Envelope>
"""


# --- readers (no database) ----------------------------------------------------------------


def test_history_csv_reads_exact_decimals_and_skips_na() -> None:
    rates = list(ecb.read_csv(HIST_CSV))
    assert len(rates) == 15  # 3 days x 5 currencies quoted (CYP is N/A)
    first = rates[0]
    assert (first.date, first.quote, first.rate) == (date(2024, 1, 3), "USD", Decimal("1.0919"))
    assert {r.quote for r in rates} == {"USD", "JPY", "BGN", "GBP", "CHF"}
    assert all(isinstance(r.rate, Decimal) for r in rates)


def test_daily_csv_with_spaces_and_long_dates() -> None:
    rates = list(ecb.read_csv(DAILY_CSV))
    assert [(r.date, r.quote, r.rate) for r in rates][:2] == [
        (date(2024, 1, 4), "USD", Decimal("1.0953")),
        (date(2024, 1, 4), "JPY", Decimal("157.91")),
    ]


def test_gesmes_xml() -> None:
    rates = list(ecb.read_xml(GESMES_XML))
    assert len(rates) == 5
    assert (rates[0].date, rates[0].quote, rates[0].rate) == (
        date(2024, 1, 5),
        "USD",
        Decimal("1.0921"),
    )


def test_zip_and_content_sniffing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", HIST_CSV)
    assert len(list(ecb.read_bytes(buffer.getvalue()))) == 15
    assert len(list(ecb.read_bytes(GESMES_XML))) == 5
    assert len(list(ecb.read_bytes(HIST_CSV.encode()))) == 15


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Day,USD\n2024-01-02,1.0956\n", "line 1: an ECB rates CSV begins with the header"),
        (b"Date,USD\n2024-13-02,1.0956\n", "line 2: '2024-13-02' is not a date"),
        (b"Date,USD\n2024-01-02,1,0956\n", None),
        (b"Date,USD\n2024-01-02,abc\n", "line 2, USD: 'abc' is not a rate"),
        (b"Date,USD\n2024-01-02,-1.5\n", "line 2, USD: the rate -1.5 is not a positive number"),
        (b"Date,USD\n2024-01-02,1.0000000001\n", "has more than 9 decimals"),
        (b"Date,US1\n", "line 1, column 2: 'US1' is not a currency code"),
        (b"<html><body>no</body></html>", "no <Cube time=...> element"),
        (b"<Envelope><Cube>", "not well-formed XML"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ],
)
def test_broken_files_say_where(data: bytes, message: str | None) -> None:
    if message is None:  # "1,0956" splits into two cells: an extra cell beyond the header
        assert [r.rate for r in ecb.read_bytes(data)] == [Decimal(1)]
        return
    with pytest.raises(ecb.EcbFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(ecb.read_bytes(data))


def test_bundled_history_has_the_first_fixing_and_a_known_2024_rate() -> None:
    data = ecb.bundled_history_path().read_bytes()
    wanted = {
        (date(1999, 1, 4), "USD"): Decimal("1.1789"),  # the euro's first ECB fixing
        (date(1999, 1, 4), "JPY"): Decimal("133.73"),
        (date(2024, 1, 2), "USD"): Decimal("1.0956"),
        (date(2024, 1, 2), "JPY"): Decimal("155.68"),
    }
    found = {(r.date, r.quote): r.rate for r in ecb.read_bytes(data) if (r.date, r.quote) in wanted}
    assert found == wanted


# --- import ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_is_idempotent_and_updates_only_changed_rates() -> None:
    first = services.fx_rates_import_file(data=HIST_CSV.encode())
    assert (first.read, first.created, first.updated, first.unchanged) == (15, 15, 0, 0)
    assert (first.first_date, first.last_date, first.currencies) == (
        date(2023, 12, 29),
        date(2024, 1, 3),
        5,
    )
    again = services.fx_rates_import_file(data=HIST_CSV.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 15)
    corrected = HIST_CSV.replace("2024-01-03,1.0919", "2024-01-03,1.0920")
    fixed = services.fx_rates_import_file(data=corrected.encode())
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 14)
    assert FxRate.objects.get(quote="USD", date=date(2024, 1, 3)).rate_e9 == 1_092_000_000
    xml = services.fx_rates_import_file(data=GESMES_XML)
    assert (xml.created, xml.unchanged) == (5, 0)
    assert FxRate.objects.count() == 20


@pytest.mark.django_db
def test_import_since_skips_older_rates() -> None:
    report = services.fx_rates_import_file(data=HIST_CSV.encode(), since=date(2024, 1, 2))
    assert report.created == 10
    assert not FxRate.objects.filter(date__lt=date(2024, 1, 2)).exists()


@pytest.mark.django_db
def test_import_refuses_two_rates_for_one_day() -> None:
    doubled = HIST_CSV + "2024-01-03,1.1,156.16,1.9558,N/A,0.8647,0.9322,\n"
    with pytest.raises(ecb.EcbFormatError, match="2024-01-03 USD: two different rates"):
        services.fx_rates_import_file(data=doubled.encode())
    assert not FxRate.objects.exists()


@pytest.mark.django_db
def test_bundled_import_loads_the_offline_history() -> None:
    report = services.fx_rates_import_bundled(since=date(2023, 12, 1))
    assert report.created > 500
    info = selectors.fx_rate(base="EUR", quote="USD", on=date(2024, 1, 2))
    assert info.rate == Decimal("1.0956")
    again = services.fx_rates_import_bundled(since=date(2023, 12, 1))
    assert again.created == 0 and again.updated == 0


# --- rates on a date ------------------------------------------------------------------------


@pytest.fixture
def rates(db: None) -> None:
    services.fx_rates_import_file(data=HIST_CSV.encode())


def test_direct_rate_is_exact_as_published(rates: None) -> None:
    info = selectors.fx_rate(base="EUR", quote="GBP", on=date(2024, 1, 2))
    assert info.rate == Decimal("0.86645")
    assert str(info.rate) == "0.86645"
    assert (info.method, info.rate_date, info.source) == ("direct", date(2024, 1, 2), "ECB")


def test_a_weekend_uses_the_last_fixing_before_it(rates: None) -> None:
    saturday = date(2023, 12, 30)
    info = selectors.fx_rate(base="EUR", quote="USD", on=saturday)
    assert info.rate == Decimal("1.105")
    assert info.rate_date == date(2023, 12, 29)
    assert info.on == saturday


def test_inverse_and_cross_rates_round_half_even_to_ten_digits(rates: None) -> None:
    inverse = selectors.fx_rate(base="USD", quote="EUR", on=date(2024, 1, 2))
    assert inverse.rate == Decimal("0.9127418766")  # 1 / 1.0956 = 0.91274187659...
    assert inverse.method == "inverse"
    cross = selectors.fx_rate(base="USD", quote="JPY", on=date(2024, 1, 2))
    assert cross.rate == Decimal("142.0956553")  # 155.68 / 1.0956 = 142.09565534...
    assert [leg.rate for leg in cross.legs] == [Decimal("1.0956"), Decimal("155.68")]
    gbp_chf = selectors.fx_rate(base="gbp", quote="chf", on=date(2024, 1, 3))
    assert gbp_chf.rate == Decimal("1.078061756")  # 0.9322 / 0.8647 = 1.07806175552...
    assert selectors.fx_rate(base="JPY", quote="JPY", on=date(2024, 1, 2)).rate == 1


def test_no_rate_before_the_data_or_an_unknown_currency(rates: None) -> None:
    with pytest.raises(
        selectors.FxRateNotFound, match="no ECB rate for USD on or before 2023-12-28"
    ):
        selectors.fx_rate(base="EUR", quote="USD", on=date(2023, 12, 28))
    with pytest.raises(selectors.FxRateNotFound, match="no ECB rate for CNY"):
        selectors.fx_rate(base="EUR", quote="CNY", on=date(2024, 1, 2))
    with pytest.raises(InvalidInput, match="'XYZ' is not an ISO 4217 currency code"):
        selectors.fx_rate(base="XYZ", quote="USD", on=date(2024, 1, 2))


def test_rate_from_e9_keeps_integers_plain() -> None:
    assert str(selectors.rate_from_e9(136_000_000_000)) == "136"
    assert str(selectors.rate_from_e9(1_095_600_000)) == "1.0956"
    assert f"{selectors.rate_from_e9(1):f}" == "0.000000001"
