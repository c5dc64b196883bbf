"""The daily payout run: per merchant, what its payable account got that day, net of
refunds and fees, moves to its payout account.

Fees: each payment carries its fee (``FIERA_PAYMENT_FEE_BP`` of the credited amount,
rounded once, half up, fixed when it is paid: ``Payment.fee_minor``); the fee is BOOKED
here, at settlement (merchant_payable -> fees). Refunds do not give the fee back.

A run for ``day`` (UTC) takes every payment and refund of the merchant not yet settled
that happened before the end of that day; so a day that was skipped is swept up by the
next run. ``net = gross - refunds - fees + carried_in`` where ``carried_in`` (<= 0) is
what the merchant's previous run left owing; a positive net is paid out
(merchant_payable -> payout), a negative one is carried to the next run. Fee and payout
are two linked transfers with ids derived from (merchant, day).

Idempotent per merchant and day: the run row is unique on them, so a rerun (or a
concurrent one) finds the run made first and changes nothing. Runs of one merchant go
forward in time: a day before the merchant's latest run is skipped for it (the later run
already settled its items). Each merchant is settled in its own short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from fiera.common.errors import Conflict
from fiera.ledger import services as ledger
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import selectors
from fiera.payments.models import Payment, PaymentRefund, SettlementRun
from fiera.payments.selectors import SettlementRunInfo, check_settlement_reader
from fiera.payments.services.base import (
    book,
    merchant_account_id,
    settlement_currency,
    spec,
    system_account_id,
)


class DayNotOver(Conflict):
    code = "day_not_over"
    message_template = gettext_lazy("A day can be settled only after it has ended.")


@dataclass(frozen=True, slots=True)
class SettlementReport:
    day: date
    runs: tuple[SettlementRunInfo, ...]
    created: int  # runs made by this call
    existing: int  # runs found (made by an earlier call)

    @property
    def payout_minor(self) -> int:
        return sum(run.payout.amount_minor for run in self.runs)


def day_end(day: date) -> datetime:
    """The first instant after ``day`` (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _due_merchants(cutoff: datetime) -> set[int]:
    payments = Payment.objects.filter(settlement_run__isnull=True, created_at__lt=cutoff)
    refunds = PaymentRefund.objects.filter(settlement_run__isnull=True, created_at__lt=cutoff)
    return set(payments.values_list("merchant_id", flat=True).distinct()) | set(
        refunds.values_list("merchant_id", flat=True).distinct()
    )


def settlement_run(
    *,
    day: date,
    now: datetime,
    merchant_ids: list[int] | None = None,
    progress: bool = False,
    actor_role: str,
) -> SettlementReport:
    """Settle ``day`` for every merchant with something to settle (or only
    ``merchant_ids``); see the module docstring. Operators and ``SYSTEM`` callers only
    (403 otherwise). ``DayNotOver`` (409) until ``day`` has ended at ``now``. Shows a
    tqdm bar on stderr if ``progress``."""
    check_settlement_reader(actor_role=actor_role)
    cutoff = day_end(day)
    if now < cutoff:
        raise DayNotOver(f"{day.isoformat()} is not over yet (UTC); settle it from tomorrow")
    due = _due_merchants(cutoff) | set(
        SettlementRun.objects.filter(day=day).values_list("merchant_id", flat=True)
    )
    if merchant_ids is not None:
        due &= set(merchant_ids)
    runs: list[SettlementRun] = []
    created = 0
    for merchant_id in tqdm(
        sorted(due), desc=f"settling {day}", unit=" merchants", disable=not progress, leave=False
    ):
        run, new = _settle(merchant_id=merchant_id, day=day, cutoff=cutoff, now=now)
        if run is not None:
            runs.append(run)
            created += new
    names = merchant_selectors.merchant_summaries(merchant_ids={r.merchant_id for r in runs})
    infos = tuple(
        selectors.settlement_run_info(
            r, names[r.merchant_id].display_name if r.merchant_id in names else ""
        )
        for r in runs
    )
    return SettlementReport(day=day, runs=infos, created=created, existing=len(runs) - created)


def _settle(
    *, merchant_id: int, day: date, cutoff: datetime, now: datetime
) -> tuple[SettlementRun | None, bool]:
    found = SettlementRun.objects.filter(merchant_id=merchant_id, day=day).first()
    if found is not None:
        return found, False
    currency = settlement_currency()
    payable = merchant_account_id("merchant_payable", merchant_id)
    # The checkouts' credits still waiting as balance deltas are folded first, in their own
    # short transaction (the payable's stored balance is then the one paid out from; not
    # inside the run's transaction, whose account locks come in id order).
    ledger.balance_deltas_apply(account_ids=[payable])
    try:
        with transaction.atomic():
            previous = (
                SettlementRun.objects.select_for_update()
                .filter(merchant_id=merchant_id)
                .order_by("-day")
                .first()
            )
            if previous is not None and previous.day > day:
                return None, False
            run = SettlementRun.objects.create(
                merchant_id=merchant_id, day=day, currency=currency, created_at=now
            )
            due = Q(merchant_id=merchant_id, settlement_run__isnull=True, created_at__lt=cutoff)
            payments = list(
                Payment.objects.select_for_update()
                .filter(due)
                .values_list("pk", "credit_minor", "fee_minor")
            )
            refunds = list(
                PaymentRefund.objects.select_for_update()
                .filter(due)
                .values_list("pk", "credit_minor")
            )
            gross = sum(p[1] for p in payments)
            fees = sum(p[2] for p in payments)
            refunded = sum(r[1] for r in refunds)
            carried_in = previous.carried_out_minor if previous is not None else 0
            net = gross - refunded - fees + carried_in
            key = f"settlement:{merchant_id}:{day.isoformat()}"
            specs = []
            if fees:
                specs.append(
                    spec(
                        f"{key}:fee",
                        debit=payable,
                        credit=system_account_id("fees", currency),
                        amount_minor=fees,
                        currency=currency,
                        code="merchant_fee",
                        reference=f"fees {day.isoformat()}",
                    )
                )
            if net > 0:
                specs.append(
                    spec(
                        f"{key}:payout",
                        debit=payable,
                        credit=merchant_account_id("payout", merchant_id),
                        amount_minor=net,
                        currency=currency,
                        code="payout",
                        reference=f"payout {day.isoformat()}",
                    )
                )
            transfers = book(specs, now) if specs else []
            by_code = {t.code: t.id for t in transfers}
            Payment.objects.filter(pk__in=[p[0] for p in payments]).update(settlement_run=run)
            PaymentRefund.objects.filter(pk__in=[r[0] for r in refunds]).update(settlement_run=run)
            run.gross_minor = gross
            run.refunds_minor = refunded
            run.fees_minor = fees
            run.carried_in_minor = carried_in
            run.net_minor = net
            run.payout_minor = max(net, 0)
            run.carried_out_minor = min(net, 0)
            run.payments_count = len(payments)
            run.refunds_count = len(refunds)
            run.fee_transfer_id = by_code.get("merchant_fee")
            run.payout_transfer_id = by_code.get("payout")
            run.save()
    except IntegrityError:  # a concurrent run for this merchant and day won
        return SettlementRun.objects.get(merchant_id=merchant_id, day=day), False
    return run, True
