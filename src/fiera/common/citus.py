"""How Fiera's tables would be laid out on a Citus cluster: the plan as data.

Every table of the database is named here with its kind:

- ``reference``: small, read everywhere; Citus copies it to every node. It may refer to
  other reference tables only.
- ``distributed``: sharded by hash of ``column``; the tables of one ``group`` are
  co-located (the rows with the same value of their distribution column live on the same
  node), so a foreign key between them, a join on the key and a transaction on one
  tenant's rows stay on one node.
- ``local``: stays on the coordinator (``citus_add_local_table_to_metadata``): written
  next to the changes it describes, read by one relay; no foreign key to or from a
  distributed table.

What Citus requires of a distributed table, and ``tests/common/test_citus_plan.py``
checks against the live PostgreSQL schema: its primary key and every unique constraint or
index include the distribution column; a foreign key to another distributed table goes to
a table of the same group and pairs the two distribution columns; a reference table never
refers to a distributed one. A new table must be classified here first (the test fails
on an unknown table), and ``fiera scale citus-plan`` prints the SQL that distributes the
tables in this order. docs/decisions/0008-citus-distribution.md explains the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["reference", "distributed", "local"]


@dataclass(frozen=True)
class TablePlan:
    table: str
    kind: Kind
    why: str
    column: str | None = None  # distribution column (distributed tables only)
    group: str | None = None  # co-location group (distributed tables only)


def _reference(table: str, why: str) -> TablePlan:
    return TablePlan(table, "reference", why)


def _local(table: str, why: str) -> TablePlan:
    return TablePlan(table, "local", why)


def _distributed(table: str, column: str, group: str, why: str) -> TablePlan:
    return TablePlan(table, "distributed", why, column=column, group=group)


# The co-location groups, anchored by the first table of each group in PLAN.
GROUPS: dict[str, str] = {
    "merchant": "a merchant's catalog, stock, orders, outlets and payments (merchant_id)",
    "buyer": "a buyer's carts, checkouts, allowances and wallets (buyer_id / user_id)",
    "ledger_owner": "ledger accounts, by the owner of the account (owner_id)",
    "ledger_transfer": "ledger transfers, by their 128-bit id (transfer_id)",
    "fx_quote": "FX quotes, by their id (quote_id)",
    "session": "web sessions, by their key",
}

PLAN: tuple[TablePlan, ...] = (
    # --- reference: small, slowly changing, read everywhere -----------------------------
    _reference("django_content_type", "Django's model registry"),
    _reference("auth_permission", "Django's permissions"),
    _reference("auth_group", "Django's groups"),
    _reference("auth_group_permissions", "Django's groups"),
    _reference("marketplaces_marketplace", "a handful of rows, read by every request"),
    _reference("marketplaces_marketplacecountry", "a handful of rows per marketplace"),
    _reference("accounts_user", "read on every request; users of all tenants (at first)"),
    _reference("accounts_user_groups", "with the users"),
    _reference("accounts_user_user_permissions", "with the users"),
    _reference("accounts_apitoken", "looked up by hash on every API request"),
    _reference("django_admin_log", "operators' edits, rare"),
    _reference("merchants_sector", "small lookup table"),
    _reference(
        "merchants_merchant",
        "the tenants themselves: thousands of rows read everywhere, and every tenant row "
        "refers to its merchant",
    ),
    _reference("merchants_merchant_sectors", "with the merchants"),
    _reference("merchants_store", "one per merchant and marketplace; slugs unique per marketplace"),
    _reference("merchants_staffmembership", "who works for which merchant; read on every request"),
    _reference("catalog_category", "small lookup table"),
    _reference("orders_crossborderregime", "rates are data, read by every checkout"),
    _reference("orders_dutyrate", "rates are data, read by every checkout"),
    _reference("payments_fxrate", "one row per currency pair and day"),
    _reference("festivals_festival", "a handful of festivals, read by every festival page"),
    _reference("festivals_festival_marketplaces", "with the festivals"),
    _reference("festivals_participation", "merchants' applications: thousands at most"),
    _reference("partners_partner", "tens of partner organisations, read by every partner page"),
    _reference("partners_partnerregion", "a few regions per partner"),
    _reference("partners_partnerstaff", "who works for which partner; read on every partner page"),
    _reference(
        "partners_lead",
        "onboarding leads: thousands, not per tenant (a lead becomes a merchant only when live)",
    ),
    _reference("partners_leadevent", "a few history rows per lead"),
    _reference("trade_buyercompany", "business buyers' companies: thousands, read by trade pages"),
    _reference("trade_buyermember", "who belongs to which buyer company"),
    _reference("trade_supplierprofile", "one per supplier merchant, read by every trade page"),
    _reference("trade_supplierverification", "a few checks per supplier"),
    # --- pavilions ---
    _reference("trade_pavilion", "a few country pavilions, read by their landing pages"),
    _reference("trade_pavilion_featured_categories", "a few categories per pavilion"),
    _reference(
        "trade_pavilionapplication",
        "applications to pavilions: hundreds per pavilion (the quota, 950 at most today), "
        "read by the landing page, the console and the partner's review page",
    ),
    # --- distributed by merchant ---------------------------------------------------------
    _distributed(
        "catalog_product", "merchant_id", "merchant", "every catalog row carries its merchant"
    ),
    _distributed("catalog_variant", "merchant_id", "merchant", "with its product"),
    _distributed("catalog_warehouse", "merchant_id", "merchant", "a merchant's stock locations"),
    _distributed("catalog_price", "merchant_id", "merchant", "with its variant"),
    _distributed(
        "catalog_stocklevel",
        "merchant_id",
        "merchant",
        "checkout's stock UPDATE touches one merchant's rows per order",
    ),
    _distributed("catalog_stockmovement", "merchant_id", "merchant", "the stock's audit trail"),
    _distributed("catalog_productimage", "merchant_id", "merchant", "with its product"),
    _distributed(
        "orders_order",
        "merchant_id",
        "merchant",
        "a checkout is split per merchant, so each order is a single-node write",
    ),
    _distributed("orders_orderline", "merchant_id", "merchant", "with its order and variant"),
    _distributed("orders_shipment", "merchant_id", "merchant", "with its order"),
    _distributed("orders_refund", "merchant_id", "merchant", "with its order"),
    _distributed("payments_outlet", "merchant_id", "merchant", "the merchant's points of sale"),
    _distributed("payments_terminal", "merchant_id", "merchant", "with its outlet"),
    _distributed("payments_settlementrun", "merchant_id", "merchant", "what a merchant is paid"),
    _distributed("payments_payment", "merchant_id", "merchant", "what a merchant is paid"),
    _distributed("payments_paymentrefund", "merchant_id", "merchant", "with its payment"),
    _distributed("payments_escrow", "merchant_id", "merchant", "held for the merchant"),
    _distributed("festivals_festivalprice", "merchant_id", "merchant", "with its variant"),
    _distributed(
        "festivals_flashsale", "merchant_id", "merchant", "units set aside from the stock"
    ),
    _distributed(
        "festivals_flashsalebucket",
        "merchant_id",
        "merchant",
        "a flash-sale checkout line is a single-node write beside its stock",
    ),
    _distributed("festivals_flashsalebuyer", "merchant_id", "merchant", "with its flash sale"),
    _distributed("festivals_festivalorder", "merchant_id", "merchant", "with its order"),
    _distributed(
        "festivals_gmvtally", "merchant_id", "merchant", "written with the merchant's orders"
    ),
    _distributed(
        "festivals_gmvmerchanttotal",
        "merchant_id",
        "merchant",
        "rollup of the merchant's tally cells, written beside them",
    ),
    # --- distributed by buyer ------------------------------------------------------------
    _distributed("orders_cart", "buyer_id", "buyer", "the buyer's side"),
    _distributed("orders_cartline", "buyer_id", "buyer", "with its cart"),
    _distributed("orders_checkout", "buyer_id", "buyer", "one buyer's checkouts together"),
    _distributed("orders_idempotencyrecord", "buyer_id", "buyer", "keys are per buyer"),
    _distributed("orders_savedaddress", "buyer_id", "buyer", "the buyer's address book"),
    _distributed(
        "orders_crossborderallowance", "buyer_id", "buyer", "the buyer's yearly allowance"
    ),
    _distributed("payments_wallet", "user_id", "buyer", "the wallet owner's side"),
    _distributed("payments_topup", "user_id", "buyer", "with the wallet"),
    _distributed("payments_qrpayment", "user_id", "buyer", "the payer's requests"),
    # --- the ledger ----------------------------------------------------------------------
    _distributed(
        "ledger_account",
        "owner_id",
        "ledger_owner",
        "spread by owner, so a busy currency spans every node",
    ),
    _distributed(
        "ledger_balancedelta",
        "owner_id",
        "ledger_owner",
        "with its account: the roll-up folds an account's deltas on the account's node",
    ),
    _distributed(
        "ledger_transfer",
        "transfer_id",
        "ledger_transfer",
        "spread evenly by id; the id stays unique, so a retry is found on the happy path",
    ),
    _distributed("payments_fxquote", "quote_id", "fx_quote", "quotes may have no user"),
    _distributed("django_session", "session_key", "session", "written at every login"),
    # --- local to the coordinator ----------------------------------------------------------
    _local("django_migrations", "read and written by `migrate` only"),
    _local("axes_accessattempt", "failed sign-ins (django-axes), read at sign-in only"),
    _local("axes_accessattemptexpiration", "with the failed sign-ins"),
    _local("axes_accessfailurelog", "failed sign-ins, for operators"),
    _local("axes_accesslog", "sign-ins, for operators"),
    _local(
        "common_outboxmessage",
        "written in the same transaction as the change it announces; relayed and pruned",
    ),
    _local(
        "common_outboxdelivery",
        "one row per message and subscriber, written by the relay beside its message",
    ),
    _local(
        "festivals_gmvminute",
        "GMV per festival minute (1,440 rows a day, no merchant): written by the outbox "
        "relay's subscriber, off the checkout, beside the outbox it reads",
    ),
    _local(
        "festivals_gmvbuyercountry",
        "GMV per festival x buyer country (a row per country): written by the outbox relay's "
        "subscriber with GmvMinute, off the checkout",
    ),
    _local(
        "trade_inquiry",
        "buyer-to-supplier inquiries (capped per buyer per day): the buyer's and the "
        "supplier's inbox both read it, so neither tenant key fits (decision 0015)",
    ),
    _local("trade_inquirymessage", "with its inquiry"),
    # --- RFQs and quotes (decision 0017) ---
    _local(
        "trade_rfq",
        "buyers' requests for quotation: the buyer's list and the matched suppliers' lists "
        "both read them, so neither tenant key fits (as inquiries, decision 0015)",
    ),
    _local("trade_rfqmatch", "the suppliers an RFQ matched, with its RFQ"),
    _local(
        "trade_quote",
        "suppliers' quotes (capped per supplier per month), read beside their RFQ",
    ),
    _local(
        "trade_quoteversion",
        "with its quote; the variant is a plain column (no key to the distributed catalog)",
    ),
    _local(
        "common_processedevent",
        "a subscriber's 'event X done' marks, beside the messages they point to",
    ),
    # --- trade assurance: disputes ---
    _local(
        "trade_dispute",
        "disputes of B2B orders in escrow (at most one per order, a small share of them): the "
        "buyer, the supplier and the operators' queue all read them (decision 0016)",
    ),
    _local("trade_disputemessage", "with its dispute"),
    # --- academy: courses and enrolments ---
    _reference("academy_course", "tens of courses, read by every academy page"),
    _reference("academy_courseinstructor", "a few teachers per course"),
    _reference("academy_module", "a few modules per course"),
    _reference("academy_lesson", "tens of lessons per course"),
    _reference("academy_cohort", "a few runs per course"),
    _local(
        "academy_enrolment",
        "learners in cohorts (hundreds per cohort): the learner's pages, the cohort's "
        "gradebook and the alumni directory all read them, so no tenant key fits",
    ),
    _local("academy_lessonprogress", "lessons completed, with their enrolment"),
    # --- academy alumni ---
    _local("academy_alumniprofile", "one per certified person who fills it in (hundreds)"),
    _local("academy_alumnipost", "the alumni board's posts (tens a week)"),
    _local("academy_alumnireply", "replies, with their post"),
    # --- academy certificates ---
    _local(
        "academy_statuslist",
        "one revocation list (a row or a few) with its signed credential, read by verifiers",
    ),
    _local(
        "academy_certificate",
        "one per certified enrolment, with its enrolment (local); read by public id",
    ),
    # --- academy courses ---
    _reference("academy_workshop", "a few live workshops per cohort, read by the calendar"),
    _local(
        "academy_workshopregistration",
        "seats and waiting lines of workshops (hundreds per workshop), read by person and by "
        "workshop: no tenant key fits",
    ),
    # --- academy exams ---
    _reference("academy_assessment", "a few tests per course"),
    _reference("academy_question", "tens of questions per test bank, read by every attempt"),
    _local("academy_attempt", "exam attempts, with their enrolment (the gradebook reads them)"),
    _local("academy_attemptanswer", "the answers of an attempt, with it"),
    # --- core (analytics) ---
    _distributed(
        "analytics_orderfact",
        "merchant_id",
        "merchant",
        "what each order counted for in the sales rollups, beside the merchant's orders",
    ),
    _distributed(
        "analytics_salescell",
        "merchant_id",
        "merchant",
        "sales per merchant x day x marketplace x buyer country x category (scoped queries)",
    ),
    _distributed(
        "analytics_merchantday",
        "merchant_id",
        "merchant",
        "sales and packages per merchant day (scoped queries, active merchants)",
    ),
    _distributed(
        "analytics_merchantmonth",
        "merchant_id",
        "merchant",
        "sales and packages per merchant month (scoped queries)",
    ),
    _distributed(
        "analytics_merchantactivity",
        "merchant_id",
        "merchant",
        "the days of a year each merchant sold on, a bit per day (active merchants)",
    ),
    _local(
        "analytics_merchantset",
        "sets of merchants asked about together (partners, pavilions): tens to thousands",
    ),
    _local(
        "analytics_merchantsetmember",
        "the merchants of each merchant set, read by the rollups' subscriber per event",
    ),
    _local(
        "analytics_merchantsetday",
        "sales and packages per merchant set x day x marketplace: sums over merchants of "
        "several shards, written by the outbox relay's subscriber beside the outbox",
    ),
    _local(
        "analytics_merchantsetmonth",
        "the same per month",
    ),
    _local(
        "analytics_salesrollup",
        "sales per day/month x marketplace x one dimension (no merchant): written by the "
        "outbox relay's subscriber beside the outbox, read by the operator's dashboards",
    ),
    # --- feeds (analytics) ---
    _local(
        "analytics_feedfact",
        "each trade or academy happening analytics counted (thousands a day at most): written "
        "by the outbox relay's subscribers beside the outbox and the local trade/academy tables",
    ),
    _local("analytics_tradeday", "inquiries, RFQs, quotes and deals per day (small, no tenant)"),
    _local("analytics_academyday", "enrolments and certificates per day and course (small)"),
)

BY_TABLE: dict[str, TablePlan] = {entry.table: entry for entry in PLAN}


def group_anchor(group: str) -> str:
    """The first table of ``group`` in PLAN: the one the others are co-located with."""
    return next(p.table for p in PLAN if p.group == group)


def plan_sql(edges: dict[str, set[str]] | None = None) -> list[str]:
    """The statements that lay the tables out on Citus, in an order Citus accepts: the
    reference tables before the tables that refer to them, then the local tables, then each
    group's anchor before the rest of its group. ``edges`` maps a table to the tables its
    foreign keys point to (by default, from the Django models); referenced tables come
    first within each kind."""
    if edges is None:
        edges = foreign_keys_from_models()
    ordered = _dependency_order(edges)
    statements: list[str] = []
    for plan in ordered:
        if plan.kind == "reference":
            statements.append(f"SELECT create_reference_table('{plan.table}');")
        elif plan.kind == "local":
            statements.append(f"SELECT citus_add_local_table_to_metadata('{plan.table}');")
        else:
            assert plan.group is not None and plan.column is not None
            anchor = group_anchor(plan.group)
            colocate = "none" if anchor == plan.table else anchor
            statements.append(
                f"SELECT create_distributed_table('{plan.table}', '{plan.column}', "
                f"colocate_with => '{colocate}');"
            )
    return statements


_KIND_ORDER = {"reference": 0, "local": 1, "distributed": 2}


def _dependency_order(edges: dict[str, set[str]]) -> list[TablePlan]:
    """PLAN sorted by kind, then anchors first, then referenced before referencing (stable:
    ties keep PLAN's order)."""
    position = {p.table: i for i, p in enumerate(PLAN)}

    def rank(plan: TablePlan) -> tuple[int, int]:
        anchor = plan.group is not None and group_anchor(plan.group) == plan.table
        return (_KIND_ORDER[plan.kind], 0 if anchor or plan.group is None else 1)

    remaining = sorted(PLAN, key=lambda p: (rank(p), position[p.table]))
    done: set[str] = set()
    ordered: list[TablePlan] = []
    while remaining:
        for i, plan in enumerate(remaining):
            waits = {
                t
                for t in edges.get(plan.table, set())
                if t in BY_TABLE and t != plan.table and t not in done
            }
            # Anchors never wait for their group (the others colocate with them).
            if not waits or all(rank(BY_TABLE[t]) > rank(plan) for t in waits):
                ordered.append(plan)
                done.add(plan.table)
                del remaining[i]
                break
        else:  # a cycle: keep PLAN's order for the rest
            ordered.extend(remaining)
            break
    return ordered


def foreign_keys_from_models() -> dict[str, set[str]]:
    """table -> tables its database-level foreign keys point to, read from Django's models
    (auto-created many-to-many tables included)."""
    from django.apps import apps

    edges: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            remote = getattr(field, "remote_field", None)
            if remote is None or not getattr(field, "db_constraint", False):
                continue
            edges.setdefault(table, set()).add(remote.model._meta.db_table)
    return edges


def plan_markdown() -> str:
    """The plan as the Markdown table that docs/scaling.md carries (a test holds it equal)."""
    lines = [
        "| table | Citus | distribution column | co-located with | why |",
        "|---|---|---|---|---|",
    ]
    for plan in PLAN:
        if plan.kind == "distributed":
            assert plan.group is not None
            anchor = group_anchor(plan.group)
            colocated = "(anchor)" if anchor == plan.table else f"`{anchor}`"
            lines.append(
                f"| `{plan.table}` | distributed | `{plan.column}` | {colocated} | {plan.why} |"
            )
        else:
            lines.append(f"| `{plan.table}` | {plan.kind} | — | — | {plan.why} |")
    return "\n".join(lines) + "\n"
