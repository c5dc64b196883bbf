"""Bitstring Status List v1.0: encoding, reading a bit, and the signed list credential."""

from __future__ import annotations

import base64
import gzip

import pytest

from fiera.academy.credentials import (
    MIN_BITS,
    StatusListError,
    build_status_list_credential,
    decode_status_list,
    encode_status_list,
    get_bit,
    new_bitstring,
    set_bit,
    sign,
    status_at,
    status_entry_of,
    verify_proof,
)
from tests.academy.credentials_factories import (
    ISSUED_AT,
    LIST_URL,
    forbid_network,
    issuer_key,
    unsigned_certificate,
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_network(monkeypatch)


def test_a_set_bit_round_trips_through_the_encoded_list() -> None:
    encoded = encode_status_list([0, 94, MIN_BITS - 1])

    assert encoded.startswith("u")
    bits = decode_status_list(encoded)
    assert len(bits) * 8 == MIN_BITS == 131_072
    assert [i for i in range(MIN_BITS) if get_bit(bits, i)] == [0, 94, MIN_BITS - 1]
    assert status_at(encoded, 94)
    assert not status_at(encoded, 95)


def test_bit_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bits = new_bitstring()
    set_bit(bits, 0)
    set_bit(bits, 9)

    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    set_bit(bits, 9, False)
    assert bits[1] == 0


def test_the_encoding_is_gzip_in_unpadded_base64url() -> None:
    encoded = encode_status_list([3])

    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert raw[0] == 0b0001_0000
    assert encode_status_list([3]) == encoded  # deterministic (no timestamp)


def test_an_empty_list_is_about_a_hundred_and_fifty_characters() -> None:
    assert len(encode_status_list([])) < 200


@pytest.mark.parametrize("length", [MIN_BITS - 8, MIN_BITS + 1])
def test_a_list_below_16_kib_or_not_whole_bytes_is_refused(length: int) -> None:
    with pytest.raises(ValueError):
        new_bitstring(length)


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(IndexError):
        encode_status_list([MIN_BITS])
    with pytest.raises(StatusListError):
        status_at(encode_status_list([]), MIN_BITS)


@pytest.mark.parametrize("encoded", ["", "zabc", "u!!!", "u" + "A" * 40])
def test_an_undecodable_list_is_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        decode_status_list(encoded)


def test_a_list_that_inflates_beyond_16_mib_is_refused() -> None:
    bomb = gzip.compress(bytes(32 * 1024 * 1024), mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")

    with pytest.raises(StatusListError, match="too large"):
        decode_status_list(encoded)


def test_the_list_credential_is_signed_like_a_certificate() -> None:
    key = issuer_key()
    unsigned = build_status_list_credential(
        credential_id=LIST_URL,
        issuer_id=key.did,
        encoded_list=encode_status_list([94]),
        valid_from=ISSUED_AT,
    )

    signed = sign(unsigned, key_pair=key, created=ISSUED_AT)

    assert signed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert signed["credentialSubject"]["id"] == f"{LIST_URL}#list"
    assert signed["credentialSubject"]["type"] == "BitstringStatusList"
    assert signed["credentialSubject"]["statusPurpose"] == "revocation"
    verify_proof(signed, public_key=key.public_key)  # no error
    entry = status_entry_of(unsigned_certificate(key))
    assert entry is not None and entry.list_credential_url == signed["id"]
    assert status_at(signed["credentialSubject"]["encodedList"], entry.index)


@pytest.mark.parametrize(
    "status",
    [
        None,
        "revoked",
        {"type": "StatusList2021Entry", "statusListIndex": "1", "statusListCredential": "x"},
        {"type": "BitstringStatusListEntry", "statusListIndex": "-1"},
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": 5,
            "statusListCredential": LIST_URL,
        },
    ],
)
def test_a_missing_or_foreign_status_entry_reads_as_none(status: object) -> None:
    assert status_entry_of({"credentialStatus": status}) is None
