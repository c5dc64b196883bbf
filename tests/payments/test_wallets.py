"""Wallets: opening, top-ups through the funding gateway (idempotent, declines, lost
answers), balances and the paged statement, and who may see them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.payments import selectors, services
from fiera.payments.gateways import (
    FundingGateway,
    InMemoryFundingGateway,
    SimulatedFundingGateway,
    funding_gateway,
    set_funding_gateway,
)
from fiera.payments.models import TopUp
from tests.payments.factories import NOW, balance, make_buyer, make_user, snapshot, system_balance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


def top_up(user: object, amount: int = 10_000, **overrides: Any) -> selectors.TopUpInfo:
    values: dict[str, object] = {
        "user_id": user.pk,  # type: ignore[attr-defined]
        "amount_minor": amount,
        "currency": "CNY",
        "funding_reference": "card-4242",
        "request_id": "req-1",
        "now": NOW,
        "actor_role": SYSTEM,
    }
    values.update(overrides)
    return services.wallet_top_up(**values)  # type: ignore[arg-type]


def test_open_is_idempotent_and_starts_empty() -> None:
    buyer = make_buyer()
    first = services.wallet_open(user_id=buyer.pk, currency="cny", now=NOW, actor_role=SYSTEM)
    again = services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    assert first.id == again.id and first.account_id == again.account_id
    assert first.currency == "CNY" and first.available.amount_minor == 0
    assert [w.currency for w in selectors.wallet_list(owner_id=buyer.pk, actor_role=SYSTEM)] == [
        "CNY"
    ]


def test_open_refuses_other_roles_and_currencies() -> None:
    buyer = make_buyer()
    with pytest.raises(services.WalletRoleRequired):
        services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role="merchant")
    with pytest.raises(services.UnsupportedCurrency):
        services.wallet_open(user_id=buyer.pk, currency="XAU", now=NOW, actor_role=SYSTEM)
    with pytest.raises(services.UnsupportedCurrency):
        services.wallet_open(
            user_id=buyer.pk, currency="JPY", now=NOW, actor_role=SYSTEM
        )  # not a wallet currency


def test_top_up_books_funding_to_wallet(gateway: InMemoryFundingGateway) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    info = top_up(buyer, 12_345, gateway=gateway)
    assert info.status == "succeeded" and info.transfer_id
    assert info.amount.amount_minor == 12_345 and info.gateway_reference.startswith("mem-")
    assert balance(buyer) == 12_345
    assert system_balance("funding", "CNY") == -12_345
    assert gateway.total("CNY").amount_minor == 12_345


def test_same_request_same_body_is_answered_again_without_moving_money(
    gateway: InMemoryFundingGateway,
) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    first = top_up(buyer, gateway=gateway)
    before = snapshot()
    again = top_up(buyer, gateway=gateway, now=NOW + timedelta(minutes=5))
    assert again == first
    assert snapshot() == before
    assert balance(buyer) == 10_000 and gateway.calls == 1


def test_same_request_other_body_is_409_and_writes_nothing(gateway: InMemoryFundingGateway) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    top_up(buyer, gateway=gateway)
    before = snapshot()
    with pytest.raises(services.RequestIdReused) as excinfo:
        top_up(buyer, 20_000, gateway=gateway)
    assert excinfo.value.status == 409 and excinfo.value.code == "request_id_reused"
    with pytest.raises(services.RequestIdReused):
        top_up(buyer, funding_reference="card-9999", gateway=gateway)
    assert snapshot() == before and balance(buyer) == 10_000


def test_request_ids_are_per_user(gateway: InMemoryFundingGateway) -> None:
    one, two = make_buyer(), make_buyer()
    for user in (one, two):
        services.wallet_open(user_id=user.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
        top_up(user, gateway=gateway)
    assert balance(one) == balance(two) == 10_000


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"amount_minor": 0}, services.InvalidAmount),
        ({"amount_minor": -5}, services.InvalidAmount),
        ({"amount_minor": 12.5}, services.InvalidAmount),
        ({"amount_minor": True}, services.InvalidAmount),
        ({"amount_minor": 10**16}, services.InvalidAmount),
        ({"currency": "ZZZ"}, services.UnsupportedCurrency),
        ({"currency": "USD"}, services.WalletNotFound),  # no USD wallet open
        ({"request_id": ""}, services.InvalidRequestId),
        ({"request_id": "has space"}, services.InvalidRequestId),
        ({"request_id": "x" * 65}, services.InvalidRequestId),
        ({"funding_reference": ""}, services.InvalidFundingReference),
        ({"funding_reference": "a\nb"}, services.InvalidFundingReference),
        ({"actor_role": "merchant"}, services.WalletRoleRequired),
    ],
)
def test_bad_top_ups_are_4xx_and_write_nothing(
    overrides: dict[str, Any], error: type[Exception], gateway: InMemoryFundingGateway
) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    before = snapshot()
    with pytest.raises(error) as excinfo:
        top_up(buyer, gateway=gateway, **overrides)
    assert 400 <= excinfo.value.status < 500  # type: ignore[attr-defined]
    assert snapshot() == before and gateway.calls == 0


def test_a_decline_moves_nothing_and_is_answered_again(gateway: InMemoryFundingGateway) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    gateway.decline = "card_declined"
    ledger_before = snapshot()["ledger_transfers"]
    with pytest.raises(services.FundingDeclined) as excinfo:
        top_up(buyer, gateway=gateway)
    assert excinfo.value.status == 409
    assert excinfo.value.extra == {"reason": "card_declined"}
    gateway.decline = ""
    with pytest.raises(services.FundingDeclined):  # the same request keeps its answer
        top_up(buyer, gateway=gateway)
    assert balance(buyer) == 0 and snapshot()["ledger_transfers"] == ledger_before
    assert TopUp.objects.get().status == "failed"


def test_a_lost_answer_stays_pending_and_a_retry_books_it_once(
    gateway: InMemoryFundingGateway,
) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    gateway.timeouts, gateway.timeout_after_charge = 1, True  # charged, answer lost
    pending = top_up(buyer, gateway=gateway)
    assert pending.status == "pending" and pending.transfer_id is None
    assert balance(buyer) == 0
    done = top_up(buyer, gateway=gateway)
    assert done.status == "succeeded"
    assert balance(buyer) == 10_000
    assert gateway.total("CNY").amount_minor == 10_000  # charged once at the source


def test_a_timeout_before_charging_is_retried_safely(gateway: InMemoryFundingGateway) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    gateway.timeouts = 1
    assert top_up(buyer, gateway=gateway).status == "pending"
    assert gateway.charges == {}
    assert top_up(buyer, gateway=gateway).status == "succeeded"
    assert balance(buyer) == 10_000


def test_the_simulated_gateway_approves_below_its_limit() -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    assert isinstance(funding_gateway(), SimulatedFundingGateway)
    assert isinstance(funding_gateway(), FundingGateway)
    assert top_up(buyer, 2_000_000).status == "succeeded"  # CNY 20,000.00: the limit
    with pytest.raises(services.FundingDeclined, match="at most"):
        top_up(buyer, 2_000_001, request_id="req-2")
    assert balance(buyer) == 2_000_000


def test_the_default_gateway_can_be_replaced(gateway: InMemoryFundingGateway) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    previous = set_funding_gateway(gateway)
    try:
        top_up(buyer)
    finally:
        set_funding_gateway(previous)
    assert gateway.calls == 1


def test_statement_pages_newest_first_with_running_balance(
    gateway: InMemoryFundingGateway,
) -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    for i in range(5):
        top_up(buyer, 100 * (i + 1), request_id=f"r{i}", now=NOW + timedelta(minutes=i))
    page = selectors.wallet_statement(
        owner_id=buyer.pk, currency="CNY", limit=2, offset=0, actor_role=SYSTEM
    )
    assert page.count == 5 and page.wallet.posted.amount_minor == 1500
    assert [line.amount.amount_minor for line in page.lines] == [500, 400]
    assert [line.balance_after.amount_minor for line in page.lines] == [1500, 1000]
    assert page.lines[0].label == "Top-up" and page.lines[0].direction == "credit"
    last = selectors.wallet_statement(
        owner_id=buyer.pk, currency="CNY", limit=2, offset=4, actor_role=SYSTEM
    )
    assert [line.balance_after.amount_minor for line in last.lines] == [100]


def test_only_the_owner_and_operators_see_a_wallet(gateway: InMemoryFundingGateway) -> None:
    owner, other, operator = make_buyer(), make_buyer(), make_user("operator")
    services.wallet_open(user_id=owner.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    top_up(owner, gateway=gateway)
    seen = selectors.wallet_get(
        owner_id=owner.pk, currency="CNY", actor_id=operator.pk, actor_role="operator"
    )
    assert seen.available.amount_minor == 10_000
    with pytest.raises(services.WalletNotFound):
        selectors.wallet_get(
            owner_id=owner.pk, currency="CNY", actor_id=other.pk, actor_role="buyer"
        )
    with pytest.raises(services.WalletNotFound):
        selectors.wallet_statement(
            owner_id=owner.pk, currency="CNY", actor_id=other.pk, actor_role="buyer"
        )
    with pytest.raises(services.WalletNotFound):
        selectors.wallet_list(owner_id=owner.pk, actor_id=other.pk, actor_role="buyer")
    with pytest.raises(services.WalletNotFound):
        selectors.wallet_get(owner_id=owner.pk, currency="USD", actor_role=SYSTEM)
