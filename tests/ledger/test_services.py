from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import Conflict, InvalidInput, NotFound
from fiera.ledger import selectors, services
from fiera.ledger.domain import TRANSFER_ID_NAMESPACE, TransferSpec, parse_transfer_id
from fiera.ledger.models import Account, Transfer
from tests.ledger.factories import NOW, funded_wallet, funding, move, tid, wallet

pytestmark = pytest.mark.django_db


def balances(account_id: int) -> tuple[int, int, int, int]:
    a = selectors.account_get(account_id=account_id, actor_role=SYSTEM)
    return a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted


# --- accounts ---------------------------------------------------------------------------


def test_account_open_is_idempotent_on_its_key() -> None:
    first = services.account_open(
        code="wallet",
        owner_type="user",
        owner_id=42,
        currency="EUR",
        debits_must_not_exceed_credits=True,
    )
    again = services.account_open(
        code="wallet",
        owner_type="user",
        owner_id=42,
        currency="EUR",
        debits_must_not_exceed_credits=True,
    )
    other_currency = services.account_open(
        code="wallet",
        owner_type="user",
        owner_id=42,
        currency="CNY",
        debits_must_not_exceed_credits=True,
    )
    assert again.id == first.id
    assert other_currency.id != first.id
    assert Account.objects.filter(owner_type="user", owner_id=42).count() == 2


def test_account_open_refuses_other_flags_for_an_existing_account() -> None:
    services.account_open(code="wallet", owner_type="user", owner_id=7, currency="EUR")
    with pytest.raises(services.AccountExistsWithDifferentFlags):
        services.account_open(
            code="wallet",
            owner_type="user",
            owner_id=7,
            currency="EUR",
            debits_must_not_exceed_credits=True,
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"code": "Wallet"},
        {"code": ""},
        {"owner_type": "User!"},
        {"owner_id": -1},
        {"currency": "EURO"},
        {"currency": "XAU"},  # no minor unit
        {"debits_must_not_exceed_credits": True, "credits_must_not_exceed_debits": True},
    ],
)
def test_account_open_validates(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "code": "wallet",
        "owner_type": "user",
        "owner_id": 1,
        "currency": "EUR",
    }
    with pytest.raises(InvalidInput):
        services.account_open(**{**base, **kwargs})  # type: ignore[arg-type]


def test_system_account_is_one_per_code_and_currency() -> None:
    a = services.system_account(code="fees", currency="EUR")
    assert services.system_account(code="fees", currency="EUR").id == a.id
    assert (a.owner_type, a.owner_id) == ("system", 0)
    assert services.system_account(code="fees", currency="USD").id != a.id


def test_balances_cannot_break_the_flags_even_by_raw_sql() -> None:
    w = wallet()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=w.id).update(debits_posted=1)


# --- plain transfers --------------------------------------------------------------------


def test_a_transfer_moves_posted_balances_on_both_sides() -> None:
    source = funding()
    target = wallet()
    booked = services.transfer_create(spec=move(source, target, 1250, code="topup"), now=NOW)
    assert booked.amount_minor == 1250 and booked.code == "topup" and booked.created_at == NOW
    assert balances(source.id) == (0, 1250, 0, 0)
    assert balances(target.id) == (0, 0, 0, 1250)
    balance = selectors.account_balance(account_id=target.id)
    assert balance.posted.amount_minor == 1250 and balance.available.amount_minor == 1250


def test_a_wallet_cannot_go_below_zero() -> None:
    w = funded_wallet(1000)
    other = wallet()
    services.transfer_create(spec=move(w, other, 1000), now=NOW)  # exactly to zero is fine
    with pytest.raises(services.ExceedsCredits) as caught:
        services.transfer_create(spec=move(w, other, 1), now=NOW)
    assert caught.value.code == "exceeds_credits" and caught.value.status == 409
    assert balances(w.id) == (0, 1000, 0, 1000)


def test_credits_must_not_exceed_debits() -> None:
    receivable = services.account_open(
        code="receivable",
        owner_type="merchant",
        owner_id=3,
        currency="EUR",
        credits_must_not_exceed_debits=True,
    )
    w = funded_wallet(500)
    with pytest.raises(services.ExceedsDebits):
        services.transfer_create(spec=move(w, receivable, 1), now=NOW)
    services.transfer_create(spec=move(receivable, w, 300), now=NOW)
    services.transfer_create(spec=move(w, receivable, 300), now=NOW)
    with pytest.raises(services.ExceedsDebits):
        services.transfer_create(spec=move(w, receivable, 1), now=NOW)


def test_currency_mismatch_is_refused() -> None:
    eur = funded_wallet(1000, "EUR")
    cny = wallet("CNY")
    with pytest.raises(services.CurrencyMismatch) as caught:
        services.transfer_create(spec=move(eur, cny, 100, currency="EUR"), now=NOW)
    assert caught.value.status == 422
    with pytest.raises(services.CurrencyMismatch):
        services.transfer_create(spec=move(eur, wallet("EUR"), 100, currency="USD"), now=NOW)


@pytest.mark.parametrize("amount", [0, -5, None])
def test_amount_must_be_positive(amount: int | None) -> None:
    spec = TransferSpec(
        id=tid(),
        debit_account_id=funding().id,
        credit_account_id=wallet().id,
        amount_minor=amount,
        currency="EUR",
        code="topup",
    )
    with pytest.raises(services.AmountMustBePositive) as caught:
        services.transfer_create(spec=spec, now=NOW)
    assert caught.value.status == 422


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"id": ""}, services.InvalidTransferId),
        ({"id": 0}, services.InvalidTransferId),
        ({"debit_account_id": None}, services.DebitAccountIdRequired),
        ({"credit_account_id": None}, services.CreditAccountIdRequired),
        ({"credit_account_id": "debit"}, services.AccountsMustBeDifferent),
        ({"currency": None}, services.InvalidCurrency),
        ({"currency": "ZZZ"}, services.InvalidCurrency),
        ({"code": ""}, services.CodeRequired),
        ({"code": "Top Up"}, services.InvalidCode),
        ({"reference": "x" * 201}, services.InvalidReference),
        ({"reference": "nul\x00byte"}, services.InvalidReference),
        ({"pending": True, "post_pending": True}, services.FlagsAreMutuallyExclusive),
        ({"timeout_seconds": 60}, services.TimeoutReservedForPendingTransfer),
        ({"pending": True, "timeout_seconds": -1}, services.InvalidTimeout),
        ({"pending_id": str(uuid.uuid4())}, services.PendingIdMustNotBeSet),
        ({"post_pending": True}, services.PendingIdRequired),
        ({"amount_minor": 1 << 63}, services.OverflowsBalance),
        ({"debit_account_id": 1 << 70}, services.DebitAccountNotFound),
        ({"credit_account_id": 987654321}, services.CreditAccountNotFound),
        ({"linked": True}, services.LinkedEventChainOpen),
    ],
)
def test_invalid_specs_are_refused_with_their_code(change: dict[str, object], error: type) -> None:
    source, target = funding(), wallet()
    fields: dict[str, object] = {
        "id": tid(),
        "debit_account_id": source.id,
        "credit_account_id": target.id,
        "amount_minor": 100,
        "currency": "EUR",
        "code": "topup",
    }
    fields.update(change)
    if fields.get("credit_account_id") == "debit":
        fields["credit_account_id"] = source.id
    with pytest.raises(error):
        services.transfer_create(spec=TransferSpec(**fields), now=NOW)  # type: ignore[arg-type]
    assert Transfer.objects.count() == 0
    assert balances(source.id) == (0, 0, 0, 0)


def test_text_keys_map_to_stable_uuids() -> None:
    assert parse_transfer_id("order:42:capture") == uuid.uuid5(
        TRANSFER_ID_NAMESPACE, "order:42:capture"
    )
    u = uuid.uuid4()
    assert parse_transfer_id(str(u)) == u == parse_transfer_id(u) == parse_transfer_id(u.int)
    booked = services.transfer_create(
        spec=move(funding(), wallet(), 5, id="order:42:capture"), now=NOW
    )
    assert selectors.transfer_get(transfer_id="order:42:capture", actor_role=SYSTEM) == booked


# --- idempotency ------------------------------------------------------------------------


def test_a_retry_with_the_same_fields_returns_the_original_and_books_nothing() -> None:
    source, target = funding(), wallet()
    spec = move(source, target, 700, code="topup")
    first = services.transfer_create(spec=spec, now=NOW)
    again = services.transfer_create(spec=spec, now=NOW + timedelta(hours=1))
    assert again == first  # the original, created_at included
    [result] = services.transfers_create(transfers=[spec], now=NOW, actor_role=SYSTEM)
    assert result.ok and result.replayed and result.transfer == first
    assert balances(target.id) == (0, 0, 0, 700)
    assert Transfer.objects.count() == 1


def test_a_retry_after_the_money_was_spent_still_returns_the_original() -> None:
    w = funded_wallet(500)
    spend = move(w, wallet(), 500)
    first = services.transfer_create(spec=spend, now=NOW)
    # The wallet is empty now: evaluated afresh the spend would fail; as a retry it is ok.
    assert services.transfer_create(spec=spend, now=NOW) == first
    assert balances(w.id) == (0, 500, 0, 500)


@pytest.mark.parametrize(
    "change",
    [{"amount_minor": 701}, {"code": "refund"}, {"reference": "other"}, {"pending": True}],
)
def test_the_same_id_with_other_fields_is_a_conflict(change: dict[str, object]) -> None:
    source, target = funding(), wallet()
    spec = move(source, target, 700, code="topup")
    services.transfer_create(spec=spec, now=NOW)
    with pytest.raises(services.TransferIdReused) as caught:
        services.transfer_create(spec=replace(spec, **change), now=NOW)  # type: ignore[arg-type]
    assert caught.value.status == 409 and caught.value.code == "transfer_id_reused"
    assert balances(target.id) == (0, 0, 0, 700)


def test_the_same_id_twice_in_one_batch_books_once() -> None:
    source, target = funding(), wallet()
    spec = move(source, target, 10, code="topup")
    results = services.transfers_create(transfers=[spec, spec], now=NOW, actor_role=SYSTEM)
    assert [(r.ok, r.replayed) for r in results] == [(True, False), (True, True)]
    assert balances(target.id) == (0, 0, 0, 10)


# --- batches ----------------------------------------------------------------------------


def test_a_batch_with_mixed_results_books_the_good_ones() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    eur_other = wallet()
    cny = wallet("CNY")
    specs = [
        move(w, shop, 600),  # ok
        move(w, shop, 600),  # exceeds: only 400 left
        move(w, cny, 10, currency="EUR"),  # currency mismatch
        move(w, shop, 0),  # invalid amount
        move(w, eur_other, 400),  # ok: uses what is left
    ]
    results = services.transfers_create(transfers=specs, now=NOW, actor_role=SYSTEM)
    assert [r.error for r in results] == [
        None,
        "exceeds_credits",
        "currency_mismatch",
        "amount_must_be_positive",
        None,
    ]
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert balances(w.id) == (0, 1000, 0, 1000)
    assert balances(shop.id) == (0, 0, 0, 600)
    assert balances(eur_other.id) == (0, 0, 0, 400)
    assert Transfer.objects.count() == 3  # the top-up and two moves
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_a_batch_is_bounded() -> None:
    with pytest.raises(services.BatchTooLarge):
        services.transfers_create(
            transfers=[TransferSpec(id=str(i)) for i in range(services.MAX_BATCH + 1)],
            now=NOW,
            actor_role=SYSTEM,
        )
    assert services.transfers_create(transfers=[], now=NOW, actor_role=SYSTEM) == []


def test_a_big_batch_books_every_transfer() -> None:
    source = funding()
    targets = [wallet() for _ in range(3)]
    specs = [move(source, targets[i % 3], 1 + i % 5, code="topup") for i in range(2500)]
    results = services.transfers_create(transfers=specs, now=NOW, actor_role=SYSTEM)
    assert all(r.ok for r in results)
    assert Transfer.objects.count() == 2500
    assert balances(source.id)[1] == sum(s.amount_minor or 0 for s in specs)
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_lookups_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches touching more accounts or ids than one statement takes are split."""
    from fiera.ledger import sql

    monkeypatch.setattr(sql, "SQLITE_CHUNK", 3)
    monkeypatch.setattr(sql, "POSTGRESQL_CHUNK", 3)
    source = funding()
    wallets = [wallet() for _ in range(7)]
    pendings = [move(source, w, 10, pending=True) for w in wallets]
    first = services.transfers_create(transfers=pendings, now=NOW, actor_role=SYSTEM)
    posts = [TransferSpec(id=tid(), pending_id=p.id, post_pending=True) for p in pendings]
    second = services.transfers_create(
        transfers=[*pendings, *posts], now=NOW, actor_role=SYSTEM
    )  # retries too
    assert all(r.ok for r in first) and all(r.ok for r in second)
    assert [r.replayed for r in second] == [True] * 7 + [False] * 7
    assert [balances(w.id) for w in wallets] == [(0, 0, 0, 10)] * 7
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        services.transfers_create(transfers=[], now=NOW.replace(tzinfo=None), actor_role=SYSTEM)


# --- two-phase --------------------------------------------------------------------------


def test_pending_reserves_and_a_full_post_moves_it_to_posted() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = services.transfer_create(spec=move(w, shop, 800, pending=True), now=NOW)
    assert pending.kind == "pending"
    assert balances(w.id) == (800, 0, 0, 1000)
    assert balances(shop.id) == (0, 0, 800, 0)
    assert selectors.account_balance(account_id=w.id).available.amount_minor == 200
    with pytest.raises(services.ExceedsCredits):  # the reservation counts
        services.transfer_create(spec=move(w, shop, 201), now=NOW)
    post = services.transfer_create(
        spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True), now=NOW
    )
    assert post.kind == "post" and post.amount_minor == 800 and post.pending_id == pending.id
    assert post.code == pending.code and post.debit_account_id == w.id
    assert balances(w.id) == (0, 800, 0, 1000)
    assert balances(shop.id) == (0, 0, 0, 800)
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_a_partial_post_releases_the_rest() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = services.transfer_create(spec=move(w, shop, 800, pending=True), now=NOW)
    post = services.transfer_create(
        spec=TransferSpec(
            id=tid(), pending_id=str(pending.id), post_pending=True, amount_minor=300
        ),
        now=NOW,
    )
    assert post.amount_minor == 300
    assert balances(w.id) == (0, 300, 0, 1000)
    assert balances(shop.id) == (0, 0, 0, 300)
    with pytest.raises(services.PendingTransferAlreadyPosted) as caught:
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True), now=NOW
        )
    assert caught.value.status == 409


def test_a_post_cannot_exceed_the_pending_amount() -> None:
    w = funded_wallet(1000)
    pending = services.transfer_create(spec=move(w, wallet(), 100, pending=True), now=NOW)
    with pytest.raises(services.ExceedsPendingTransferAmount):
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True, amount_minor=101),
            now=NOW,
        )


def test_void_releases_and_a_pending_resolves_once() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = services.transfer_create(spec=move(w, shop, 400, pending=True), now=NOW)
    void = services.transfer_create(
        spec=TransferSpec(id=tid(), pending_id=pending.id, void_pending=True), now=NOW
    )
    assert void.kind == "void" and void.amount_minor == 400
    assert balances(w.id) == (0, 0, 0, 1000)
    assert balances(shop.id) == (0, 0, 0, 0)
    with pytest.raises(services.PendingTransferAlreadyVoided):
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True), now=NOW
        )
    with pytest.raises(services.PendingTransferAlreadyVoided):
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, void_pending=True), now=NOW
        )
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_a_void_must_release_the_whole_amount() -> None:
    w = funded_wallet(1000)
    pending = services.transfer_create(spec=move(w, wallet(), 400, pending=True), now=NOW)
    with pytest.raises(services.PendingTransferHasDifferentAmount):
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, void_pending=True, amount_minor=1),
            now=NOW,
        )


def test_resolving_checks_what_it_names() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    plain = services.transfer_create(spec=move(w, shop, 1), now=NOW)
    pending = services.transfer_create(spec=move(w, shop, 5, pending=True), now=NOW)
    cases = [
        (
            TransferSpec(id=tid(), pending_id=tid(), post_pending=True),
            services.PendingTransferNotFound,
        ),
        (
            TransferSpec(id=tid(), pending_id=plain.id, post_pending=True),
            services.PendingTransferNotPending,
        ),
        (
            TransferSpec(
                id=tid(), pending_id=pending.id, post_pending=True, debit_account_id=shop.id
            ),
            services.PendingTransferHasDifferentAccounts,
        ),
        (
            TransferSpec(id=tid(), pending_id=pending.id, void_pending=True, currency="USD"),
            services.CurrencyMismatch,
        ),
        (
            TransferSpec(id="same", pending_id="same", void_pending=True),
            services.PendingIdMustBeDifferent,
        ),
    ]
    for spec, error in cases:
        with pytest.raises(error):
            services.transfer_create(spec=spec, now=NOW)
    # Naming the right accounts explicitly is fine.
    services.transfer_create(
        spec=TransferSpec(
            id=tid(),
            pending_id=pending.id,
            post_pending=True,
            debit_account_id=w.id,
            credit_account_id=shop.id,
            currency="EUR",
        ),
        now=NOW,
    )


def test_retrying_a_post_returns_it() -> None:
    w = funded_wallet(1000)
    pending = services.transfer_create(spec=move(w, wallet(), 100, pending=True), now=NOW)
    post = TransferSpec(id="capture-1", pending_id=pending.id, post_pending=True, amount_minor=60)
    first = services.transfer_create(spec=post, now=NOW)
    assert services.transfer_create(spec=post, now=NOW) == first
    with pytest.raises(services.TransferIdReused):
        services.transfer_create(
            spec=TransferSpec(
                id="capture-1", pending_id=pending.id, post_pending=True, amount_minor=61
            ),
            now=NOW,
        )


def test_pending_and_post_in_the_same_batch() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = move(w, shop, 100, pending=True)
    results = services.transfers_create(
        transfers=[pending, TransferSpec(id=tid(), pending_id=pending.id, post_pending=True)],
        now=NOW,
        actor_role=SYSTEM,
    )
    assert all(r.ok for r in results)
    assert balances(shop.id) == (0, 0, 0, 100)


# --- expiry -----------------------------------------------------------------------------


def test_a_pending_transfer_expires_after_its_timeout() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = services.transfer_create(
        spec=move(w, shop, 300, pending=True, timeout_seconds=60), now=NOW
    )
    assert pending.expires_at == NOW + timedelta(seconds=60)
    # Before the timeout nothing expires.
    assert services.pending_expire(now=NOW + timedelta(seconds=59)) == 0
    assert balances(w.id) == (300, 0, 0, 1000)
    later = NOW + timedelta(seconds=60)
    # Posting after the timeout is refused even before the expiry ran ...
    with pytest.raises(services.PendingTransferExpired) as caught:
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True), now=later
        )
    assert caught.value.status == 409
    # ... and the expiry releases the reservation, once.
    assert services.pending_expire(now=later) == 1
    assert services.pending_expire(now=later) == 0
    assert balances(w.id) == (0, 0, 0, 1000)
    assert balances(shop.id) == (0, 0, 0, 0)
    expiry = Transfer.objects.get(pending_transfer__transfer_id=pending.id)
    assert expiry.void_pending and expiry.expiry and expiry.code == pending.code
    with pytest.raises(services.PendingTransferExpired):
        services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, void_pending=True), now=later
        )
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_a_pending_transfer_without_timeout_never_expires() -> None:
    w = funded_wallet(1000)
    pending = services.transfer_create(spec=move(w, wallet(), 300, pending=True), now=NOW)
    assert services.pending_expire(now=NOW + timedelta(days=3650)) == 0
    services.transfer_create(
        spec=TransferSpec(id=tid(), pending_id=pending.id, post_pending=True),
        now=NOW + timedelta(days=3650),
    )


def test_pending_expire_works_through_many_in_rounds() -> None:
    w = funded_wallet(10_000)
    shop = wallet()
    services.transfers_create(
        transfers=[move(w, shop, 10, pending=True, timeout_seconds=1) for _ in range(25)],
        now=NOW,
        actor_role=SYSTEM,
    )
    assert services.pending_expire(now=NOW + timedelta(seconds=1), limit=10) == 25
    assert balances(w.id) == (0, 0, 0, 10_000)


# --- linked chains ----------------------------------------------------------------------


def test_a_linked_chain_succeeds_together() -> None:
    w = funded_wallet(1000)
    shop, fees = wallet(), services.system_account(code="fees", currency="EUR")
    results = services.transfers_create(
        transfers=[move(w, shop, 900, linked=True), move(w, fees, 100)], now=NOW, actor_role=SYSTEM
    )
    assert all(r.ok for r in results)
    assert balances(w.id) == (0, 1000, 0, 1000)


def test_a_linked_chain_fails_together_and_spares_the_others() -> None:
    w = funded_wallet(1000)
    shop, fees = wallet(), services.system_account(code="fees", currency="EUR")
    specs = [
        move(w, shop, 100),  # alone: ok
        move(w, shop, 500, linked=True),  # chain A ...
        move(w, fees, 50, linked=True),
        move(w, fees, 10_000),  # ... fails here
        move(w, shop, 200),  # alone: ok (sees the chain undone)
        move(w, shop, 50, linked=True),  # chain B: ok
        move(w, fees, 5),
    ]
    results = services.transfers_create(transfers=specs, now=NOW, actor_role=SYSTEM)
    assert [r.error for r in results] == [
        None,
        "linked_event_failed",
        "linked_event_failed",
        "exceeds_credits",
        None,
        None,
        None,
    ]
    assert balances(shop.id) == (0, 0, 0, 350)
    assert balances(fees.id) == (0, 0, 0, 5)
    assert balances(w.id) == (0, 355, 0, 1000)
    assert Transfer.objects.count() == 1 + 4
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_a_linked_chain_with_an_invalid_spec_fails_and_rolls_back_pending_state() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = move(w, shop, 100, pending=True, linked=True)
    results = services.transfers_create(
        transfers=[
            pending,
            TransferSpec(id=tid(), pending_id=pending.id, post_pending=True, linked=True),
            move(w, shop, -1),
            # After the chain: the pending does not exist, so this post finds nothing.
            TransferSpec(id=tid(), pending_id=pending.id, post_pending=True),
        ],
        now=NOW,
        actor_role=SYSTEM,
    )
    assert [r.error for r in results] == [
        "linked_event_failed",
        "linked_event_failed",
        "amount_must_be_positive",
        "pending_transfer_not_found",
    ]
    assert balances(w.id) == (0, 0, 0, 1000)


def test_an_open_chain_at_the_end_of_the_batch_fails() -> None:
    w = funded_wallet(1000)
    shop = wallet()
    results = services.transfers_create(
        transfers=[move(w, shop, 1), move(w, shop, 2, linked=True), move(w, shop, 3, linked=True)],
        now=NOW,
        actor_role=SYSTEM,
    )
    assert [r.error for r in results] == [None, "linked_event_failed", "linked_event_chain_open"]
    assert balances(shop.id) == (0, 0, 0, 1)


def test_a_retried_chain_is_replayed_whole() -> None:
    w = funded_wallet(1000)
    shop, fees = wallet(), services.system_account(code="fees", currency="EUR")
    chain = [move(w, shop, 900, linked=True), move(w, fees, 100)]
    services.transfers_create(transfers=chain, now=NOW, actor_role=SYSTEM)
    again = services.transfers_create(transfers=chain, now=NOW, actor_role=SYSTEM)
    assert [(r.ok, r.replayed) for r in again] == [(True, True), (True, True)]
    assert balances(w.id) == (0, 1000, 0, 1000)


# --- reversal and immutability ----------------------------------------------------------


def test_reversal_books_the_opposite_once() -> None:
    source, target = funding(), wallet()
    original = services.transfer_create(spec=move(source, target, 250, code="topup"), now=NOW)
    reversal = services.transfer_reverse(transfer_id=original.id, new_id="rev-1", now=NOW)
    assert (reversal.debit_account_id, reversal.credit_account_id) == (target.id, source.id)
    assert reversal.code == "reversal" and reversal.reversal_of == original.id
    assert str(original.id) in reversal.reference
    assert balances(target.id) == (0, 250, 0, 250)
    # Idempotent on the new id, and only once per transfer.
    assert services.transfer_reverse(transfer_id=original.id, new_id="rev-1", now=NOW) == reversal
    with pytest.raises(services.TransferAlreadyReversed):
        services.transfer_reverse(transfer_id=original.id, new_id="rev-2", now=NOW)
    assert Transfer.objects.filter(transfer_id=original.id).exists()  # history stays
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


def test_reversal_obeys_the_balance_rules() -> None:
    w = wallet()
    topup = services.transfer_create(spec=move(funding(), w, 100, code="topup"), now=NOW)
    services.transfer_create(spec=move(w, wallet(), 60), now=NOW)
    with pytest.raises(services.ExceedsCredits):
        services.transfer_reverse(transfer_id=topup.id, new_id=tid(), now=NOW)


def test_only_posted_movements_are_reversible() -> None:
    w = funded_wallet(100)
    pending = services.transfer_create(spec=move(w, wallet(), 10, pending=True), now=NOW)
    with pytest.raises(services.TransferNotReversible):
        services.transfer_reverse(transfer_id=pending.id, new_id=tid(), now=NOW)
    with pytest.raises(services.TransferNotFound):
        services.transfer_reverse(transfer_id=tid(), new_id=tid(), now=NOW)


def _install_triggers() -> None:
    import importlib

    migration = importlib.import_module("fiera.ledger.migrations.0002_transfer_immutable")
    statements = {"postgresql": migration.POSTGRESQL_INSTALL, "sqlite": migration.SQLITE_INSTALL}
    with connection.cursor() as cursor:
        for statement in statements[connection.vendor]:
            cursor.execute(statement)


def test_the_database_refuses_to_change_history() -> None:
    services.transfer_create(spec=move(funding(), wallet(), 5, code="topup"), now=NOW)
    _install_triggers()  # the test database is built without migrations
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        Transfer.objects.update(amount_minor=6)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        Transfer.objects.all().delete()
    assert Transfer.objects.get().amount_minor == 5


def test_errors_are_domain_errors_with_stable_codes() -> None:
    from fiera.ledger.errors import TRANSFER_ERRORS

    for code, cls in TRANSFER_ERRORS.items():
        assert cls.code == code
        assert issubclass(cls, InvalidInput | NotFound | Conflict)
