from __future__ import annotations

import pytest
from django.db.models import F

from fiera.accounts.roles import SYSTEM
from fiera.ledger import selectors, services
from fiera.ledger.domain import TransferSpec
from fiera.ledger.models import Account, Transfer
from tests.ledger.factories import NOW, funded_wallet, funding, move, tid, wallet

pytestmark = pytest.mark.django_db


def test_balance_on_the_normal_side() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    services.transfer_create(spec=move(w, shop, 300, pending=True), now=NOW)
    balance = selectors.account_balance(account_id=w.id)
    assert (
        balance.posted.amount_minor,
        balance.pending.amount_minor,
        balance.available.amount_minor,
    ) == (
        1000,
        -300,
        700,
    )
    receiving = selectors.account_balance(account_id=shop.id)
    assert (receiving.posted.amount_minor, receiving.pending.amount_minor) == (0, 300)
    assert receiving.available.amount_minor == 0  # pending credits are not there yet
    receivable = services.account_open(
        code="receivable",
        owner_type="merchant",
        owner_id=1,
        currency="EUR",
        credits_must_not_exceed_debits=True,
    )
    services.transfer_create(spec=move(receivable, shop, 40), now=NOW)
    assert selectors.account_balance(account_id=receivable.id).posted.amount_minor == 40


def test_statement_newest_first_with_running_posted_balance() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    services.transfer_create(spec=move(w, shop, 100), now=NOW)
    pending = services.transfer_create(spec=move(w, shop, 50, pending=True), now=NOW)
    services.transfer_create(
        spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True, amount_minor=30),
        now=NOW,
    )
    services.transfer_create(spec=move(shop, w, 20), now=NOW)
    statement = selectors.account_statement(account_id=w.id, actor_role=SYSTEM)
    assert statement.count == 5
    assert [
        (line.transfer.kind, line.direction, line.posted_balance_after.amount_minor)
        for line in statement.lines
    ] == [
        ("single", "credit", 890),
        ("post", "debit", 870),
        ("pending", "debit", 900),
        ("single", "debit", 900),
        ("single", "credit", 1000),
    ]
    page = selectors.account_statement(account_id=w.id, limit=2, offset=2, actor_role=SYSTEM)
    assert [line.posted_balance_after.amount_minor for line in page.lines] == [900, 900]
    assert page.count == 5
    with pytest.raises(services.AccountNotFound):
        selectors.account_statement(account_id=10**9, actor_role=SYSTEM)


def test_account_list_and_lookup_by_key() -> None:
    a = wallet(owner_id=77)
    b = wallet("CNY", owner_id=77)
    funding()
    assert [
        x.id for x in selectors.account_list(owner_type="user", owner_id=77, actor_role=SYSTEM)
    ] == [a.id, b.id]
    assert [
        x.id
        for x in selectors.account_list(
            owner_type="user", owner_id=77, currency="CNY", actor_role=SYSTEM
        )
    ] == [b.id]
    assert (
        selectors.account_get_by_key(code="wallet", owner_type="user", owner_id=77, currency="EUR")
        == a
    )
    assert (
        selectors.account_get_by_key(code="wallet", owner_type="user", owner_id=78, currency="EUR")
        is None
    )


def test_transfer_get_and_list_by_reference() -> None:
    w = funded_wallet(100)
    booked = services.transfer_create(
        spec=TransferSpec(
            id="k1",
            debit_account_id=w.id,
            credit_account_id=wallet().id,
            amount_minor=5,
            currency="EUR",
            code="payment",
            reference="order:5",
        ),
        now=NOW,
    )
    assert selectors.transfer_get(transfer_id=booked.id, actor_role=SYSTEM) == booked
    with pytest.raises(services.TransferNotFound):
        selectors.transfer_get(transfer_id="missing", actor_role=SYSTEM)
    with pytest.raises(services.InvalidTransferId):
        selectors.transfer_get(transfer_id="", actor_role=SYSTEM)


def test_verify_is_ok_then_names_what_broke() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    services.transfer_create(spec=move(w, shop, 100, pending=True), now=NOW)
    report = selectors.ledger_verify(actor_role=SYSTEM)
    assert report.ok and report.summary() == "OK: 3 accounts, 2 transfers in 1 currencies"
    # Someone edits a balance behind the ledger's back.
    Account.objects.filter(pk=shop.id).update(credits_posted=F("credits_posted") + 7)
    report = selectors.ledger_verify(actor_role=SYSTEM)
    assert not report.ok and report.broken_account_ids == [shop.id]
    assert any(
        f"account {shop.id}" in p and "credits_posted 7 (transfers say 0)" in p
        for p in report.problems
    )
    assert any(p.startswith("EUR: debits_posted") for p in report.problems)


def test_verify_sees_a_lost_transfer_row() -> None:
    w = funded_wallet(1000)
    Transfer.objects.all().delete()  # possible here only: the test database has no triggers
    report = selectors.ledger_verify(actor_role=SYSTEM)
    assert set(report.broken_account_ids) == {w.id, funding().id}


def test_operators_only_when_a_role_is_given() -> None:
    for role in ("buyer", "merchant", "partner", "learner", ""):
        with pytest.raises(services.LedgerOperatorsOnly):
            selectors.ledger_verify(actor_role=role)
        with pytest.raises(services.LedgerOperatorsOnly):
            services.transfers_create(transfers=[], now=NOW, actor_role=role)
    assert selectors.ledger_verify(actor_role="operator").ok
