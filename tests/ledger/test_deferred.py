"""Deferred postings (``transfers_book_deferred``) and their roll-up
(``balance_deltas_apply``): the payer's row is the only account written; the other sides
wait as ``BalanceDelta`` rows that readers and ``ledger_verify`` count, and the roll-up
folds them exactly once (docs/decisions/0012-lean-wallet-checkout.md)."""

from __future__ import annotations

import itertools
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiera.accounts.roles import SYSTEM
from fiera.ledger import selectors, services
from fiera.ledger.domain import AccountKey, DeferredLeg, TransferSpec
from fiera.ledger.models import Account, BalanceDelta, Transfer
from tests.ledger.factories import NOW, funded_wallet

pytestmark = pytest.mark.django_db
_merchants = itertools.count(5000)


def payer_key(account) -> AccountKey:
    return AccountKey("wallet", account.owner_type, account.owner_id, account.currency)


def payable(merchant_id: int, currency: str = "EUR") -> AccountKey:
    return AccountKey("merchant_payable", "merchant", merchant_id, currency)


def fees(currency: str = "EUR") -> AccountKey:
    return AccountKey("fees", "system", 0, currency)


def pay(payer: AccountKey, parts: list[tuple[AccountKey, int]], key: str | None = None) -> bool:
    key = key or str(uuid.uuid4())
    legs = [
        DeferredLeg(
            id=f"{key}:{i}", debit=payer, credit=credit, amount_minor=amount, code="payment"
        )
        for i, (credit, amount) in enumerate(parts)
    ]
    with transaction.atomic():
        return services.transfers_book_deferred(payer=payer, legs=legs, now=NOW)


def posted(key: AccountKey) -> int:
    record = selectors.account_get_by_key(
        code=key.code, owner_type=key.owner_type, owner_id=key.owner_id, currency=key.currency
    )
    assert record is not None
    return record.credits_posted - record.debits_posted


def verify_ok() -> selectors.VerifyReport:
    report = selectors.ledger_verify(actor_role=SYSTEM)
    assert report.ok, report.summary()
    return report


def test_the_payer_pays_and_the_credits_wait_as_deltas_that_readers_count():
    wallet = funded_wallet(10_000)
    merchant = next(_merchants)
    services.account_open(
        code="merchant_payable", owner_type="merchant", owner_id=merchant, currency="EUR"
    )
    assert pay(payer_key(wallet), [(payable(merchant), 3_000), (fees(), 100)]) is False
    stored = Account.objects.get(code="merchant_payable", owner_id=merchant)
    assert stored.credits_posted == 0  # not written by the payment
    assert BalanceDelta.objects.filter(account_id=stored.pk).count() == 1
    assert posted(payable(merchant)) == 3_000  # the reader adds the delta
    assert selectors.account_balance(account_id=stored.pk).posted.amount_minor == 3_000
    assert selectors.account_balance(account_id=wallet.id).posted.amount_minor == 6_900
    report = verify_ok()
    assert report.unapplied_deltas == 2
    assert "not yet rolled up" in report.summary()
    assert services.balance_deltas_apply() == 2
    stored.refresh_from_db()
    assert stored.credits_posted == 3_000
    assert BalanceDelta.objects.count() == 0
    assert verify_ok().unapplied_deltas == 0
    assert services.balance_deltas_apply() == 0


def test_two_or_three_statements_whatever_the_number_of_legs():
    wallet = funded_wallet(100_000)
    merchants = [next(_merchants) for _ in range(5)]
    for m in merchants:
        services.account_open(
            code="merchant_payable", owner_type="merchant", owner_id=m, currency="EUR"
        )
    services.system_account(code="fees", currency="EUR")
    counts = []
    for parts in (
        [(payable(merchants[0]), 100)],
        [(payable(m), 100) for m in merchants] + [(fees(), 7)],
    ):
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            services.transfers_book_deferred(
                payer=payer_key(wallet),
                legs=[
                    DeferredLeg(
                        id=str(uuid.uuid4()),
                        debit=payer_key(wallet),
                        credit=c,
                        amount_minor=a,
                        code="payment",
                    )
                    for c, a in parts
                ],
                now=NOW,
            )
        counts.append(len(ctx.captured_queries))
    # PostgreSQL inserts the deltas with the transfers (one data-modifying CTE)
    expected = 2 if connection.vendor == "postgresql" else 3
    assert counts == [expected, expected], counts


def test_a_missing_deferred_account_is_opened_on_the_failure_path():
    wallet = funded_wallet(1_000)
    merchant = next(_merchants)
    pay(payer_key(wallet), [(payable(merchant), 400)])
    account = Account.objects.get(code="merchant_payable", owner_id=merchant)
    assert (account.debits_must_not_exceed_credits, account.credits_must_not_exceed_debits) == (
        False,
        False,
    )
    assert posted(payable(merchant)) == 400
    verify_ok()


def test_too_little_in_the_wallet_is_exceeds_credits_and_nothing_stays():
    wallet = funded_wallet(1_000)
    merchant = next(_merchants)
    before = Transfer.objects.count()
    with pytest.raises(services.ExceedsCredits):
        pay(payer_key(wallet), [(payable(merchant), 600), (fees(), 401)])
    assert Transfer.objects.count() == before
    assert BalanceDelta.objects.count() == 0
    assert selectors.account_balance(account_id=wallet.id).posted.amount_minor == 1_000
    verify_ok()


def test_no_payer_account_is_account_not_found():
    with pytest.raises(services.AccountNotFound):
        pay(AccountKey("wallet", "user", 987_654, "EUR"), [(payable(next(_merchants)), 1)])
    assert Transfer.objects.count() == 0


def test_a_retry_books_nothing_twice_and_another_amount_is_refused():
    wallet = funded_wallet(1_000)
    merchant = next(_merchants)
    parts = [(payable(merchant), 300)]
    assert pay(payer_key(wallet), parts, key="order-1") is False
    assert pay(payer_key(wallet), parts, key="order-1") is True
    assert selectors.account_balance(account_id=wallet.id).posted.amount_minor == 700
    with pytest.raises(services.TransferIdReused):
        pay(payer_key(wallet), [(payable(merchant), 301)], key="order-1")
    assert BalanceDelta.objects.count() == 1
    verify_ok()


def test_a_credit_account_with_a_limit_is_refused():
    wallet = funded_wallet(1_000)
    services.account_open(
        code="receivable",
        owner_type="system",
        owner_id=0,
        currency="EUR",
        credits_must_not_exceed_debits=True,
    )
    with pytest.raises(services.InvalidAccount):
        pay(payer_key(wallet), [(AccountKey("receivable", "system", 0, "EUR"), 10)])
    assert BalanceDelta.objects.count() == 0


def test_a_transfer_from_an_account_with_deltas_adds_to_them_exactly():
    """Settlement-like: a regular transfer debits a payable whose credits still wait as
    deltas; the balances stay exact before and after the roll-up."""
    wallet = funded_wallet(5_000)
    merchant = next(_merchants)
    pay(payer_key(wallet), [(payable(merchant), 2_000)])
    source = Account.objects.get(code="merchant_payable", owner_id=merchant)
    payout = services.account_open(
        code="payout", owner_type="merchant", owner_id=merchant, currency="EUR"
    )
    services.transfer_create(
        spec=TransferSpec(
            id=str(uuid.uuid4()),
            debit_account_id=source.pk,
            credit_account_id=payout.id,
            amount_minor=1_500,
            currency="EUR",
            code="payout",
        ),
        now=NOW,
    )
    assert posted(payable(merchant)) == 500
    verify_ok()
    assert services.balance_deltas_apply(account_ids=[source.pk]) == 1
    assert posted(payable(merchant)) == 500
    assert selectors.account_balance(account_id=source.pk).posted.amount_minor == 500
    verify_ok()


def test_the_roll_up_of_some_accounts_leaves_the_others_waiting():
    wallet = funded_wallet(5_000)
    one, two = next(_merchants), next(_merchants)
    pay(payer_key(wallet), [(payable(one), 100), (payable(two), 200)])
    first = Account.objects.get(code="merchant_payable", owner_id=one)
    assert services.balance_deltas_apply(account_ids=[first.pk]) == 1
    assert list(BalanceDelta.objects.values_list("credits_posted", flat=True)) == [200]
    assert services.balance_deltas_apply(account_ids=[]) == 0
    verify_ok()


operation = st.one_of(
    st.tuples(
        st.just("pay"),
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 500)), min_size=1, max_size=4),
    ),
    st.tuples(st.just("roll_up"), st.sets(st.integers(0, 2), max_size=3)),
    st.tuples(st.just("roll_up_all"), st.just(0)),
    st.tuples(st.just("payout"), st.tuples(st.integers(0, 2), st.integers(1, 300))),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(operation, min_size=1, max_size=12))
def test_property_balances_equal_the_transfers_after_any_interleaving(steps):
    """After any interleaving of deferred payments, payouts (a regular transfer debiting a
    payable with waiting deltas), partial and full roll-ups: every balance read equals the
    recomputation from the transfers, and ``ledger_verify`` is OK."""
    with transaction.atomic():
        wallet = funded_wallet(1_000_000)
        merchants = [next(_merchants) for _ in range(3)]
        payouts = [
            services.account_open(code="payout", owner_type="merchant", owner_id=m, currency="EUR")
            for m in merchants
        ]
        expected = dict.fromkeys(merchants, 0)
        for kind, arg in steps:
            if kind == "pay":
                parts = [(payable(merchants[i]), amount) for i, amount in arg]
                legs = [
                    DeferredLeg(
                        id=str(uuid.uuid4()),
                        debit=payer_key(wallet),
                        credit=c,
                        amount_minor=a,
                        code="payment",
                    )
                    for c, a in parts
                ]
                services.transfers_book_deferred(payer=payer_key(wallet), legs=legs, now=NOW)
                for i, amount in arg:
                    expected[merchants[i]] += amount
            elif kind == "roll_up":
                ids = list(
                    Account.objects.filter(
                        code="merchant_payable", owner_id__in=[merchants[i] for i in arg]
                    ).values_list("id", flat=True)
                )
                services.balance_deltas_apply(account_ids=ids)
            elif kind == "roll_up_all":
                services.balance_deltas_apply()
            else:
                index, amount = arg
                source = Account.objects.filter(
                    code="merchant_payable", owner_id=merchants[index]
                ).first()
                if source is None:
                    continue
                services.transfer_create(
                    spec=TransferSpec(
                        id=str(uuid.uuid4()),
                        debit_account_id=source.pk,
                        credit_account_id=payouts[index].id,
                        amount_minor=amount,
                        currency="EUR",
                        code="payout",
                    ),
                    now=NOW,
                )
                expected[merchants[index]] -= amount
            for merchant, balance in expected.items():
                if Account.objects.filter(code="merchant_payable", owner_id=merchant).exists():
                    assert posted(payable(merchant)) == balance
            verify_ok()
        services.balance_deltas_apply()
        assert BalanceDelta.objects.count() == 0
        verify_ok()
        transaction.set_rollback(True)


def test_cli_verify_counts_the_waiting_deltas_and_roll_up_folds_them(capsys):
    from fiera.cli import main

    wallet = funded_wallet(1_000)
    merchant = next(_merchants)
    pay(payer_key(wallet), [(payable(merchant), 250)])
    assert main(["ledger", "verify"]) == 0
    assert "(1 balance deltas not yet rolled up, counted)" in capsys.readouterr().out
    assert main(["ledger", "balances", "--owner", f"merchant:{merchant}"]) == 0
    assert "2.50 EUR" in capsys.readouterr().out
    assert main(["ledger", "roll-up"]) == 0
    assert "folded 1 balance delta(s)" in capsys.readouterr().out
    assert main(["ledger", "verify"]) == 0
    assert "not yet rolled up" not in capsys.readouterr().out


def test_a_delta_that_matches_no_transfer_breaks_verify():
    wallet = funded_wallet(1_000)
    merchant = next(_merchants)
    pay(payer_key(wallet), [(payable(merchant), 250)])
    BalanceDelta.objects.update(credits_posted=251)
    report = selectors.ledger_verify(actor_role=SYSTEM)
    assert not report.ok
    assert any("matches no transfer" in p for p in report.problems)
