"""Pay by QR at a point of sale: S, F and U answers, idempotency, and every 4xx with
nothing written. A consumer pays EUR 12.50 at 1 EUR = 7.8 CNY and 0.50 % mark-up: CNY
97.99 leaves the wallet (see test_fxmath)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.payments import emvco, selectors, services
from fiera.payments.models import QrPayment
from fiera.payments.services import PaymentTimeout, set_qr_fault
from fiera.payments.services.outlets import outlet_set_status
from tests.payments.factories import (
    NOW,
    balance,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_outlet,
    make_rates,
    merchant_balance,
    pilot_outlet,
    qr_for,
    snapshot,
    system_balance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


@pytest.fixture(autouse=True)
def _rates() -> None:
    make_rates()


@pytest.fixture
def fault() -> Iterator[list[str]]:
    """Stages at which the next payment attempts lose their answer (PaymentTimeout)."""
    stages: list[str] = []

    def hook(stage: str) -> None:
        if stages and stages[0] == stage:
            stages.pop(0)
            raise PaymentTimeout(f"simulated timeout at {stage}")

    previous = set_qr_fault(hook)
    yield stages
    set_qr_fault(previous)


def pay(
    user: object, payload: str, request_id: str = "pay-1", **kwargs: object
) -> selectors.QrPaymentResult:
    return services.qr_payment_submit(
        user_id=user.pk,  # type: ignore[attr-defined]
        payload=payload,
        request_id=request_id,
        now=kwargs.pop("now", NOW),  # type: ignore[arg-type]
        actor_role=kwargs.pop("actor_role", SYSTEM),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_dynamic_qr_is_paid_in_cny_and_credited_in_eur() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    result = pay(buyer, qr_for(outlet, 1250))
    assert result.status == "S" and result.result_code == "SUCCESS"
    assert result.amount.amount_minor == 1250 and result.outlet_id == outlet.id
    payment = result.payment
    assert payment is not None
    assert payment.paid.amount_minor == 9_799 and payment.paid.currency == "CNY"
    assert payment.credit.amount_minor == 1_250 and payment.credit.currency == "EUR"
    assert (payment.rate, payment.markup_bp, payment.spread.amount_minor) == ("7.8", 50, 49)
    assert payment.outlet_id == outlet.id and payment.kind == "qr"
    assert balance(buyer) == 20_000 - 9_799
    assert merchant_balance(outlet.merchant_id) == 1_250
    assert system_balance("fees", "CNY") == 49
    assert system_balance("fx_liquidity", "CNY") == 9_750


def test_a_static_qr_takes_the_amount_from_the_request() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    result = pay(buyer, qr_for(outlet), amount_minor=1250)
    assert result.status == "S" and merchant_balance(outlet.merchant_id) == 1250


def test_a_eur_wallet_pays_without_fx() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 5_000, "EUR")
    result = pay(buyer, qr_for(outlet, 1250), wallet_currency="EUR")
    assert result.status == "S" and result.payment is not None
    assert result.payment.rate == "" and result.payment.paid.amount_minor == 1250
    assert balance(buyer, "EUR") == 3_750


def test_insufficient_funds_is_f_and_moves_nothing() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 9_798)  # one fen short of CNY 97.99
    transfers = snapshot()["ledger_transfers"]
    result = pay(buyer, qr_for(outlet, 1250))
    assert result.status == "F" and result.result_code == "insufficient_funds"
    assert result.payment is None
    assert balance(buyer) == 9_798 and snapshot()["ledger_transfers"] == transfers
    # the answer is final for this request id, as Alipay+'s F
    funded_wallet(buyer, 1_000)
    assert pay(buyer, qr_for(outlet, 1250)).status == "F"
    assert pay(buyer, qr_for(outlet, 1250), request_id="pay-2").status == "S"


def test_the_same_request_is_answered_again_and_another_body_is_409() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    payload = qr_for(outlet, 1250)
    first = pay(buyer, payload)
    before = snapshot()
    assert pay(buyer, payload, now=NOW + timedelta(minutes=1)) == first
    assert snapshot() == before
    with pytest.raises(services.RequestIdReused) as excinfo:
        pay(buyer, qr_for(outlet, 1300))
    assert excinfo.value.status == 409
    assert snapshot() == before and balance(buyer) == 20_000 - 9_799


def test_a_timeout_before_commit_answers_u_and_a_query_settles_it_f(fault: list[str]) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    fault.append("booked")
    result = pay(buyer, qr_for(outlet, 1250))
    assert result.status == "U" and result.result_code == "UNKNOWN"
    assert balance(buyer) == 20_000  # rolled back
    queried = services.qr_payment_query(
        user_id=buyer.pk, request_id="pay-1", now=NOW, actor_role=SYSTEM
    )
    assert queried.status == "F" and queried.result_code == "not_completed"
    assert pay(buyer, qr_for(outlet, 1250)).status == "F"  # settled for good
    assert balance(buyer) == 20_000


def test_a_timeout_after_commit_answers_u_and_a_query_finds_s(fault: list[str]) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    fault.append("committed")
    assert pay(buyer, qr_for(outlet, 1250)).status == "U"
    queried = services.qr_payment_query(
        user_id=buyer.pk, request_id="pay-1", now=NOW, actor_role=SYSTEM
    )
    assert queried.status == "S" and queried.payment is not None
    assert balance(buyer) == 20_000 - 9_799


def test_a_retry_of_a_u_drives_it_to_s_once(fault: list[str]) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    fault.append("booked")
    assert pay(buyer, qr_for(outlet, 1250)).status == "U"
    assert pay(buyer, qr_for(outlet, 1250)).status == "S"
    assert pay(buyer, qr_for(outlet, 1250)).status == "S"
    assert balance(buyer) == 20_000 - 9_799


def test_another_users_request_is_unknown() -> None:
    buyer, other, outlet = make_buyer(), make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    pay(buyer, qr_for(outlet, 1250))
    with pytest.raises(services.QrPaymentNotFound):
        services.qr_payment_query(user_id=other.pk, request_id="pay-1", now=NOW, actor_role=SYSTEM)


def foreign_qr() -> str:
    return emvco.build(
        merchant_name="Other Shop",
        merchant_city="Paris",
        country="FR",
        currency="EUR",
        mcc="5999",
        accounts=[emvco.MerchantAccount(guid="fr.other", data={"01": "42"})],
        amount_minor=100,
    )


def no_outlet_qr(merchant_id: int) -> str:
    return emvco.build(
        merchant_name="Rete Postale",
        merchant_city="Roma",
        country="IT",
        currency="EUR",
        mcc="9402",
        accounts=[emvco.fiera_account(merchant_id=merchant_id)],
        amount_minor=100,
    )


def test_every_bad_request_is_4xx_and_writes_nothing() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    outlet = pilot_outlet(merchant)
    planned = make_outlet(merchant, status="planned")
    suspended = make_outlet(merchant, status="suspended")
    funded_wallet(buyer, 20_000)
    good = qr_for(outlet, 1250)
    unknown = good.replace(outlet.code, "UP-NOPE"[: len(outlet.code)].ljust(len(outlet.code), "X"))
    cases: list[tuple[dict[str, object], type[Exception], int, str]] = [
        (
            {"payload": good[:-1] + ("0" if good[-1] != "0" else "1")},
            emvco.CrcMismatch,
            422,
            "qr_crc_mismatch",
        ),
        ({"payload": "000201"}, emvco.EmvQrError, 422, "qr_tag_order"),
        ({"payload": ""}, emvco.EmvQrError, 422, "qr_malformed"),
        ({"payload": "x" * 600}, emvco.EmvQrError, 422, "qr_malformed"),
        ({"payload": foreign_qr()}, services.NotAFieraQr, 422, "not_a_fiera_qr"),
        ({"payload": no_outlet_qr(merchant.pk)}, services.NotAFieraQr, 422, "not_a_fiera_qr"),
        ({"payload": emvco_with_crc(unknown)}, services.UnknownOutlet, 404, "unknown_outlet"),
        (
            {"payload": qr_for(planned, 100)},
            services.OutletNotAccepting,
            409,
            "outlet_not_accepting",
        ),
        (
            {"payload": qr_for(suspended, 100)},
            services.OutletNotAccepting,
            409,
            "outlet_not_accepting",
        ),
        (
            {"payload": qr_for(outlet, 1250, "CNY")},
            services.CurrencyMismatch,
            422,
            "currency_mismatch",
        ),
        ({"payload": qr_for(outlet)}, services.AmountRequired, 422, "amount_required"),
        (
            {"payload": qr_for(outlet), "amount_minor": 0},
            services.InvalidAmount,
            422,
            "invalid_amount",
        ),
        ({"payload": good, "amount_minor": 999}, services.AmountMismatch, 422, "amount_mismatch"),
        ({"payload": good, "wallet_currency": "USD"}, services.NoWallet, 409, "no_wallet"),
        (
            {"payload": good, "request_id": "bad id"},
            services.InvalidRequestId,
            422,
            "invalid_request_id",
        ),
        (
            {"payload": good, "actor_role": "merchant"},
            services.WalletRoleRequired,
            403,
            "wallets_for_buyers",
        ),
    ]
    before = snapshot()
    for kwargs, error, status, code in cases:
        with pytest.raises(error) as excinfo:
            pay(buyer, **kwargs)  # type: ignore[arg-type]
        assert (excinfo.value.status, excinfo.value.code) == (status, code), kwargs  # type: ignore[attr-defined]
    assert snapshot() == before and balance(buyer) == 20_000


def emvco_with_crc(payload: str) -> str:
    """The payload with its CRC recomputed (after editing a field of the same length)."""
    body = payload[:-4]
    return body + emvco.checksum(body)


def test_a_parse_error_names_the_tag_and_offset() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    good = qr_for(outlet, 1250)
    with pytest.raises(emvco.CrcMismatch) as excinfo:
        pay(buyer, good[:-4] + "0000")
    assert excinfo.value.extra["tag"] == "63"


def test_an_outlet_closed_since_the_qr_was_printed_is_refused() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    payload = qr_for(outlet, 1250)
    outlet_set_status(outlet_id=outlet.id, status="suspended", now=NOW, actor_role=SYSTEM)
    with pytest.raises(services.OutletNotAccepting):
        pay(buyer, payload)
    assert not QrPayment.objects.exists()


def test_a_missing_rate_is_404_before_anything_is_written() -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000, "USD")
    from fiera.payments.models import FxRate

    FxRate.objects.filter(quote="USD").delete()
    before = snapshot()
    with pytest.raises(selectors.FxRateNotFound):
        pay(buyer, qr_for(outlet, 1250), wallet_currency="USD")
    assert snapshot() == before
