"""EMVCo Merchant-Presented Mode QR payloads (EMV QRCPS-MPM v1.1): build, parse, render.

Pure Python (no Django): the payload is a string of data objects, each a two-digit ID, a
two-digit length and that many characters of value. Templates (merchant account
information 26-51, additional data 62, merchant information language 64, unreserved 80-99)
hold data objects of their own with the same layout. ID 00 (payload format indicator,
"01") comes first; ID 63 (CRC) comes last.

Decisions, after the specification (v1.1, sections 4.x "Data object format" and
"Cyclic Redundancy Check"):

* **Lengths count characters, not bytes.** The spec defines the length as the number of
  characters of the value; a value of format "S" (any Unicode character) such as the
  alternate-language name "最佳运输" has length "04", though it is 12 bytes in UTF-8. The
  spec's own sample payload (CRC A13A) shows it. Here a character is a Unicode code point
  (Python's ``len``); ``build`` normalises text to NFC first, so "é" typed as "e" plus a
  combining accent counts as one character, as a reader sees it.
* **The CRC is computed over UTF-8 bytes.** CRC-16/CCITT-FALSE (ISO/IEC 13239: polynomial
  0x1021, initial value 0xFFFF, no reflection, no final XOR) over the UTF-8 encoding of the
  whole payload up to and including "6304", written as 4 upper-case hexadecimal digits.
  The spec's sample, with Chinese text in tag 64, checks out only this way.
* **Format "ans" means printable ASCII** (the EMV Common Character Set, 0x20-0x7E): the
  merchant name (59), city (60), postal code (61) and additional data (62/01-11). A name in
  another script goes in the language template (64), whose name and city are format "S".
  ``ans_text`` transliterates ("Forlì" -> "Forli") where a caller has only Unicode text.
* **Amounts** (54) are digits with at most one "." and no more decimals than the
  currency's ISO 4217 exponent ("12.5" and "12.50" are EUR 12.50; "12.505" is refused;
  "0.00" is refused: the spec wants a non-zero amount). ``build`` writes exactly the
  exponent's decimals, derived from integer minor units, never through a float.
* **Detection of corruption.** A single changed byte is a burst of at most 8 bits, which
  CRC-16 always detects; a change of several bytes is detected with probability
  1 - 2**-16. Structural damage (a length or ID that is no longer two digits, a length
  past the end) is reported as such, with the offset, before the CRC is compared.

``parse(payload)`` always checks the structure (TLV, order of 00 and 63, duplicates),
the CRC, the currency (53), the amount and at least one merchant account (02-51): a
payment cannot be made without them. The spec's other mandatory data objects (52, 58,
59, 60) are about the payee, and a payee named by a scheme's account template (26-51:
PromptPay, PayNow, Fiera's own "it.fiera") is found through that template; national
codes as banks print them leave them out (a Thai PromptPay sticker carries 00, 01, 29,
53, 58 and 63 only). So their absence is a *warning* in ``ParsedPayload.warnings`` when
an account template is present, and a refusal only for a payload with nothing but
card-network ids (02-25), whose scheme needs the merchant's name, city and category.

By default every *present* value must also have its format. ``strict=False`` turns those
format faults (Singapore PayNow writes 28-character bill numbers; tags reserved for
future use; a country code ISO does not list; non-ASCII text in 59-61) into warnings as
well, and drops the mandatory merchant fields even for card-network-only payloads.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, TypeAlias

from django.utils.translation import gettext_lazy

from fiera.common.errors import InvalidInput
from fiera.common.money import UnknownCurrency, currency_exponent, currency_numeric
from fiera.common.reference import is_country

FIERA_GUID = "it.fiera"
"""The globally unique identifier (reverse domain) of Fiera's merchant account template."""

PAYEE_TAGS = ("52", "58", "59", "60")
"""Mandatory in the spec, but a payee named by an account template (26-51) is paid without
them: ``parse`` warns when one is missing (see the module docstring)."""

MAX_PAYLOAD_CHARS = 512
"""The spec's ceiling on the length of a whole payload, enforced by ``build``."""

Field: TypeAlias = "str | dict[str, Field]"
Mode = Literal["static", "dynamic"]

ROOT_NAMES: dict[str, str] = {
    "00": "payload format indicator",
    "01": "point of initiation method",
    "52": "merchant category code",
    "53": "transaction currency",
    "54": "transaction amount",
    "55": "tip or convenience indicator",
    "56": "value of convenience fee fixed",
    "57": "value of convenience fee percentage",
    "58": "country code",
    "59": "merchant name",
    "60": "merchant city",
    "61": "postal code",
    "62": "additional data field template",
    "63": "CRC",
    "64": "merchant information language template",
}
ADDITIONAL_NAMES: dict[str, str] = {
    "01": "bill number",
    "02": "mobile number",
    "03": "store label",
    "04": "loyalty number",
    "05": "reference label",
    "06": "customer label",
    "07": "terminal label",
    "08": "purpose of transaction",
    "09": "additional consumer data request",
    "10": "merchant tax ID",
    "11": "merchant channel",
}
LANGUAGE_NAMES: dict[str, str] = {
    "00": "language preference",
    "01": "merchant name, alternate language",
    "02": "merchant city, alternate language",
}
# Maximum lengths of the additional data objects (62/01-11); 11 is exactly 3.
_ADDITIONAL_MAX = dict.fromkeys(ADDITIONAL_NAMES, 25) | {"09": 3, "10": 20, "11": 3}
_ANS = re.compile(r"[\x20-\x7e]+")
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]*))?")
_PERCENT = re.compile(r"[0-9]+(?:\.[0-9]*)?")
_HEX4 = re.compile(r"[0-9A-F]{4}")


# --- errors -------------------------------------------------------------------------------


class EmvQrError(InvalidInput):
    """A payload (or the input to ``build``) breaks the EMVCo rules.

    ``tag`` names the data object ("54", "62.07" for a sub-tag) when one is at fault;
    ``offset`` is the 0-based character offset of its ID in the payload, when known.
    """

    code = "invalid_qr"
    message_template = gettext_lazy(
        "This QR code cannot be read as a payment code; ask the shop to show it again."
    )

    def __init__(self, detail: str, *, tag: str | None = None, offset: int | None = None) -> None:
        extra: dict[str, Any] = {}
        if tag is not None:
            extra["tag"] = tag
        if offset is not None:
            extra["offset"] = offset
        super().__init__(detail, **extra)
        self.tag = tag
        self.offset = offset


class MalformedPayload(EmvQrError):
    """The TLV structure is broken: an ID or length that is not two digits, a length
    running past the end, stray characters."""

    code = "qr_malformed"
    message_template = gettext_lazy(
        "This QR code is not a valid payment code; ask the shop to show it again."
    )


class CrcMismatch(EmvQrError):
    code = "qr_crc_mismatch"
    message_template = gettext_lazy(
        "This QR code is damaged or was changed; ask the shop to show it again."
    )


class TagOrderError(EmvQrError):
    """00 is not first or 63 is not last."""

    code = "qr_tag_order"
    message_template = gettext_lazy(
        "This QR code is not a valid payment code; ask the shop to show it again."
    )


class DuplicateTag(EmvQrError):
    code = "qr_duplicate_tag"
    message_template = gettext_lazy(
        "This QR code is not a valid payment code; ask the shop to show it again."
    )


class MissingTag(EmvQrError):
    code = "qr_missing_tag"
    message_template = gettext_lazy(
        "This QR code lacks information a payment needs; ask the shop for a new one."
    )


class InvalidValue(EmvQrError):
    code = "qr_invalid_value"
    message_template = gettext_lazy(
        "This QR code holds a value that is not valid; ask the shop for a new one."
    )


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something the spec wants that the payload lacks or bends, without which the payment
    can still be made: ``tag`` names the data object, ``detail`` says what is wrong."""

    tag: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"tag": self.tag, "detail": self.detail}


# --- CRC ----------------------------------------------------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR.

    Check value: ``crc16_ccitt_false(b"123456789") == 0x29B1``.
    """
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def checksum(text: str) -> str:
    """The 4 upper-case hex digits of the CRC of ``text`` (encoded as UTF-8)."""
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"


# --- TLV ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataObject:
    tag: str
    value: str
    offset: int  # character offset of the ID in the whole payload


def _two_digits(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isdigit()


def _decode(text: str, *, base: int, where: str) -> list[DataObject]:
    """Split ``text`` into data objects; ``base`` is its offset in the whole payload."""
    objects: list[DataObject] = []
    i, end_of_text = 0, len(text)
    while i < end_of_text:
        at = base + i
        if end_of_text - i < 4:
            raise MalformedPayload(
                f"{where}: {end_of_text - i} stray character(s) at offset {at}: a data object "
                "needs a two-digit ID and a two-digit length",
                offset=at,
            )
        tag, length_text = text[i : i + 2], text[i + 2 : i + 4]
        if not _two_digits(tag):
            raise MalformedPayload(
                f"{where}: the ID at offset {at} is {tag!r}, not two digits", offset=at
            )
        label = f"{where} tag {tag}" if where != "payload" else f"tag {tag}"
        if not _two_digits(length_text):
            raise MalformedPayload(
                f"{label} at offset {at}: the length {length_text!r} is not two digits",
                tag=tag,
                offset=at,
            )
        length = int(length_text)
        if length == 0:
            raise MalformedPayload(
                f"{label} at offset {at}: length 00; a present data object has at least "
                "one character",
                tag=tag,
                offset=at,
            )
        start = i + 4
        if start + length > end_of_text:
            raise MalformedPayload(
                f"{label} at offset {at}: the length says {length} characters but only "
                f"{end_of_text - start} follow",
                tag=tag,
                offset=at,
            )
        objects.append(DataObject(tag, text[start : start + length], at))
        i = start + length
    return objects


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


# --- text helpers -------------------------------------------------------------------------

_TRANSLITERATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Œ": "OE",
        "œ": "oe",
        "Ł": "L",
        "ł": "l",
    }
)


def ans_text(text: str, max_length: int) -> str:
    """``text`` made fit for an "ans" field: accents dropped ("Forlì" -> "Forli"), other
    characters outside printable ASCII removed, spaces collapsed, cut to ``max_length``.

    Returns "" when nothing printable is left (a name in Chinese script, for example):
    the caller then needs an ASCII name of its own.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    kept = "".join(c for c in decomposed if "\x20" <= c <= "\x7e")
    return " ".join(kept.split())[:max_length].rstrip()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _require_ans(tag: str, name: str, value: str, max_length: int) -> None:
    if not value:
        raise InvalidValue(f"tag {tag} ({name}) must not be empty", tag=tag)
    if not _ANS.fullmatch(value):
        bad = next(c for c in value if not ("\x20" <= c <= "\x7e"))
        raise InvalidValue(
            f"tag {tag} ({name}) allows printable ASCII only; {bad!r} is not "
            "(put a name in another script in the language template, tag 64)",
            tag=tag,
        )
    if len(value) > max_length:
        raise InvalidValue(
            f"tag {tag} ({name}) has {len(value)} characters; at most {max_length}", tag=tag
        )


def _require_unicode(tag: str, name: str, value: str, max_length: int) -> None:
    if not value:
        raise InvalidValue(f"tag {tag} ({name}) must not be empty", tag=tag)
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cs"}:
            raise InvalidValue(
                f"tag {tag} ({name}) contains the control character {char!r}", tag=tag
            )
    if len(value) > max_length:
        raise InvalidValue(
            f"tag {tag} ({name}) has {len(value)} characters; at most {max_length}", tag=tag
        )


# --- currencies and amounts ---------------------------------------------------------------


@cache
def _alpha_by_numeric() -> dict[str, str]:
    import iso4217

    found: dict[str, str] = {}
    for currency in iso4217.Currency:
        if currency.number is None or currency.exponent is None:
            continue
        found.setdefault(f"{currency.number:03d}", currency.code)
    return found


def currency_for_numeric(numeric: str) -> str:
    """The ISO 4217 alphabetic code for a numeric one ("978" -> "EUR")."""
    found = _alpha_by_numeric().get(numeric)
    if found is None:
        raise InvalidValue(f"{numeric!r} is not an ISO 4217 numeric currency code", tag="53")
    return found


def format_amount(amount_minor: int, currency: str) -> str:
    """Minor units as the tag 54 text, with exactly the currency's decimals (EUR 1250 ->
    "12.50", JPY 1250 -> "1250", KWD 1250 -> "1.250"). Integer arithmetic only."""
    if type(amount_minor) is not int or amount_minor <= 0:
        raise InvalidValue(
            f"tag 54 (transaction amount) must be a positive whole number of minor units, "
            f"got {amount_minor!r}",
            tag="54",
        )
    exponent = currency_exponent(currency)
    units, fraction = divmod(amount_minor, 10**exponent)
    return f"{units}.{fraction:0{exponent}d}" if exponent else str(units)


def parse_amount(text: str, currency: str, *, tag: str = "54", offset: int | None = None) -> int:
    """Tag 54 (or 56) text as minor units of ``currency``; see the module docstring."""
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise InvalidValue(
            f"tag {tag} at offset {offset}: {text!r} is not an amount (digits with at most "
            "one '.')",
            tag=tag,
            offset=offset,
        )
    exponent = currency_exponent(currency)
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > exponent:
        raise InvalidValue(
            f"tag {tag} at offset {offset}: {text!r} has {len(fraction)} decimal(s); "
            f"{currency} has {exponent}",
            tag=tag,
            offset=offset,
        )
    minor = int(whole) * 10**exponent + (int(fraction.ljust(exponent, "0")) if exponent else 0)
    if minor == 0:
        raise InvalidValue(
            f"tag {tag} at offset {offset}: the amount must not be zero", tag=tag, offset=offset
        )
    return minor


# --- build --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MerchantAccount:
    """A merchant account information template (IDs 26-51): sub-tag 00 is the globally
    unique identifier (an AID, a UUID without hyphens, or a reverse domain such as
    "it.fiera"); ``data`` maps the other sub-tags ("01".."99") to their values."""

    guid: str = FIERA_GUID
    data: Mapping[str, str] = field(default_factory=dict)
    tag: str = "26"


@dataclass(frozen=True, slots=True)
class AlternateLanguage:
    """Tag 64: the merchant's name (and city) in another language, any script."""

    language: str  # ISO 639-1, two letters ("zh", "it")
    merchant_name: str
    merchant_city: str = ""


def fiera_account(*, merchant_id: int | str, outlet_code: str = "") -> MerchantAccount:
    """Fiera's account template: 00 "it.fiera", 01 the merchant id, 02 the outlet code."""
    data = {"01": str(merchant_id)}
    if outlet_code:
        data["02"] = outlet_code
    return MerchantAccount(guid=FIERA_GUID, data=data)


def _template(tag: str, name: str, objects: Sequence[tuple[str, str]]) -> str:
    value = "".join(_tlv(sub, v) for sub, v in objects)
    if len(value) > 99:
        raise InvalidValue(
            f"tag {tag} ({name}) would be {len(value)} characters; a template holds at most 99",
            tag=tag,
        )
    return value


def _account_value(account: MerchantAccount) -> str:
    tag = account.tag
    if not (_two_digits(tag) and 26 <= int(tag) <= 51):
        raise InvalidValue(f"merchant account templates use IDs 26 to 51; got {tag!r}", tag=tag)
    _require_ans(f"{tag}.00", "globally unique identifier", account.guid, 32)
    objects = [("00", account.guid)]
    for sub, value in sorted(account.data.items()):
        if not _two_digits(sub) or sub == "00":
            raise InvalidValue(
                f"tag {tag}: sub-tags of a merchant account are 01 to 99; got {sub!r}",
                tag=f"{tag}.{sub}",
            )
        _require_unicode(f"{tag}.{sub}", "merchant account data", _nfc(value), 99)
        objects.append((sub, _nfc(value)))
    return _template(tag, "merchant account information", objects)


def build(
    *,
    merchant_name: str,
    merchant_city: str,
    country: str,
    currency: str,
    mcc: str,
    accounts: Sequence[MerchantAccount],
    amount_minor: int | None = None,
    postal_code: str = "",
    bill_number: str = "",
    reference_label: str = "",
    terminal_label: str = "",
    alternate: AlternateLanguage | None = None,
) -> str:
    """A complete payload, CRC included.

    Static (01 = "11") when ``amount_minor`` is None, the payer then keys in the amount;
    dynamic (01 = "12") with tag 54 when it is given (a positive number of minor units of
    ``currency``). Data objects are written in ascending ID order, 63 last. Raises
    ``InvalidValue`` naming the tag when an input breaks the spec (a name over 25
    characters, non-ASCII text in an "ans" field, a template over 99 characters ...).
    """
    if not accounts:
        raise MissingTag("at least one merchant account template (26-51) is needed", tag="26")
    if not (len(mcc) == 4 and mcc.isascii() and mcc.isdigit()):
        raise InvalidValue(
            f"tag 52 (merchant category code) must be 4 digits, got {mcc!r}", tag="52"
        )
    try:
        numeric = currency_numeric(currency)
    except UnknownCurrency as exc:
        raise InvalidValue(f"tag 53 (transaction currency): {exc}", tag="53") from None
    if not (len(country) == 2 and is_country(country)):
        raise InvalidValue(
            f"tag 58 (country code): {country!r} is not ISO 3166-1 alpha-2", tag="58"
        )
    merchant_name, merchant_city = _nfc(merchant_name), _nfc(merchant_city)
    _require_ans("59", "merchant name", merchant_name, 25)
    _require_ans("60", "merchant city", merchant_city, 15)

    objects: list[tuple[str, str]] = [("00", "01"), ("01", "11" if amount_minor is None else "12")]
    seen_tags: set[str] = set()
    for account in accounts:
        if account.tag in seen_tags:
            raise DuplicateTag(
                f"two merchant account templates use tag {account.tag}", tag=account.tag
            )
        seen_tags.add(account.tag)
        objects.append((account.tag, _account_value(account)))
    objects.sort(key=lambda item: item[0])
    objects += [("52", mcc), ("53", numeric)]
    if amount_minor is not None:
        objects.append(("54", format_amount(amount_minor, currency)))
    objects += [("58", country), ("59", merchant_name), ("60", merchant_city)]
    if postal_code:
        _require_ans("61", "postal code", postal_code, 10)
        objects.append(("61", postal_code))

    additional = [
        (sub, value)
        for sub, value in (("01", bill_number), ("05", reference_label), ("07", terminal_label))
        if value
    ]
    for sub, value in additional:
        _require_ans(f"62.{sub}", ADDITIONAL_NAMES[sub], value, _ADDITIONAL_MAX[sub])
    if additional:
        objects.append(("62", _template("62", ROOT_NAMES["62"], additional)))

    if alternate is not None:
        language = alternate.language
        if not (len(language) == 2 and language.isascii() and language.isalpha()):
            raise InvalidValue(
                "tag 64.00 (language preference) must be two letters (ISO 639-1), "
                f"got {language!r}",
                tag="64.00",
            )
        alt_name, alt_city = _nfc(alternate.merchant_name), _nfc(alternate.merchant_city)
        _require_unicode("64.01", LANGUAGE_NAMES["01"], alt_name, 25)
        language_objects = [("00", language), ("01", alt_name)]
        if alt_city:
            _require_unicode("64.02", LANGUAGE_NAMES["02"], alt_city, 15)
            language_objects.append(("02", alt_city))
        objects.append(("64", _template("64", ROOT_NAMES["64"], language_objects)))

    body = "".join(_tlv(tag, value) for tag, value in objects) + "6304"
    payload = body + checksum(body)
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise InvalidValue(
            f"the payload would be {len(payload)} characters; EMVCo allows {MAX_PAYLOAD_CHARS}"
        )
    return payload


# --- parse --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedPayload:
    """A checked payload. ``fields`` maps each root ID to its value, templates decoded into
    dicts of sub-IDs (recursively for 62's payment-system templates 50-99)."""

    payload: str
    fields: dict[str, Field]
    mode: Mode | None  # None when 01 is absent (it is optional in the spec)
    currency: str  # ISO 4217 alphabetic, from tag 53
    amount_minor: int | None
    merchant_category_code: str | None
    country: str
    merchant_name: str | None
    merchant_city: str | None
    postal_code: str | None
    crc: str
    warnings: tuple[ParseWarning, ...] = ()

    @property
    def merchant_accounts(self) -> dict[str, Field]:
        """IDs 02-51: primitive card-network ids (02-25) as text, templates (26-51) as dicts."""
        return {tag: v for tag, v in self.fields.items() if 2 <= int(tag) <= 51}

    def account_templates(self) -> dict[str, dict[str, Field]]:
        """Templates 26-51 keyed by their globally unique identifier (sub-tag 00)."""
        found: dict[str, dict[str, Field]] = {}
        for tag, value in self.fields.items():
            if 26 <= int(tag) <= 51 and isinstance(value, dict):
                found[str(value["00"])] = value
        return found

    @property
    def additional_data(self) -> dict[str, Field]:
        value = self.fields.get("62")
        return value if isinstance(value, dict) else {}

    @property
    def bill_number(self) -> str | None:
        return _text(self.additional_data.get("01"))

    @property
    def reference_label(self) -> str | None:
        return _text(self.additional_data.get("05"))

    @property
    def terminal_label(self) -> str | None:
        return _text(self.additional_data.get("07"))

    @property
    def language_template(self) -> dict[str, Field]:
        value = self.fields.get("64")
        return value if isinstance(value, dict) else {}

    @property
    def alternate_language(self) -> str | None:
        return _text(self.language_template.get("00"))

    @property
    def alternate_name(self) -> str | None:
        return _text(self.language_template.get("01"))

    @property
    def alternate_city(self) -> str | None:
        return _text(self.language_template.get("02"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the raw fields plus the typed reading of them."""
        return {
            "mode": self.mode,
            "merchant_name": self.merchant_name,
            "merchant_city": self.merchant_city,
            "country": self.country,
            "currency": self.currency,
            "amount_minor": self.amount_minor,
            "merchant_category_code": self.merchant_category_code,
            "postal_code": self.postal_code,
            "bill_number": self.bill_number,
            "reference_label": self.reference_label,
            "terminal_label": self.terminal_label,
            "alternate_language": self.alternate_language,
            "alternate_name": self.alternate_name,
            "alternate_city": self.alternate_city,
            "merchant_accounts": self.merchant_accounts,
            "crc": self.crc,
            "fields": self.fields,
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _text(value: Field | None) -> str | None:
    return value if isinstance(value, str) else None


def _check_length(
    obj: DataObject, name: str, *, exact: int | None = None, most: int | None = None
) -> None:
    if exact is not None and len(obj.value) != exact:
        raise InvalidValue(
            f"tag {obj.tag} ({name}) at offset {obj.offset} must be {exact} characters, "
            f"got {len(obj.value)}",
            tag=obj.tag,
            offset=obj.offset,
        )
    if most is not None and len(obj.value) > most:
        raise InvalidValue(
            f"tag {obj.tag} ({name}) at offset {obj.offset} has {len(obj.value)} characters; "
            f"at most {most}",
            tag=obj.tag,
            offset=obj.offset,
        )


def _check_digits(obj: DataObject, name: str, length: int) -> None:
    if not (len(obj.value) == length and obj.value.isascii() and obj.value.isdigit()):
        raise InvalidValue(
            f"tag {obj.tag} ({name}) at offset {obj.offset} must be {length} digits, "
            f"got {obj.value!r}",
            tag=obj.tag,
            offset=obj.offset,
        )


def _check_ans(obj: DataObject, name: str, label: str | None = None) -> None:
    if not _ANS.fullmatch(obj.value):
        raise InvalidValue(
            f"tag {label or obj.tag} ({name}) at offset {obj.offset} allows printable ASCII "
            f"only, got {obj.value!r}",
            tag=label or obj.tag,
            offset=obj.offset,
        )


def _sub_objects(parent: DataObject, name: str) -> dict[str, DataObject]:
    """Decode a template's value, refusing duplicate sub-IDs."""
    found: dict[str, DataObject] = {}
    for sub in _decode(parent.value, base=parent.offset + 4, where=f"tag {parent.tag} ({name})"):
        if sub.tag in found:
            raise DuplicateTag(
                f"tag {parent.tag} ({name}): sub-tag {sub.tag} appears twice, at offsets "
                f"{found[sub.tag].offset} and {sub.offset}",
                tag=f"{parent.tag}.{sub.tag}",
                offset=sub.offset,
            )
        found[sub.tag] = sub
    return found


def _require_guid(parent: DataObject, subs: Mapping[str, DataObject], name: str) -> None:
    if "00" not in subs:
        raise MissingTag(
            f"tag {parent.tag} ({name}) at offset {parent.offset} lacks sub-tag 00 "
            "(globally unique identifier)",
            tag=f"{parent.tag}.00",
            offset=parent.offset,
        )
    guid = subs["00"]
    if len(guid.value) > 32 or not _ANS.fullmatch(guid.value):
        raise InvalidValue(
            f"tag {parent.tag}.00 (globally unique identifier) at offset {guid.offset} must be "
            f"1 to 32 printable ASCII characters, got {guid.value!r}",
            tag=f"{parent.tag}.00",
            offset=guid.offset,
        )


def _plain(subs: Mapping[str, DataObject]) -> dict[str, Field]:
    return {tag: obj.value for tag, obj in subs.items()}


def _bend(
    strict: bool, warnings: list[ParseWarning], check: Callable[..., None], *args: Any
) -> None:
    """Run a format ``check(*args)``; when not ``strict``, what it refuses becomes a
    warning."""
    try:
        check(*args)
    except InvalidValue as exc:
        if strict:
            raise
        warnings.append(ParseWarning(exc.tag or "", exc.detail))


def _check_additional(sub: DataObject, tag: str) -> None:
    label, name = f"62.{tag}", ADDITIONAL_NAMES[tag]
    _check_ans(sub, name, label)
    limit = _ADDITIONAL_MAX[tag]
    if len(sub.value) > limit or (tag == "11" and len(sub.value) != 3):
        raise InvalidValue(
            f"tag {label} ({name}) at offset {sub.offset} has {len(sub.value)} "
            f"characters; {'exactly 3' if tag == '11' else f'at most {limit}'}",
            tag=label,
            offset=sub.offset,
        )


def _additional_data(
    obj: DataObject, *, strict: bool, warnings: list[ParseWarning]
) -> dict[str, Field]:
    """Tag 62; the formats of its data objects 01-11 ("ans", lengths) are warnings only
    when not ``strict``: national profiles stretch them (PayNow puts 28 characters in the
    bill number)."""
    subs = _sub_objects(obj, ROOT_NAMES["62"])
    decoded: dict[str, Field] = {}
    for tag, sub in subs.items():
        number = int(tag)
        if tag in ADDITIONAL_NAMES:
            _bend(strict, warnings, _check_additional, sub, tag)
            decoded[tag] = sub.value
        elif number >= 50:
            nested = _sub_objects(sub, f"additional data template {tag}")
            _require_guid(sub, nested, f"additional data template {tag}")
            decoded[tag] = _plain(nested)
        else:  # 12-49: reserved for future use by EMVCo; kept as text
            decoded[tag] = sub.value
    return decoded


def _language_template(obj: DataObject) -> dict[str, Field]:
    subs = _sub_objects(obj, ROOT_NAMES["64"])
    for tag in ("00", "01"):
        if tag not in subs:
            raise MissingTag(
                f"tag 64 ({ROOT_NAMES['64']}) at offset {obj.offset} lacks sub-tag {tag} "
                f"({LANGUAGE_NAMES[tag]})",
                tag=f"64.{tag}",
                offset=obj.offset,
            )
    language = subs["00"]
    if not (len(language.value) == 2 and language.value.isascii() and language.value.isalpha()):
        raise InvalidValue(
            f"tag 64.00 (language preference) at offset {language.offset} must be two letters, "
            f"got {language.value!r}",
            tag="64.00",
            offset=language.offset,
        )
    for tag, limit in (("01", 25), ("02", 15)):
        if tag in subs and len(subs[tag].value) > limit:
            raise InvalidValue(
                f"tag 64.{tag} ({LANGUAGE_NAMES[tag]}) at offset {subs[tag].offset} has "
                f"{len(subs[tag].value)} characters; at most {limit}",
                tag=f"64.{tag}",
                offset=subs[tag].offset,
            )
    return _plain(subs)


def parse(payload: str, *, strict: bool = True) -> ParsedPayload:
    """Check and decode a payload; raises an ``EmvQrError`` subclass naming the tag and
    offset at fault (see the module docstring for ``strict``)."""
    if not isinstance(payload, str) or not payload:
        raise MalformedPayload("the payload is empty")
    objects = _decode(payload, base=0, where="payload")
    first, last = objects[0], objects[-1]
    if first.tag != "00":
        raise TagOrderError(
            f"the payload must begin with tag 00 (payload format indicator); it begins with tag "
            f"{first.tag}",
            tag=first.tag,
            offset=0,
        )
    if last.tag != "63":
        raise TagOrderError(
            f"tag 63 (CRC) must be the last data object; the last is tag {last.tag} at offset "
            f"{last.offset}",
            tag=last.tag,
            offset=last.offset,
        )
    if not _HEX4.fullmatch(last.value):
        raise MalformedPayload(
            f"tag 63 (CRC) at offset {last.offset} must be 4 upper-case hexadecimal digits, "
            f"got {last.value!r}",
            tag="63",
            offset=last.offset,
        )
    computed = checksum(payload[:-4])
    if computed != last.value:
        raise CrcMismatch(
            f"CRC mismatch: payload says {last.value}, computed {computed}",
            tag="63",
            offset=last.offset,
        )

    by_tag: dict[str, DataObject] = {}
    for obj in objects:
        if obj.tag in by_tag:
            raise DuplicateTag(
                f"tag {obj.tag} appears twice, at offsets {by_tag[obj.tag].offset} and "
                f"{obj.offset}",
                tag=obj.tag,
                offset=obj.offset,
            )
        by_tag[obj.tag] = obj

    if "53" not in by_tag:
        raise MissingTag(f"tag 53 ({ROOT_NAMES['53']}) is mandatory and missing", tag="53")
    if not any(2 <= int(tag) <= 51 for tag in by_tag):
        raise MissingTag(
            "no merchant account information (tags 02 to 51): at least one is mandatory",
            tag="26",
        )
    warnings: list[ParseWarning] = []
    templates = sorted(tag for tag in by_tag if 26 <= int(tag) <= 51)
    for tag in PAYEE_TAGS:
        if tag in by_tag:
            continue
        missing = f"tag {tag} ({ROOT_NAMES[tag]}) is mandatory and missing"
        if strict and not templates:
            raise MissingTag(
                f"{missing}: a payload with card-network accounts only (02-25) needs it",
                tag=tag,
            )
        warnings.append(
            ParseWarning(
                tag,
                f"{missing}; the payee is named by the account template in tag {templates[0]}"
                if templates
                else missing,
            )
        )

    fields: dict[str, Field] = {}
    for tag, obj in by_tag.items():
        number = int(tag)
        if 2 <= number <= 25:
            _check_ans(obj, "merchant account information")
            fields[tag] = obj.value
        elif 26 <= number <= 51 or number >= 80:
            name = "merchant account information" if number <= 51 else "unreserved template"
            subs = _sub_objects(obj, name)
            _require_guid(obj, subs, name)
            fields[tag] = _plain(subs)
        elif tag == "62":
            fields[tag] = _additional_data(obj, strict=strict, warnings=warnings)
        elif tag == "64":
            fields[tag] = _language_template(obj)
        elif 65 <= number <= 79:
            _bend(strict, warnings, _refuse_reserved, obj)
            fields[tag] = obj.value
        else:
            fields[tag] = obj.value

    if first.value != "01":
        raise InvalidValue(
            f"tag 00 (payload format indicator) at offset 0 must be '01', got {first.value!r}",
            tag="00",
            offset=0,
        )
    mode: Mode | None = None
    if "01" in by_tag:
        initiation = by_tag["01"]
        if initiation.value not in {"11", "12"}:
            raise InvalidValue(
                f"tag 01 (point of initiation method) at offset {initiation.offset} must be "
                f"'11' (static) or '12' (dynamic), got {initiation.value!r}",
                tag="01",
                offset=initiation.offset,
            )
        mode = "static" if initiation.value == "11" else "dynamic"

    mcc = by_tag.get("52")
    if mcc is not None:
        _check_digits(mcc, ROOT_NAMES["52"], 4)
    currency_obj = by_tag["53"]
    _check_digits(currency_obj, ROOT_NAMES["53"], 3)
    try:
        currency = currency_for_numeric(currency_obj.value)
    except InvalidValue:
        raise InvalidValue(
            f"tag 53 (transaction currency) at offset {currency_obj.offset}: "
            f"{currency_obj.value!r} is not an ISO 4217 numeric currency code",
            tag="53",
            offset=currency_obj.offset,
        ) from None

    amount_minor = None
    if "54" in by_tag:
        amount = by_tag["54"]
        _check_length(amount, ROOT_NAMES["54"], most=13)
        amount_minor = parse_amount(amount.value, currency, offset=amount.offset)
    _check_tip(by_tag, currency)

    country = ""
    if "58" in by_tag:
        country_obj = by_tag["58"]
        _check_length(country_obj, ROOT_NAMES["58"], exact=2)
        not_iso = InvalidValue(
            f"tag 58 (country code) at offset {country_obj.offset}: {country_obj.value!r} "
            "is not an ISO 3166-1 alpha-2 code",
            tag="58",
            offset=country_obj.offset,
        )
        if not (country_obj.value.isascii() and country_obj.value.isupper()):
            raise not_iso
        if not is_country(country_obj.value):
            if strict:
                raise not_iso
            warnings.append(ParseWarning("58", not_iso.detail))
        country = country_obj.value
    for tag, limit in (("59", 25), ("60", 15), ("61", 10)):
        if tag in by_tag:
            _check_length(by_tag[tag], ROOT_NAMES[tag], most=limit)
            _bend(strict, warnings, _check_ans, by_tag[tag], ROOT_NAMES[tag])

    return ParsedPayload(
        payload=payload,
        fields=fields,
        mode=mode,
        currency=currency,
        amount_minor=amount_minor,
        merchant_category_code=mcc.value if mcc else None,
        country=country,
        merchant_name=_text(fields.get("59")),
        merchant_city=_text(fields.get("60")),
        postal_code=_text(fields.get("61")),
        crc=last.value,
        warnings=tuple(warnings),
    )


def _refuse_reserved(obj: DataObject) -> None:
    raise InvalidValue(
        f"tag {obj.tag} at offset {obj.offset} is reserved for future use and must not be present",
        tag=obj.tag,
        offset=obj.offset,
    )


def _check_tip(by_tag: Mapping[str, DataObject], currency: str) -> None:
    """55 (tip or convenience indicator) and its conditional companions 56 and 57."""
    indicator = by_tag.get("55")
    if indicator is not None and indicator.value not in {"01", "02", "03"}:
        raise InvalidValue(
            f"tag 55 (tip or convenience indicator) at offset {indicator.offset} must be 01, 02 "
            f"or 03, got {indicator.value!r}",
            tag="55",
            offset=indicator.offset,
        )
    wanted = {"02": "56", "03": "57"}.get(indicator.value if indicator else "")
    for tag in ("56", "57"):
        if tag in by_tag and tag != wanted:
            raise InvalidValue(
                f"tag {tag} ({ROOT_NAMES[tag]}) at offset {by_tag[tag].offset} is allowed only "
                f"with tag 55 = {'02' if tag == '56' else '03'}",
                tag=tag,
                offset=by_tag[tag].offset,
            )
    if wanted is not None:
        if wanted not in by_tag:
            raise MissingTag(
                f"tag 55 = {indicator.value if indicator else ''} needs tag {wanted} "
                f"({ROOT_NAMES[wanted]})",
                tag=wanted,
            )
        obj = by_tag[wanted]
        if wanted == "56":
            _check_length(obj, ROOT_NAMES["56"], most=13)
            parse_amount(obj.value, currency, tag="56", offset=obj.offset)
        elif len(obj.value) > 5 or not _PERCENT.fullmatch(obj.value):
            raise InvalidValue(
                f"tag 57 ({ROOT_NAMES['57']}) at offset {obj.offset} must be a percentage of at "
                f"most 5 characters such as '3.00', got {obj.value!r}",
                tag="57",
                offset=obj.offset,
            )


# --- render -------------------------------------------------------------------------------


def _qr(payload: str) -> Any:
    import segno

    # UTF-8 in byte mode, error correction M (raised by segno when it fits the same size).
    return segno.make(payload, error="m", micro=False, encoding="utf-8")


def render_svg(payload: str, *, scale: int = 4, title: str = "Payment QR code") -> str:
    """The QR symbol as an ``<svg>`` element with its namespace: inline it in HTML or
    write it to a file as it is."""
    buffer = io.BytesIO()
    _qr(payload).save(
        buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, nl=False, title=title
    )
    return buffer.getvalue().decode("utf-8")


def render_png(payload: str, scale: int = 8) -> bytes:
    """The QR symbol as PNG bytes, ``scale`` pixels per module, with the 4-module quiet zone."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
