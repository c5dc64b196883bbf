"""A model-based test of the ledger (hypothesis RuleBasedStateMachine).

The rules open accounts, book plain and pending transfers, posts (full and partial),
voids, linked chains, retries, reversals, move the clock and run the expiry. A plain
Python model predicts every outcome (the error code, or the new balances) independently
of the services. After every step: ``ledger_verify`` is OK, no wallet is below zero, and
the balances in the database are the model's.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from fiera.accounts.roles import SYSTEM
from fiera.ledger import selectors, services
from fiera.ledger.domain import TransferSpec
from fiera.ledger.models import Account, Transfer
from tests.ledger.factories import NOW

KINDS = {
    "wallet": (True, False),  # debits_must_not_exceed_credits
    "open": (False, False),  # funding: no limit
    "receivable": (False, True),  # credits_must_not_exceed_debits
}


@dataclass
class ModelAccount:
    currency: str
    dmnec: bool
    cmned: bool
    dp: int = 0
    dpo: int = 0
    cp: int = 0
    cpo: int = 0


@dataclass
class ModelPending:
    debit: int
    credit: int
    amount: int
    expires_at: datetime | None
    state: str | None = None  # "posted" | "voided" | "expired"


@dataclass
class ModelState:
    accounts: dict[int, ModelAccount]
    pendings: dict[uuid.UUID, ModelPending]
    rows: int = 0


def model_move(
    state: ModelState, debit: int, credit: int, amount: int, currency: str, pending: bool
) -> str | None:
    """Apply a plain/pending transfer to the model; the error code if it must fail."""
    if debit == credit:
        return "accounts_must_be_different"
    d, c = state.accounts[debit], state.accounts[credit]
    if d.currency != currency or c.currency != currency:
        return "currency_mismatch"
    if d.dmnec and d.dp + d.dpo + amount > d.cpo:
        return "exceeds_credits"
    if c.cmned and c.cp + c.cpo + amount > c.dpo:
        return "exceeds_debits"
    if pending:
        d.dp += amount
        c.cp += amount
    else:
        d.dpo += amount
        c.cpo += amount
    state.rows += 1
    return None


def model_resolve(
    state: ModelState, pid: uuid.UUID, *, post: bool, amount: int | None, now: datetime
) -> str | None:
    p = state.pendings[pid]
    if p.state == "posted":
        return "pending_transfer_already_posted"
    if p.state == "voided":
        return "pending_transfer_already_voided"
    if p.state == "expired" or (p.expires_at is not None and now >= p.expires_at):
        return "pending_transfer_expired"
    if post and amount is not None and amount > p.amount:
        return "exceeds_pending_transfer_amount"
    d, c = state.accounts[p.debit], state.accounts[p.credit]
    d.dp -= p.amount
    c.cp -= p.amount
    if post:
        moved = p.amount if amount is None else amount
        d.dpo += moved
        c.cpo += moved
    p.state = "posted" if post else "voided"
    state.rows += 1
    return None


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at the end: a fresh ledger each time.
        # (Draws pick from lists in creation order, never sorted by random ids, so that a
        # replayed example draws the same way.)
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = NOW
        self.owner_ids = 0
        self.state = ModelState(accounts={}, pendings={})
        self.booked: list[TransferSpec] = []  # plain transfers booked, for retries
        self.reversible: list[tuple[int, int, int, str, uuid.UUID]] = []
        self.reversed: set[uuid.UUID] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- rules ---------------------------------------------------------------------------

    @initialize(target=accounts)
    def open_some_accounts(self) -> MultipleResults[int]:
        """Funding, wallets topped up from it, a receivable; mostly EUR, some JPY."""
        opened = [
            self._open(kind, currency)
            for kind, currency in [
                ("open", "EUR"),
                ("wallet", "EUR"),
                ("wallet", "EUR"),
                ("wallet", "EUR"),
                ("receivable", "EUR"),
                ("open", "JPY"),
                ("wallet", "JPY"),
            ]
        ]
        funding = {"EUR": opened[0], "JPY": opened[5]}
        for account_id in (opened[1], opened[2], opened[3], opened[6]):
            currency = self.state.accounts[account_id].currency
            spec = self._spec(funding[currency], account_id, 5000, False)
            assert (
                model_move(self.state, funding[currency], account_id, 5000, currency, False) is None
            )
            services.transfer_create(spec=spec, now=self.now)
            self._booked(spec)
        return multiple(*opened)

    @rule(
        target=accounts,
        kind=st.sampled_from(sorted(KINDS)),
        currency=st.sampled_from(["EUR", "JPY"]),
    )
    def open_account(self, kind: str, currency: str) -> int:
        return self._open(kind, currency)

    def _open(self, kind: str, currency: str) -> int:
        self.owner_ids += 1
        dmnec, cmned = KINDS[kind]
        account = services.account_open(
            code=kind,
            owner_type="user",
            owner_id=self.owner_ids,
            currency=currency,
            debits_must_not_exceed_credits=dmnec,
            credits_must_not_exceed_debits=cmned,
        )
        self.state.accounts[account.id] = ModelAccount(currency, dmnec, cmned)
        return account.id

    def _spec(
        self, debit: int, credit: int, amount: int, pending: bool, **extra: Any
    ) -> TransferSpec:
        return TransferSpec(
            id=uuid.uuid4(),
            debit_account_id=debit,
            credit_account_id=credit,
            amount_minor=amount,
            currency=self.state.accounts[debit].currency,
            code="payment",
            pending=pending,
            **extra,
        )

    def _counterpart(self, data: st.DataObject, debit: int, fallback: int) -> int:
        """Mostly an account of the debit's currency (so that most transfers get as far as
        the balance rules); sometimes any account (currency mismatch, same account)."""
        currency = self.state.accounts[debit].currency
        same = sorted(
            i for i, a in self.state.accounts.items() if a.currency == currency and i != debit
        )
        if data.draw(st.integers(0, 5), label="mix") == 0:
            return fallback
        return data.draw(st.sampled_from(same), label="credit")

    @rule(
        debit=accounts,
        other=accounts,
        data=st.data(),
        amount=st.integers(1, 3000),
        pending=st.booleans(),
        timeout=st.sampled_from([0, 30, 300]),
    )
    def transfer(
        self, debit: int, other: int, data: st.DataObject, amount: int, pending: bool, timeout: int
    ) -> None:
        credit = self._counterpart(data, debit, other)
        spec = self._spec(debit, credit, amount, pending, timeout_seconds=timeout if pending else 0)
        expected = model_move(self.state, debit, credit, amount, spec.currency or "", pending)
        [result] = services.transfers_create(transfers=[spec], now=self.now, actor_role=SYSTEM)
        event(f"{'pending' if pending else 'transfer'}: {expected or 'ok'}")
        assert result.error == expected, (result, expected)
        if expected is None:
            assert isinstance(spec.id, uuid.UUID)
            if pending:
                self.state.pendings[spec.id] = ModelPending(
                    debit,
                    credit,
                    amount,
                    self.now + timedelta(seconds=timeout) if timeout else None,
                )
            else:
                self._booked(spec)

    def _booked(self, spec: TransferSpec) -> None:
        assert isinstance(spec.id, uuid.UUID) and spec.currency is not None
        assert spec.debit_account_id is not None and spec.credit_account_id is not None
        assert spec.amount_minor is not None
        if not spec.linked:
            self.booked.append(spec)
        self.reversible.append(
            (
                spec.debit_account_id,
                spec.credit_account_id,
                spec.amount_minor,
                spec.currency,
                spec.id,
            )
        )

    @precondition(lambda self: self.state.pendings)
    @rule(data=st.data(), post=st.booleans(), amount=st.none() | st.integers(1, 3000))
    def resolve(self, data: st.DataObject, post: bool, amount: int | None) -> None:
        pid = data.draw(st.sampled_from(list(self.state.pendings)))
        spec = TransferSpec(
            id=uuid.uuid4(),
            pending_id=pid,
            post_pending=post,
            void_pending=not post,
            amount_minor=amount if post else None,
        )
        expected = model_resolve(self.state, pid, post=post, amount=spec.amount_minor, now=self.now)
        event(f"{'post' if post else 'void'}: {expected or 'ok'}")
        [result] = services.transfers_create(transfers=[spec], now=self.now, actor_role=SYSTEM)
        assert result.error == expected, (result, expected)

    @rule(
        links=st.lists(
            st.tuples(accounts, accounts, st.integers(1, 2000), st.booleans()),
            min_size=2,
            max_size=4,
        ),
        data=st.data(),
    )
    def linked_chain(self, links: list[tuple[int, int, int, bool]], data: st.DataObject) -> None:
        links = [(d, self._counterpart(data, d, c), amount, p) for d, c, amount, p in links]
        specs = [
            self._spec(d, c, amount, pending, linked=i < len(links) - 1)
            for i, (d, c, amount, pending) in enumerate(links)
        ]
        trial = copy.deepcopy(self.state)
        expected: list[str | None] = ["linked_event_failed"] * len(specs)
        failed = False
        for i, (spec, (d, c, amount, pending)) in enumerate(zip(specs, links, strict=True)):
            error = model_move(trial, d, c, amount, spec.currency or "", pending)
            if error:
                expected[i] = error
                failed = True
                break
        if not failed:
            expected = [None] * len(specs)
            self.state = trial
            for spec, (d, c, amount, pending) in zip(specs, links, strict=True):
                assert isinstance(spec.id, uuid.UUID)
                if pending:
                    self.state.pendings[spec.id] = ModelPending(d, c, amount, None)
                else:
                    self._booked(spec)
        results = services.transfers_create(transfers=specs, now=self.now, actor_role=SYSTEM)
        event(f"chain: {'failed' if failed else 'ok'}")
        assert [r.error for r in results] == expected

    @precondition(lambda self: self.booked)
    @rule(data=st.data(), same=st.booleans())
    def retry(self, data: st.DataObject, same: bool) -> None:
        """Resubmit a booked transfer alone (members of a chain but its last are linked:
        alone they would be an open chain, so they are not in the pool)."""
        spec = data.draw(st.sampled_from(self.booked))
        if not same:
            spec = replace(spec, amount_minor=(spec.amount_minor or 0) + 1)
        [result] = services.transfers_create(transfers=[spec], now=self.now, actor_role=SYSTEM)
        if same:
            assert result.ok and result.replayed, result
        else:
            assert result.error == "transfer_id_reused", result

    @precondition(lambda self: self.reversible)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        debit, credit, amount, currency, original_id = data.draw(st.sampled_from(self.reversible))
        if original_id in self.reversed:
            expected: str | None = "transfer_already_reversed"
        else:
            expected = model_move(self.state, credit, debit, amount, currency, False)
        try:
            booked = services.transfer_reverse(
                transfer_id=original_id, new_id=uuid.uuid4(), now=self.now
            )
        except (
            services.TransferAlreadyReversed,
            services.ExceedsCredits,
            services.ExceedsDebits,
        ) as exc:
            assert exc.code == expected
            return
        assert expected is None
        event("reverse: ok")
        self.reversed.add(original_id)
        # A reversal is a posted transfer too: it can be reversed (once).
        self.reversible.append((credit, debit, amount, currency, booked.id))

    @rule(seconds=st.integers(1, 400))
    def advance_clock(self, seconds: int) -> None:
        """Time passes; posts of pending transfers past their timeout must fail now, even
        before the expiry runs."""
        self.now += timedelta(seconds=seconds)

    def _unresolved_with_timeout(self) -> list[ModelPending]:
        return [
            p for p in self.state.pendings.values() if p.state is None and p.expires_at is not None
        ]

    @precondition(lambda self: self._unresolved_with_timeout())
    @rule(extra=st.integers(0, 100))
    def expire(self, extra: int) -> None:
        """The clock moves past the earliest timeout (and maybe more), then the expiry runs."""
        earliest = min(p.expires_at for p in self._unresolved_with_timeout() if p.expires_at)
        self.now = max(self.now, earliest + timedelta(seconds=extra))
        due = [
            p
            for p in self.state.pendings.values()
            if p.state is None and p.expires_at is not None and p.expires_at <= self.now
        ]
        for p in due:
            self.state.accounts[p.debit].dp -= p.amount
            self.state.accounts[p.credit].cp -= p.amount
            p.state = "expired"
            self.state.rows += 1
        event(f"expire: {'some' if due else 'none'}")
        assert services.pending_expire(now=self.now) == len(due)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def ledger_verifies(self) -> None:
        report = selectors.ledger_verify(actor_role=SYSTEM)
        assert report.ok, report.problems

    @invariant()
    def balances_are_the_models(self) -> None:
        stored = {
            a.id: (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            for a in Account.objects.all()
        }
        expected = {i: (a.dp, a.dpo, a.cp, a.cpo) for i, a in self.state.accounts.items()}
        assert stored == expected
        assert Transfer.objects.count() == self.state.rows

    @invariant()
    def no_wallet_below_zero(self) -> None:
        for account in selectors.account_list(code="wallet", limit=10_000, actor_role=SYSTEM):
            assert account.debits_pending + account.debits_posted <= account.credits_posted
            assert account.balance().available.amount_minor >= 0


@pytest.mark.django_db
def test_the_ledger_behaves_like_its_model() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
