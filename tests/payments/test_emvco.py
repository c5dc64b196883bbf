"""EMVCo merchant-presented QR: published vectors, build, parse errors, properties, render.

Published vectors (each cited where it is used):

* EMVCo's sample payload from the EMV QRCPS Merchant-Presented Mode specification (the
  "BEST TRANSPORT" merchant in Beijing, CRC A13A), with the variants the Go library
  mercari/go-emv-code tests against (mpm/emv_test.go: CDE7, FF8B, EBA6).
* Singapore SGQR / PayNow: the decoder example in the README of lee-ratinan/emv-qr
  (CRC 29FD), and the PayNow generator test of tingzhouu/sg-paynow-code (CRC 6B73).
* Thailand PromptPay: the test cases of dtinth/promptpay-qr (index.test.js).
"""

from __future__ import annotations

import struct
import unicodedata
import zlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fiera.payments import emvco
from fiera.payments.emvco import (
    AlternateLanguage,
    CrcMismatch,
    DuplicateTag,
    EmvQrError,
    InvalidValue,
    MalformedPayload,
    MerchantAccount,
    MissingTag,
    TagOrderError,
)

# EMV QRCPS-MPM sample (spec section "Examples"; mercari/go-emv-code mpm/emv_test.go).
EMVCO_SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
    "540523.7253031565502016233030412340603***0708A60086670902ME"
    "91320016A0112233449988770708123456786304A13A"
)
# mercari/go-emv-code mpm/emv_test.go: the same data reordered, and without tag 64.
MERCARI_REORDERED = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115303156540523.725502015802CN5914BEST TRANSPORT6007BEIJING"
    "6233030412340603***0708A60086670902ME64200002ZH0104最佳运输0202北京6304CDE7"
)
MERCARI_WITHOUT_64 = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING540523.7253031565502016233030412340603***"
    "0708A60086670902ME91320016A0112233449988770708123456786304FF8B"
)
MERCARI_ENCODED = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115303156540523.725502015802CN5914BEST TRANSPORT6007BEIJING"
    "6233030412340603***0708A60086670902ME6304EBA6"
)
# lee-ratinan/emv-qr README.md, "EmvMerchantDecoder" example: SGQR with PayNow (UEN).
SGQR_PAYNOW = (
    "00020101021126490009SG.PAYNOW010120210202012345X0301104082021123151820007SG.SGQR"
    "0113202012345X123020701.000103068286710402010503123060400000708201912315204000053037025802SG"
    "5911RATINAN LEE6009SINGAPORE610682876162140110987654321X630429FD"
)
# tingzhouu/sg-paynow-code test: PayNow to a mobile number, SGD 888.88, not editable.
PAYNOW_MOBILE = (
    "00020101021126500009SG.PAYNOW010100211+6590901234030100408205004155204000053037025406"
    "888.885802SG5902NA6009Singapore62320128Payment reference XX1234567863046B73"
)
# dtinth/promptpay-qr index.test.js.
PROMPTPAY_PHONE = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"
PROMPTPAY_NATIONAL_ID = "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A"
PROMPTPAY_AMOUNT = (
    "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"
)


def with_crc(body: str) -> str:
    """``body`` + "6304" + its correct CRC: builds payloads whose only fault is elsewhere."""
    return body + "6304" + emvco.checksum(body + "6304")


MINIMAL_BODY = (
    "000201010211" + "26200008it.fiera01041234" + "52045999" + "5303978" + "5802IT"
    "5905Fiera" + "6004Roma"
)
# The same with a card-network account (02-25) instead of a scheme's template.
CARD_BODY = MINIMAL_BODY.replace("26200008it.fiera01041234", "02164111111111111111")


# --- CRC ----------------------------------------------------------------------------------


def test_crc_is_ccitt_false_with_the_catalogue_check_value() -> None:
    # CRC-16/CCITT-FALSE ("CRC-16/IBM-3740") check value over "123456789".
    assert emvco.crc16_ccitt_false(b"123456789") == 0x29B1
    assert emvco.checksum("") == "FFFF"


# --- published vectors --------------------------------------------------------------------


def test_emvco_spec_sample_decodes_with_unicode_lengths_and_utf8_crc() -> None:
    parsed = emvco.parse(EMVCO_SAMPLE)
    assert parsed.mode == "dynamic"
    assert parsed.merchant_name == "BEST TRANSPORT"
    assert parsed.merchant_city == "BEIJING"
    assert parsed.country == "CN"
    assert parsed.currency == "CNY"
    assert parsed.amount_minor == 2372
    assert parsed.merchant_category_code == "4111"
    assert parsed.fields["55"] == "01"
    assert parsed.merchant_accounts == {
        "29": {"00": "D15600000000", "05": "A93FO3230Q"},
        "31": {"00": "D15600000001", "03": "12345678"},
    }
    assert parsed.account_templates()["D15600000001"] == {"00": "D15600000001", "03": "12345678"}
    assert parsed.additional_data == {"03": "1234", "06": "***", "07": "A6008667", "09": "ME"}
    assert parsed.terminal_label == "A6008667"
    assert parsed.fields["91"] == {"00": "A011223344998877", "07": "12345678"}
    # Tag 64 holds 20 characters but 32 UTF-8 bytes: lengths count characters ...
    assert (parsed.alternate_language, parsed.alternate_name, parsed.alternate_city) == (
        "ZH",
        "最佳运输",
        "北京",
    )
    assert "64200002ZH0104最佳运输0202北京" in EMVCO_SAMPLE
    assert len("0002ZH0104最佳运输0202北京") == 20
    assert len("0002ZH0104最佳运输0202北京".encode()) == 32
    # ... and the CRC is computed over the UTF-8 bytes.
    assert emvco.checksum(EMVCO_SAMPLE[:-4]) == "A13A"
    assert parsed.crc == "A13A"


@pytest.mark.parametrize(
    ("payload", "crc"),
    [(MERCARI_REORDERED, "CDE7"), (MERCARI_WITHOUT_64, "FF8B"), (MERCARI_ENCODED, "EBA6")],
)
def test_mercari_variants_of_the_spec_sample(payload: str, crc: str) -> None:
    parsed = emvco.parse(payload)
    assert parsed.crc == crc
    assert parsed.amount_minor == 2372
    assert parsed.merchant_name == "BEST TRANSPORT"


def test_spec_sample_with_a_wrong_crc_or_without_its_header_is_refused() -> None:
    # mercari/go-emv-code: "err: CRC is not valid" and "err: invalid header".
    with pytest.raises(CrcMismatch, match="CRC mismatch: payload says 0000, computed A13A"):
        emvco.parse(EMVCO_SAMPLE[:-4] + "0000")
    with pytest.raises(EmvQrError):
        emvco.parse(EMVCO_SAMPLE[4:])


def test_sgqr_paynow_vector_is_reproduced_exactly_by_build() -> None:
    parsed = emvco.parse(SGQR_PAYNOW)
    assert parsed.mode == "static"
    assert parsed.currency == "SGD"
    assert parsed.amount_minor is None
    assert parsed.postal_code == "828761"
    assert parsed.bill_number == "987654321X"
    paynow = parsed.account_templates()["SG.PAYNOW"]
    assert paynow == {"00": "SG.PAYNOW", "01": "2", "02": "202012345X", "03": "1", "04": "20211231"}
    sgqr = parsed.account_templates()["SG.SGQR"]
    assert sgqr["01"] == "202012345X123"

    built = emvco.build(
        merchant_name="RATINAN LEE",
        merchant_city="SINGAPORE",
        country="SG",
        currency="SGD",
        mcc="0000",
        accounts=[
            MerchantAccount(
                tag="26",
                guid="SG.PAYNOW",
                data={"01": "2", "02": "202012345X", "03": "1", "04": "20211231"},
            ),
            MerchantAccount(
                tag="51",
                guid="SG.SGQR",
                data={
                    "01": "202012345X123",
                    "02": "01.0001",
                    "03": "828671",
                    "04": "01",
                    "05": "123",
                    "06": "0000",
                    "07": "20191231",
                },
            ),
        ],
        postal_code="828761",
        bill_number="987654321X",
    )
    assert built == SGQR_PAYNOW


def test_paynow_vector_parses_leniently_and_strict_names_its_long_bill_number() -> None:
    parsed = emvco.parse(PAYNOW_MOBILE, strict=False)
    assert parsed.amount_minor == 88888
    assert parsed.currency == "SGD"
    assert parsed.account_templates()["SG.PAYNOW"]["02"] == "+6590901234"
    assert parsed.bill_number == "Payment reference XX12345678"
    with pytest.raises(InvalidValue, match=r"tag 62\.01 \(bill number\) at offset \d+ has 28"):
        emvco.parse(PAYNOW_MOBILE)


@pytest.mark.parametrize(
    ("payload", "proxy", "amount_minor"),
    [
        (PROMPTPAY_PHONE, "0066801234567", None),
        (PROMPTPAY_NATIONAL_ID, "1111111111111", None),
        (PROMPTPAY_AMOUNT, "0066000000000", 422),
    ],
)
def test_promptpay_vectors(payload: str, proxy: str, amount_minor: int | None) -> None:
    parsed = emvco.parse(payload, strict=False)
    assert parsed.currency == "THB"
    assert parsed.country == "TH"
    assert parsed.amount_minor == amount_minor
    assert parsed.mode == ("static" if amount_minor is None else "dynamic")
    account = parsed.account_templates()["A000000677010111"]
    assert proxy in (account.get("01"), account.get("02"))
    # PromptPay's peer-to-peer profile leaves out the merchant fields the spec requires:
    # warnings, not a refusal, since template 29 names the payee.
    assert emvco.parse(payload).warnings == parsed.warnings
    assert [(w.tag, w.detail) for w in parsed.warnings] == [
        (
            tag,
            f"tag {tag} ({name}) is mandatory and missing; the payee is named by the "
            "account template in tag 29",
        )
        for tag, name in (
            ("52", "merchant category code"),
            ("59", "merchant name"),
            ("60", "merchant city"),
        )
    ]


# --- build --------------------------------------------------------------------------------


def _build(**overrides: object) -> str:
    values: dict[str, object] = {
        "merchant_name": "Rete Postale",
        "merchant_city": "Milano",
        "country": "IT",
        "currency": "EUR",
        "mcc": "9402",
        "accounts": [emvco.fiera_account(merchant_id=7, outlet_code="UP-015146-01")],
    }
    values.update(overrides)
    return emvco.build(**values)  # type: ignore[arg-type]


def test_static_payload_has_no_amount_and_point_of_initiation_11() -> None:
    payload = _build()
    assert payload.startswith("000201010211")
    assert "26330008it.fiera010170212UP-015146-01" in payload
    parsed = emvco.parse(payload)
    assert parsed.mode == "static"
    assert parsed.amount_minor is None
    assert "54" not in parsed.fields
    assert payload[-8:-4] == "6304"


def test_dynamic_payload_carries_the_exact_amount_bill_and_terminal() -> None:
    payload = _build(
        amount_minor=1250, bill_number="INV-2025-001", reference_label="R1", terminal_label="T1"
    )
    assert payload.startswith("000201010212")
    assert "540512.50" in payload
    assert "62280112INV-2025-0010502R10702T1" in payload
    parsed = emvco.parse(payload)
    assert parsed.mode == "dynamic"
    assert parsed.amount_minor == 1250
    assert (parsed.bill_number, parsed.reference_label, parsed.terminal_label) == (
        "INV-2025-001",
        "R1",
        "T1",
    )


@pytest.mark.parametrize(
    ("currency", "amount_minor", "text"),
    [
        ("EUR", 5, "0.05"),
        ("EUR", 100, "1.00"),
        ("EUR", 123456789, "1234567.89"),
        ("JPY", 1250, "1250"),
        ("KWD", 1250, "1.250"),
    ],
)
def test_amount_text_follows_the_currency_exponent(
    currency: str, amount_minor: int, text: str
) -> None:
    assert emvco.format_amount(amount_minor, currency) == text
    assert emvco.parse_amount(text, currency) == amount_minor
    payload = _build(currency=currency, amount_minor=amount_minor)
    assert f"54{len(text):02d}{text}" in payload
    assert emvco.parse(payload).amount_minor == amount_minor


def test_language_template_counts_characters_and_normalises_to_nfc() -> None:
    decomposed = "Forli\u0300"  # "Forlì" typed with a combining accent: 6 code points
    payload = _build(
        alternate=AlternateLanguage("it", "Poste Città di Forlì", decomposed),
        merchant_city="Forli",
    )
    assert "64390002it0120Poste Città di Forlì0205Forlì" in payload
    parsed = emvco.parse(payload)
    assert parsed.alternate_city == unicodedata.normalize("NFC", decomposed) == "Forlì"
    chinese = _build(alternate=AlternateLanguage("zh", "最佳运输", "北京"))
    assert "64200002zh0104最佳运输0202北京" in chinese


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"merchant_name": "A" * 26}, r"tag 59 \(merchant name\) has 26 characters; at most 25"),
        ({"merchant_name": "Caffè"}, r"tag 59 \(merchant name\) allows printable ASCII only"),
        ({"merchant_city": "Reggio nell'Emilia"}, r"tag 60 \(merchant city\) has 18"),
        ({"merchant_name": ""}, r"tag 59 \(merchant name\) must not be empty"),
        ({"mcc": "94"}, r"tag 52 \(merchant category code\) must be 4 digits"),
        ({"currency": "XYZ"}, r"tag 53 \(transaction currency\)"),
        ({"country": "ZZ"}, r"tag 58 \(country code\): 'ZZ' is not ISO 3166-1"),
        ({"amount_minor": 0}, r"tag 54 \(transaction amount\) must be a positive"),
        ({"amount_minor": -5}, r"tag 54"),
        ({"bill_number": "B" * 26}, r"tag 62\.01 \(bill number\) has 26"),
        ({"accounts": []}, r"at least one merchant account template"),
        (
            {"accounts": [MerchantAccount(tag="25", guid="it.fiera")]},
            r"merchant account templates use IDs 26 to 51",
        ),
        (
            {"accounts": [MerchantAccount(data={"01": "x" * 95})]},
            r"tag 26 \(merchant account information\) would be 111 characters",
        ),
        (
            {"alternate": AlternateLanguage("chinese", "最佳运输")},
            r"tag 64\.00 \(language preference\) must be two letters",
        ),
        (
            {"alternate": AlternateLanguage("zh", "最" * 26)},
            r"tag 64\.01 .* has 26 characters; at most 25",
        ),
    ],
)
def test_build_refuses_what_the_spec_forbids(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(EmvQrError, match=message):
        _build(**overrides)


def test_build_refuses_payloads_over_512_characters() -> None:
    accounts = [MerchantAccount(tag=str(t), data={"01": "x" * 80}) for t in range(26, 32)]
    with pytest.raises(InvalidValue, match="EMVCo allows 512"):
        _build(accounts=accounts)


def test_ans_text_transliterates_and_cuts() -> None:
    assert emvco.ans_text("Forlì", 15) == "Forli"
    assert emvco.ans_text("Sant\u2019Agata  de\u2019 Goti", 25) == "Sant'Agata de' Goti"
    assert emvco.ans_text("Reggio nell'Emilia", 15) == "Reggio nell'Emi"
    assert emvco.ans_text("最佳运输", 25) == ""


# --- parse errors -------------------------------------------------------------------------


def test_minimal_payload_parses() -> None:
    parsed = emvco.parse(with_crc(MINIMAL_BODY))
    assert parsed.merchant_name == "Fiera"
    assert parsed.account_templates()["it.fiera"]["01"] == "1234"


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        ("", MalformedPayload, "the payload is empty"),
        (
            with_crc(MINIMAL_BODY.replace("5905Fiera", "5X05Fiera")),
            MalformedPayload,
            r"the ID at offset 57 is '5X', not two digits",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5905Fiera", "59A5Fiera")),
            MalformedPayload,
            r"tag 59 at offset 57: the length 'A5' is not two digits",
        ),
        (
            MINIMAL_BODY + "6310ABCD",
            MalformedPayload,
            r"tag 63 at offset 74: the length says 10 characters but only 4 follow",
        ),
        (
            with_crc(MINIMAL_BODY) + "99",
            MalformedPayload,
            r"2 stray character\(s\) at offset 82",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5905Fiera", "5900")),
            MalformedPayload,
            r"tag 59 at offset 57: length 00",
        ),
        (
            with_crc("010211" + MINIMAL_BODY.replace("000201010211", "000201")),
            TagOrderError,
            r"must begin with tag 00 .* begins with tag 01",
        ),
        (
            with_crc(MINIMAL_BODY) + "6104ABCD",
            TagOrderError,
            r"tag 63 \(CRC\) must be the last data object; the last is tag 61 at offset 82",
        ),
        (
            MINIMAL_BODY + "6304" + emvco.checksum(MINIMAL_BODY + "6304").lower(),
            MalformedPayload,
            r"tag 63 \(CRC\) at offset 74 must be 4 upper-case hexadecimal digits",
        ),
        (
            with_crc(MINIMAL_BODY + "5905Other"),
            DuplicateTag,
            r"tag 59 appears twice, at offsets 57 and 74",
        ),
        (
            with_crc(CARD_BODY.replace("52045999", "")),
            MissingTag,
            r"tag 52 \(merchant category code\) is mandatory and missing: a payload with card",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5303978", "")),
            MissingTag,
            r"tag 53 \(transaction currency\) is mandatory",
        ),
        (
            with_crc(CARD_BODY.replace("5802IT", "")),
            MissingTag,
            r"tag 58 \(country code\) is mandatory and missing: a payload with card-network",
        ),
        (
            with_crc(CARD_BODY.replace("5905Fiera", "")),
            MissingTag,
            r"tag 59 \(merchant name\) is mandatory and missing: a payload with card-network",
        ),
        (
            with_crc(CARD_BODY.replace("6004Roma", "")),
            MissingTag,
            r"tag 60 \(merchant city\) is mandatory and missing: a payload with card-network",
        ),
        (
            with_crc(MINIMAL_BODY.replace("26200008it.fiera01041234", "")),
            MissingTag,
            r"no merchant account information \(tags 02 to 51\)",
        ),
        (
            with_crc(MINIMAL_BODY.replace("26200008it.fiera01041234", "260801041234")),
            MissingTag,
            r"tag 26 \(merchant account information\) at offset 12 lacks sub-tag 00",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5303978", "5303999")),
            InvalidValue,
            r"tag 53 \(transaction currency\) at offset 44: '999' is not an ISO 4217",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5303978", "53039X8")),
            InvalidValue,
            r"tag 53 \(transaction currency\) at offset 44 must be 3 digits",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5802IT", "540612.5055802IT")),
            InvalidValue,
            r"tag 54 at offset 51: '12.505' has 3 decimal\(s\); EUR has 2",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5802IT", "54041,505802IT")),
            InvalidValue,
            r"tag 54 at offset 51: '1,50' is not an amount",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5802IT", "54040.005802IT")),
            InvalidValue,
            r"tag 54 at offset 51: the amount must not be zero",
        ),
        (
            with_crc(MINIMAL_BODY.replace("010211", "010213")),
            InvalidValue,
            r"tag 01 \(point of initiation method\) at offset 6 must be '11' \(static\)",
        ),
        (
            with_crc(MINIMAL_BODY.replace("000201", "000202")),
            InvalidValue,
            r"tag 00 \(payload format indicator\) at offset 0 must be '01'",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5802IT", "5802ZZ")),
            InvalidValue,
            r"tag 58 \(country code\) at offset 51: 'ZZ' is not an ISO 3166-1",
        ),
        (
            with_crc(MINIMAL_BODY + "6502ab"),
            InvalidValue,
            r"tag 65 at offset 74 is reserved for future use",
        ),
        (
            with_crc(MINIMAL_BODY + "550202"),
            MissingTag,
            r"tag 55 = 02 needs tag 56",
        ),
        (
            with_crc(MINIMAL_BODY + "56031.0"),
            InvalidValue,
            r"tag 56 .* is allowed only with tag 55 = 02",
        ),
        (
            with_crc(MINIMAL_BODY + "62090107INV-1"),
            MalformedPayload,
            r"tag 62 \(additional data field template\) tag 01 at offset 78: the length says "
            r"7 characters but only 5 follow",
        ),
        (
            with_crc(MINIMAL_BODY + "62120102AB0102CD"),
            DuplicateTag,
            r"sub-tag 01 appears twice",
        ),
        (
            with_crc(MINIMAL_BODY + "64060002zh"),
            MissingTag,
            r"tag 64 .* lacks sub-tag 01",
        ),
        (
            with_crc(MINIMAL_BODY.replace("5905Fiera", "5905Fierè")),
            InvalidValue,
            r"tag 59 \(merchant name\) at offset 57 allows printable ASCII only",
        ),
    ],
)
def test_parse_names_the_fault(payload: str, error: type[EmvQrError], message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        emvco.parse(payload)
    assert isinstance(caught.value, EmvQrError)
    assert caught.value.status == 422


def test_crc_mismatch_says_both_values() -> None:
    good = with_crc(MINIMAL_BODY)
    bad = good[:-4] + ("0000" if good[-4:] != "0000" else "0001")
    with pytest.raises(CrcMismatch) as caught:
        emvco.parse(bad)
    assert str(caught.value) == f"CRC mismatch: payload says {bad[-4:]}, computed {good[-4:]}"
    assert caught.value.tag == "63"
    assert caught.value.offset == len(good) - 8
    assert caught.value.as_payload()["offset"] == len(good) - 8


# --- properties ---------------------------------------------------------------------------

ANS = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
ANS_ID = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", min_size=1, max_size=20)
UNICODE = st.characters(blacklist_categories=("Cc", "Cs"))


def _nfc_text(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet=UNICODE, min_size=1, max_size=max_size)
        .map(lambda s: unicodedata.normalize("NFC", s))
        .filter(lambda s: 0 < len(s) <= max_size)
    )


@st.composite
def qr_inputs(draw: st.DrawFn) -> dict[str, object]:
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD", "USD", "CNY", "SGD", "THB"]))
    alternate = None
    if draw(st.booleans()):
        alternate = AlternateLanguage(
            draw(st.sampled_from(["zh", "it", "ZH", "ja"])),
            draw(_nfc_text(25)),
            draw(st.one_of(st.just(""), _nfc_text(15))),
        )
    return {
        "merchant_name": draw(st.text(alphabet=ANS, min_size=1, max_size=25)),
        "merchant_city": draw(st.text(alphabet=ANS, min_size=1, max_size=15)),
        "country": draw(st.sampled_from(["IT", "CN", "SG", "TH", "DE"])),
        "currency": currency,
        "mcc": draw(st.text(alphabet="0123456789", min_size=4, max_size=4)),
        "accounts": [
            MerchantAccount(
                tag=draw(st.sampled_from(["26", "27", "51"])),
                guid=draw(st.sampled_from(["it.fiera", "SG.PAYNOW", "A000000677010111"])),
                data={"01": draw(ANS_ID), "02": draw(ANS_ID)},
            )
        ],
        "amount_minor": draw(st.one_of(st.none(), st.integers(1, 10**10))),
        "postal_code": draw(st.one_of(st.just(""), st.text(alphabet=ANS, min_size=1, max_size=10))),
        "bill_number": draw(st.one_of(st.just(""), st.text(alphabet=ANS, min_size=1, max_size=25))),
        "reference_label": draw(st.one_of(st.just(""), ANS_ID)),
        "terminal_label": draw(st.one_of(st.just(""), ANS_ID)),
        "alternate": alternate,
    }


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(qr_inputs())
def test_parse_of_build_round_trips(inputs: dict[str, object]) -> None:
    payload = emvco.build(**inputs)  # type: ignore[arg-type]
    parsed = emvco.parse(payload)
    assert parsed.payload == payload
    assert parsed.merchant_name == inputs["merchant_name"]
    assert parsed.merchant_city == inputs["merchant_city"]
    assert parsed.country == inputs["country"]
    assert parsed.currency == inputs["currency"]
    assert parsed.merchant_category_code == inputs["mcc"]
    assert parsed.amount_minor == inputs["amount_minor"]
    assert parsed.mode == ("static" if inputs["amount_minor"] is None else "dynamic")
    assert parsed.postal_code == (inputs["postal_code"] or None)
    assert parsed.bill_number == (inputs["bill_number"] or None)
    assert parsed.reference_label == (inputs["reference_label"] or None)
    assert parsed.terminal_label == (inputs["terminal_label"] or None)
    account = inputs["accounts"][0]  # type: ignore[index]
    assert parsed.fields[account.tag] == {"00": account.guid, **account.data}
    alternate = inputs["alternate"]
    if alternate is None:
        assert "64" not in parsed.fields
    else:
        assert isinstance(alternate, AlternateLanguage)
        assert parsed.alternate_language == alternate.language
        assert parsed.alternate_name == alternate.merchant_name
        assert parsed.alternate_city == (alternate.merchant_city or None)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(qr_inputs(), st.data())
def test_any_single_character_corruption_is_refused(
    inputs: dict[str, object], data: st.DataObject
) -> None:
    """Changing one ASCII character of a payload (one byte: a burst CRC-16 always catches)
    is refused, by the TLV checks or by the CRC; see the emvco docstring for multi-byte."""
    payload = emvco.build(**inputs)  # type: ignore[arg-type]
    positions = [i for i, c in enumerate(payload) if c.isascii()]
    index = data.draw(st.sampled_from(positions))
    replacement = data.draw(ANS.filter(lambda c: c != payload[index]))
    corrupted = payload[:index] + replacement + payload[index + 1 :]
    assume(corrupted != payload)
    with pytest.raises(EmvQrError):
        emvco.parse(corrupted)


# --- rendering ----------------------------------------------------------------------------


def test_render_svg_is_a_standalone_svg_element() -> None:
    svg = emvco.render_svg(EMVCO_SAMPLE, title="Best Transport")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>Best Transport</title>" in svg
    assert svg.rstrip().endswith("</svg>")


def test_render_svg_escapes_its_title() -> None:
    svg = emvco.render_svg(EMVCO_SAMPLE, title="<script>alert(1)</script> & co")
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg


def test_render_png_has_the_symbol_size_times_the_scale() -> None:
    import segno

    png = emvco.render_png(EMVCO_SAMPLE, scale=3)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    symbol = segno.make(EMVCO_SAMPLE, error="m", micro=False, encoding="utf-8")
    assert symbol.mode == "byte"
    modules = symbol.symbol_size(scale=1, border=4)[0]
    assert (width, height) == (modules * 3, modules * 3)
    assert zlib.crc32(png[12:29]) == struct.unpack(">I", png[29:33])[0]  # IHDR CRC
