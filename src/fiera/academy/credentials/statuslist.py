"""Bitstring Status List v1.0: the revocation list a credential's ``credentialStatus`` names.

The list is a bitstring of at least 131,072 bits (16 KiB, so one entry hides among many);
bit ``i`` is bit ``7 - i % 8`` of byte ``i // 8`` (index 0 is the left-most bit of the first
byte); 1 means revoked. ``encodedList`` is the GZIP-compressed bitstring in multibase
base64url without padding, prefixed ``u``. A list credential is an ordinary VC, signed with
:func:`.dataintegrity.sign` like the certificates.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .dataintegrity import format_datetime
from .loader import VC_V2_CONTEXT
from .openbadges import StatusListEntry

MIN_BITS = 131_072  # 16 KiB: the spec's minimum, for herd privacy
MAX_DECODED_BYTES = 16 * 1024 * 1024  # refuse a "zip bomb" list larger than 16 MiB


class StatusListError(ValueError):
    """An encodedList that cannot be decoded, or an index outside it."""


def new_bitstring(length_bits: int = MIN_BITS) -> bytearray:
    """An all-zero bitstring of ``length_bits`` bits (a multiple of 8, at least MIN_BITS)."""
    if length_bits < MIN_BITS or length_bits % 8:
        raise ValueError(f"a status list has at least {MIN_BITS} bits, a multiple of 8")
    return bytearray(length_bits // 8)


def set_bit(bitstring: bytearray, index: int, value: bool = True) -> None:
    """Sets (or clears) bit ``index`` in place."""
    if not 0 <= index < len(bitstring) * 8:
        raise IndexError(f"status list index {index} is outside the list")
    mask = 0x80 >> (index % 8)
    if value:
        bitstring[index // 8] |= mask
    else:
        bitstring[index // 8] &= ~mask & 0xFF


def get_bit(bitstring: bytes | bytearray, index: int) -> bool:
    """Bit ``index`` of a decoded bitstring; StatusListError outside it."""
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"status list index {index} is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def encode_bitstring(bitstring: bytes | bytearray) -> str:
    """``u`` + base64url (no padding) of GZIP(bitstring). Deterministic (GZIP mtime 0)."""
    compressed = gzip.compress(bytes(bitstring), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def encode_status_list(set_indexes: Iterable[int], *, length_bits: int = MIN_BITS) -> str:
    """The encodedList of a list of ``length_bits`` bits with the given indexes set."""
    bitstring = new_bitstring(length_bits)
    for index in set_indexes:
        set_bit(bitstring, index)
    return encode_bitstring(bitstring)


def decode_status_list(encoded_list: str) -> bytes:
    """The bitstring of an encodedList; StatusListError if it is not ``u`` + base64url GZIP."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusListError("the encoded list is not multibase base64url (prefix 'u')")
    body = encoded_list[1:]
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        decompressor = zlib.decompressobj(wbits=31)  # 31: GZIP header
        bitstring = decompressor.decompress(compressed, MAX_DECODED_BYTES)
    except (ValueError, zlib.error) as error:
        raise StatusListError("the encoded list is not GZIP in base64url") from error
    if decompressor.unconsumed_tail:
        raise StatusListError("the status list is too large")
    if not bitstring or not decompressor.eof:
        raise StatusListError("the encoded list is empty or cut short")
    return bitstring


def status_at(encoded_list: str, index: int) -> bool:
    """Whether bit ``index`` of an encodedList is set (True: revoked, for a revocation list)."""
    return get_bit(decode_status_list(encoded_list), index)


def build_status_list_credential(
    *,
    credential_id: str,
    issuer_id: str,
    encoded_list: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    status_purpose: str = "revocation",
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` (Bitstring Status List v1.0 §2.2).

    ``credential_id`` is the URL it is published at (what entries name as
    ``statusListCredential``); its subject is ``<credential_id>#list``.
    """
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{credential_id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": encoded_list,
    }
    return credential


def status_entry_of(credential: Mapping[str, Any]) -> StatusListEntry | None:
    """The credential's BitstringStatusListEntry as a StatusListEntry; None when it has none
    or it is not a well-formed BitstringStatusListEntry (a list of several: the first one)."""
    status = credential.get("credentialStatus")
    if isinstance(status, list):
        status = next((s for s in status if isinstance(s, Mapping)), None)
    if not isinstance(status, Mapping) or status.get("type") != "BitstringStatusListEntry":
        return None
    url, index, purpose = (
        status.get("statusListCredential"),
        status.get("statusListIndex"),
        status.get("statusPurpose"),
    )
    if not isinstance(url, str) or not isinstance(purpose, str):
        return None
    if not isinstance(index, str) or not index.isascii() or not index.isdigit():
        return None
    return StatusListEntry(index=int(index), list_credential_url=url, purpose=purpose)
