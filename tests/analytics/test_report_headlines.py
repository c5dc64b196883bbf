"""The reports' headline sentences (fiera.analytics.reports): compact money per language,
ordinals, plural forms, growth up and down, in English, Italian, Chinese and Spanish."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from fiera.analytics.reports import (
    compact_money,
    festival_headlines,
    month_headlines,
    ordinal,
    partner_headlines,
    pavilion_headlines,
)

FESTIVAL = {
    "country": "IT",
    "companies": 412,
    "country_gmv_usd_minor": 44_920_000_000,  # USD 449.2 million
    "rank": 7,
    "countries": 58,
    "gmv_usd_minor": 312_000_000_000,
    "orders": 1_204_311,
    "growth": Decimal("4.0"),
    "baseline": "previous edition",
}


def _in(language: str, build, **kwargs):  # type: ignore[no-untyped-def]
    with translation.override(language):
        return build(**kwargs)


def test_festival_headline_in_english() -> None:
    lines = _in("en", festival_headlines, **FESTIVAL)
    assert lines[0] == "412 companies from Italy sold USD 449.2 million."
    assert lines[1] == "Italy ranked 7th of 58 countries."
    assert lines[2] == "In all, companies sold USD 3.1 billion in 1,204,311 orders."
    assert lines[3] == "GMV was up 400.0% on the previous edition."


def test_festival_headline_in_italian() -> None:
    lines = _in("it", festival_headlines, **FESTIVAL)
    assert lines[0] == "412 aziende (Italia) hanno venduto 449,2 milioni USD."
    assert lines[1] == "Italia: 7° posto su 58 paesi."
    assert "1.204.311 ordini" in lines[2]
    assert lines[3] == "Il GMV è cresciuto del 400,0% rispetto all'edizione precedente."


def test_festival_headline_in_chinese() -> None:
    lines = _in("zh-hans", festival_headlines, **FESTIVAL)
    assert lines[0] == "412家意大利企业售出USD 4.5亿。"
    assert lines[1] == "意大利在58个国家中排名第7。"


def test_festival_headline_in_spanish() -> None:
    lines = _in("es", festival_headlines, **FESTIVAL)
    assert lines[0] == "412 empresas (Italia) vendieron 449,2 millones USD."
    assert lines[1] == "Italia: puesto 7.º de 58 países."


def test_singular_forms_and_a_fall() -> None:
    lines = _in(
        "en",
        festival_headlines,
        **{
            **FESTIVAL,
            "companies": 1,
            "countries": 1,
            "rank": 1,
            "orders": 1,
            "growth": Decimal("-0.25"),
            "baseline": "window before",
        },
    )
    assert lines[0] == "1 company from Italy sold USD 449.2 million."
    assert lines[1] == "Italy ranked 1st of 1 country."
    assert lines[2].endswith("in 1 order.")
    assert lines[3] == "GMV was down 25.0% on the same length of time before the festival."
    it = _in("it", festival_headlines, **{**FESTIVAL, "companies": 1, "rank": None})
    assert it[0] == "1 azienda (Italia) ha venduto 449,2 milioni USD."
    assert len(it) == 3  # no rank: the country sold nothing


def test_month_headlines() -> None:
    kwargs = {
        "gmv_usd_minor": 1_234_567_800,
        "growth": Decimal("0.084"),
        "orders": 45_210,
        "packages": 1,
        "top_country": "IT",
        "top_country_gmv_usd_minor": 600_000_000,
        "top_country_share": Decimal("0.486"),
    }
    assert _in("en", month_headlines, **kwargs) == [
        "GMV was USD 12.3 million, up 8.4% on the month before.",
        "45,210 orders were placed.",
        "1 package was shipped.",
        "Companies from Italy sold the most: USD 6 million (48.6% of GMV).",
    ]
    it = _in("it", month_headlines, **{**kwargs, "growth": Decimal("-0.1"), "packages": 3})
    assert it[0] == "Il GMV è stato di 12,3 milioni USD, in calo del 10,0% sul mese precedente."
    assert it[1] == "Sono stati effettuati 45.210 ordini."
    assert it[2] == "Sono stati spediti 3 pacchi."
    zh = _in("zh-hans", month_headlines, **{**kwargs, "growth": None, "top_country": ""})
    assert zh == ["GMV为USD 1234.6万\uff1b上月没有销售。", "共下单45,210笔。", "共发出1个包裹。"]


def test_pavilion_and_partner_headlines() -> None:
    assert _in(
        "en",
        pavilion_headlines,
        admitted=38,
        deals=1,
        deal_value_minor=12_500_00,
        currency="CNY",
        buyer_countries=12,
    ) == [
        "38 companies were admitted to the pavilion.",
        "They closed 1 deal worth CNY 12,500.",
        "They reached buyers in 12 countries.",
    ]
    assert _in(
        "it",
        partner_headlines,
        merchants=1,
        gmv_usd_minor=5_000,
        leads=40,
        live=10,
        rate=Decimal("0.25"),
    ) == [
        "1 azienda è stata accompagnata fino all'apertura del negozio.",
        "Le loro vendite nel periodo: 50 USD.",
        "10 contatti su 40 sono andati online: una conversione del 25,0%.",
    ]
    none = {"merchants": 0, "gmv_usd_minor": 0, "leads": 0, "live": 0, "rate": None}
    assert _in("zh-hans", partner_headlines, **none)[-1] == "还没有潜在商户。"


@pytest.mark.parametrize(
    ("rank", "language", "text"),
    [
        (1, "en", "1st"),
        (2, "en", "2nd"),
        (3, "en", "3rd"),
        (11, "en", "11th"),
        (12, "en", "12th"),
        (13, "en", "13th"),
        (21, "en", "21st"),
        (112, "en", "112th"),
        (7, "it", "7°"),
        (7, "es", "7.º"),
        (7, "zh-hans", "第7"),
    ],
)
def test_ordinals(rank: int, language: str, text: str) -> None:
    assert ordinal(rank, language) == text


def test_compact_money_keeps_small_amounts_whole_and_names_the_currency() -> None:
    with translation.override("en"):
        assert compact_money(999_999, "USD") == "USD 9,999.99"
        assert compact_money(1_000_000_000, "JPY") == "JPY 1 billion"
    with translation.override("es"):
        assert compact_money(44_920_000_000, "USD") == "449,2 millones USD"
