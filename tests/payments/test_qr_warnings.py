"""Static QR codes as they circulate: a data object the spec calls mandatory but the scheme
in hand does not need (a PromptPay sticker has no merchant category, name or city) is a
warning in the parse result, shown by ``fiera qr parse`` and the API and accepted by
pay-by-QR; the structure and the CRC stay strict.

Payloads here get their CRC from ``binascii.crc_hqx`` (CRC-CCITT with initial value
0xFFFF, i.e. CRC-16/CCITT-FALSE), not from the code under test."""

from __future__ import annotations

import binascii
import json

import pytest
from django.test import Client

from fiera.accounts.roles import SYSTEM
from fiera.cli import main
from fiera.payments import emvco, services
from fiera.payments.emvco import CrcMismatch, MalformedPayload, MissingTag
from tests.payments.factories import (
    NOW,
    bearer,
    funded_wallet,
    make_buyer,
    make_rates,
    make_user,
    merchant_balance,
    pilot_outlet,
    qr_for,
)


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def signed(body: str) -> str:
    """``body`` + tag 63 with its CRC-16/CCITT-FALSE over the UTF-8 bytes up to "6304"."""
    head = body + "6304"
    return head + f"{binascii.crc_hqx(head.encode(), 0xFFFF):04X}"


def top_level(payload: str) -> list[tuple[str, str]]:
    objects, at = [], 0
    while at < len(payload):
        tag, length = payload[at : at + 2], int(payload[at + 2 : at + 4])
        objects.append((tag, payload[at + 4 : at + 4 + length]))
        at += 4 + length
    return objects


def without(payload: str, *tags: str) -> str:
    """The payload re-signed without the data objects ``tags``."""
    kept = [(t, v) for t, v in top_level(payload) if t not in {*tags, "63"}]
    return signed("".join(tlv(t, v) for t, v in kept))


PROMPTPAY_GUID = "A000000677010111"
# A PromptPay sticker as banks print it: 00, 01, 29 (a mobile number), 53, 58, 63.
STICKER = signed(
    tlv("00", "01")
    + tlv("01", "11")
    + tlv("29", tlv("00", PROMPTPAY_GUID) + tlv("01", "0066891234567"))
    + tlv("53", "764")
    + tlv("58", "TH")
)
EXPECTED = [
    {
        "tag": tag,
        "detail": f"tag {tag} ({name}) is mandatory and missing; the payee is named by the "
        "account template in tag 29",
    }
    for tag, name in (
        ("52", "merchant category code"),
        ("59", "merchant name"),
        ("60", "merchant city"),
    )
]


def test_our_crc_agrees_with_an_independent_one() -> None:
    assert STICKER[-4:] == emvco.checksum(STICKER[:-4])


def test_a_promptpay_sticker_parses_with_warnings() -> None:
    parsed = emvco.parse(STICKER)
    assert (parsed.mode, parsed.currency, parsed.country) == ("static", "THB", "TH")
    assert parsed.account_templates()[PROMPTPAY_GUID]["01"] == "0066891234567"
    assert parsed.merchant_name is None and parsed.merchant_category_code is None
    assert parsed.to_dict()["warnings"] == EXPECTED
    assert emvco.parse(STICKER, strict=False).to_dict()["warnings"] == EXPECTED


def test_a_complete_payload_has_no_warnings() -> None:
    assert (
        emvco.parse(
            signed(STICKER[:-8] + tlv("52", "5999") + tlv("59", "SOMCHAI") + tlv("60", "BANGKOK"))
        ).warnings
        == ()
    )


def test_structure_crc_currency_and_account_stay_strict() -> None:
    with pytest.raises(CrcMismatch):
        emvco.parse(STICKER[:-4] + ("0000" if not STICKER.endswith("0000") else "1111"))
    with pytest.raises(MalformedPayload):
        emvco.parse(signed(STICKER[:-8] + "5903AB"))
    with pytest.raises(MissingTag, match="tag 53"):
        emvco.parse(without(STICKER, "53"))
    with pytest.raises(MissingTag, match="no merchant account information"):
        emvco.parse(without(STICKER, "29"))


def test_a_card_network_payload_still_needs_the_merchant_fields() -> None:
    card = signed(
        tlv("00", "01")
        + tlv("01", "11")
        + tlv("02", "4111111111111111")
        + tlv("53", "764")
        + tlv("58", "TH")
    )
    with pytest.raises(MissingTag, match="tag 52"):
        emvco.parse(card)
    lenient = emvco.parse(card, strict=False)
    assert [w.tag for w in lenient.warnings] == ["52", "59", "60"]


def test_lenient_parsing_warns_about_what_it_lets_through() -> None:
    long_bill = signed(STICKER[:-8] + tlv("62", tlv("01", "Payment reference XX12345678")))
    with pytest.raises(emvco.InvalidValue, match=r"62\.01"):
        emvco.parse(long_bill)
    parsed = emvco.parse(long_bill, strict=False)
    assert parsed.bill_number == "Payment reference XX12345678"
    assert [w.tag for w in parsed.warnings] == ["52", "59", "60", "62.01"]


def test_fiera_qr_parse_shows_the_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "parse", STICKER]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["warnings"] == EXPECTED
    assert captured.err.count("warning: tag") == 3


@pytest.mark.django_db
def test_the_api_answers_the_parse_with_its_warnings(client: Client) -> None:
    response = client.post(
        "/api/v1/qr/parse",
        {"payload": STICKER},
        content_type="application/json",
        **bearer(make_user("buyer")),
    )
    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == EXPECTED
    assert response.json()["fields"]["29"] == {"00": PROMPTPAY_GUID, "01": "0066891234567"}


@pytest.mark.django_db
@pytest.mark.usefixtures("ledger_ok")
def test_pay_by_qr_accepts_a_fiera_code_without_the_merchant_fields() -> None:
    make_rates()
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    bare = without(qr_for(outlet), "52", "59", "60")
    assert [w.tag for w in emvco.parse(bare).warnings] == ["52", "59", "60"]
    result = services.qr_payment_submit(
        user_id=buyer.pk,
        payload=bare,
        request_id="bare-1",
        amount_minor=1250,
        now=NOW,
        actor_role=SYSTEM,
    )
    assert result.status == "S"
    assert merchant_balance(outlet.merchant_id) == 1250
