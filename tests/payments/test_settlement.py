"""The daily settlement run: net amounts (payments - refunds - fees), the carry of a
negative day, idempotency per merchant and day, who may run it, and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.cli import main
from fiera.common.money import Money
from fiera.payments import selectors, services
from fiera.payments.models import SettlementRun
from fiera.payments.services import ChargePart
from tests.payments.factories import (
    NOW,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    merchant_balance,
    pilot_outlet,
    qr_for,
    snapshot,
    system_balance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]

DAY = NOW.date()  # 2025-03-01
AFTER = datetime(2025, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _rates() -> None:
    make_rates()


def checkout(buyer: object, merchant_id: int, amount: int, ref: str, now: datetime = NOW) -> None:
    services.wallet_charge_for_checkout(
        buyer_id=buyer.pk,  # type: ignore[attr-defined]
        checkout_reference=f"co-{ref}",
        amount=Money(amount, "EUR"),
        parts=[ChargePart(merchant_id, amount, ref)],
        now=now,
    )


def refund(ref: str, amount: int, key: str, now: datetime = NOW) -> None:
    services.wallet_refund(
        payment_reference=ref,
        amount=Money(amount, "EUR"),
        refund_reference=key,
        now=now,
        actor_role=SYSTEM,
    )


def test_a_day_is_paid_out_net_of_refunds_and_fees() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 100_000, "EUR")
    funded_wallet(buyer, 20_000, "CNY")
    checkout(buyer, merchant.pk, 5_000, "F1")  # fee 60
    refund("F1", 1_000, "r1")
    services.qr_payment_submit(
        user_id=buyer.pk,
        payload=qr_for(pilot_outlet(merchant), 1250),
        request_id="q1",
        now=NOW,
        actor_role=SYSTEM,
    )  # EUR 12.50 credited, fee 15
    checkout(buyer, merchant.pk, 700, "LATE", now=AFTER)  # next day: not in this run
    report = services.settlement_run(day=DAY, now=AFTER, actor_role=SYSTEM)
    assert (report.created, report.existing) == (1, 0)
    (run,) = report.runs
    assert (run.gross.amount_minor, run.refunds.amount_minor, run.fees.amount_minor) == (
        6_250,
        1_000,
        75,
    )
    assert run.net == run.payout == Money(5_175, "EUR") and run.carried_out.amount_minor == 0
    assert (run.payments_count, run.refunds_count) == (2, 1)
    assert run.merchant_name == merchant.display_name
    assert merchant_balance(merchant.pk, "payout") == 5_175
    assert merchant_balance(merchant.pk) == 700  # only the late payment is left
    assert system_balance("fees", "EUR") == 75
    statement = selectors.settlement_run_get(run_id=run.id, actor_role=SYSTEM)
    assert [(line.kind, line.reference, line.amount.amount_minor) for line in statement.lines] == [
        ("payment", "F1", 5_000),
        ("payment", f"qr:{buyer.pk}:q1", 1_250),
        ("refund", "r1", -1_000),
    ]
    assert statement.lines[1].rate == "7.8" and statement.lines[1].paid == Money(9_799, "CNY")
    assert statement.lines[1].fee == Money(15, "EUR")


def test_a_rerun_returns_the_same_runs_and_moves_nothing() -> None:
    buyer, one, two = make_buyer(), make_merchant(), make_merchant()
    funded_wallet(buyer, 100_000, "EUR")
    checkout(buyer, one.pk, 5_000, "A")
    checkout(buyer, two.pk, 3_000, "B")
    first = services.settlement_run(day=DAY, now=AFTER, actor_role=SYSTEM)
    assert first.created == 2 and first.payout_minor == 4_940 + 2_964
    before = snapshot()
    again = services.settlement_run(day=DAY, now=AFTER + timedelta(hours=3), actor_role=SYSTEM)
    assert (again.created, again.existing) == (0, 2)
    assert again.runs == first.runs
    assert snapshot() == before
    assert SettlementRun.objects.count() == 2


def test_a_negative_day_is_carried_to_the_next_payout() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 100_000, "EUR")
    checkout(buyer, merchant.pk, 5_000, "A")
    services.settlement_run(day=DAY, now=AFTER, actor_role=SYSTEM)  # pays 4,940
    refund("A", 4_000, "r1", now=AFTER)
    day2 = services.settlement_run(
        day=DAY + timedelta(days=1), now=AFTER + timedelta(days=1), actor_role=SYSTEM
    )
    (run2,) = day2.runs
    assert run2.net.amount_minor == -4_000 and run2.payout.amount_minor == 0
    assert run2.carried_out.amount_minor == -4_000
    assert merchant_balance(merchant.pk) == -4_000  # the merchant owes it
    checkout(buyer, merchant.pk, 5_000, "B", now=AFTER + timedelta(days=1))
    day3 = services.settlement_run(
        day=DAY + timedelta(days=2), now=AFTER + timedelta(days=2), actor_role=SYSTEM
    )
    (run3,) = day3.runs
    assert run3.carried_in.amount_minor == -4_000
    assert run3.net.amount_minor == 5_000 - 60 - 4_000
    assert merchant_balance(merchant.pk) == 0
    assert merchant_balance(merchant.pk, "payout") == 4_940 + 940


def test_a_skipped_day_is_swept_by_the_next_and_cannot_be_run_after() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 100_000, "EUR")
    checkout(buyer, merchant.pk, 1_000, "A")
    later = services.settlement_run(
        day=DAY + timedelta(days=1), now=AFTER + timedelta(days=1), actor_role=SYSTEM
    )
    assert later.runs[0].gross.amount_minor == 1_000
    assert (
        services.settlement_run(day=DAY, now=AFTER + timedelta(days=1), actor_role=SYSTEM).runs
        == ()
    )


def test_a_day_is_settled_only_once_it_is_over() -> None:
    before = snapshot()
    with pytest.raises(services.DayNotOver) as excinfo:
        services.settlement_run(day=DAY, now=NOW, actor_role=SYSTEM)
    assert excinfo.value.status == 409
    assert snapshot() == before


def test_only_operators_run_or_read_settlement() -> None:
    with pytest.raises(services.SettlementOperatorsOnly) as excinfo:
        services.settlement_run(day=DAY, now=AFTER, actor_role="buyer")
    assert excinfo.value.status == 403
    with pytest.raises(services.SettlementOperatorsOnly):
        selectors.settlement_run_list(actor_role="merchant")
    assert services.settlement_run(day=DAY, now=AFTER, actor_role="operator").runs == ()


def test_listing_and_missing_runs() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 100_000, "EUR")
    checkout(buyer, merchant.pk, 1_000, "A")
    services.settlement_run(day=DAY, now=AFTER, actor_role=SYSTEM)
    listing = selectors.settlement_run_list(day=DAY, actor_role=SYSTEM)
    assert len(listing) == 1 and listing[0:1][0].merchant_id == merchant.pk
    assert len(selectors.settlement_run_list(day=date(2020, 1, 1), actor_role=SYSTEM)) == 0
    with pytest.raises(selectors.SettlementRunNotFound):
        selectors.settlement_run_get(run_id=999_999, actor_role=SYSTEM)


def test_the_cli_runs_a_day_and_reruns_it(capsys: pytest.CaptureFixture[str]) -> None:
    buyer, merchant = make_buyer(), make_merchant(name="Ceramiche Test")
    funded_wallet(buyer, 100_000, "EUR")
    checkout(buyer, merchant.pk, 5_000, "A")
    assert main(["settlement", "run", "--day", "2025-03-01", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Ceramiche Test" in out and "1 new run(s)" in out and "payouts 49.40 EUR" in out
    assert main(["settlement", "run", "--day", "2025-03-01", "--no-progress"]) == 0
    assert "0 new run(s), 1 already settled" in capsys.readouterr().out
    assert merchant_balance(merchant.pk, "payout") == 4_940


def test_the_cli_refuses_a_day_not_over(capsys: pytest.CaptureFixture[str]) -> None:
    tomorrow = (datetime.now(tz=UTC).date() + timedelta(days=1)).isoformat()
    assert main(["settlement", "run", "--day", tomorrow, "--no-progress"]) == 2
    assert "not over yet" in capsys.readouterr().err
