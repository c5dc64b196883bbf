"""Outlets: registration, rollout transitions, terminals, the all-or-nothing CSV import,
the list and rollout selectors, and each outlet's QR code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from fiera.merchants.selectors import MerchantNotFound, StaffRoleTooLow
from fiera.payments import emvco, selectors, services
from fiera.payments.models import Outlet, Terminal
from tests.payments.factories import NOW, make_merchant, make_outlet, make_staff, make_user

pytestmark = pytest.mark.django_db

HEADER = "code,name,address,municipality_code,postal_code,mcc,status,terminal_ids\n"


# --- register, transitions, terminals -----------------------------------------------------


def test_register_derives_the_region_from_the_municipality() -> None:
    merchant = make_merchant()
    info = make_outlet(merchant, code="UP-1", municipality_code="048017")  # Firenze
    assert info.region_code == "IT-52"
    assert info.region_name == "Toscana"
    assert (info.municipality_name, info.province) == ("Firenze", "FI")
    assert info.status == "planned"
    assert info.opened_at is None
    assert not info.accepts_payments


def test_register_refuses_an_unknown_municipality_and_a_taken_code() -> None:
    merchant = make_merchant()
    with pytest.raises(InvalidInput, match="999999 is not a current Italian municipality"):
        services.outlet_register(
            merchant_id=merchant.pk,
            code="X1",
            name="Ufficio",
            address="Via Roma 1",
            municipality_code="999999",
            now=NOW,
            actor_role=SYSTEM,
        )
    make_outlet(merchant, code="UP-1")
    with pytest.raises(services.OutletCodeTaken):
        make_outlet(merchant, code="UP-1")
    other = make_merchant("Altra Rete")
    assert make_outlet(other, code="UP-1").merchant_id == other.pk  # codes are per merchant


def test_register_for_an_unknown_merchant_is_404() -> None:
    with pytest.raises(MerchantNotFound):
        services.outlet_register(
            merchant_id=987654,
            code="X1",
            name="Ufficio",
            address="Via Roma 1",
            municipality_code="015146",
            now=NOW,
            actor_role=SYSTEM,
        )


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["pilot", "live", "suspended", "live"], "planned"),
        (["live"], "pilot"),
        (["closed"], "live"),
        (["pilot", "closed"], "pilot"),
    ],
)
def test_transitions_follow_the_rollout(path: list[str], refused: str) -> None:
    outlet = make_outlet(make_merchant())
    for step in path:
        outlet = services.outlet_set_status(
            outlet_id=outlet.id, status=step, now=NOW, actor_role=SYSTEM
        )
        assert outlet.status == step
    with pytest.raises(services.OutletTransitionRefused, match=f"cannot become {refused}"):
        services.outlet_set_status(outlet_id=outlet.id, status=refused, now=NOW, actor_role=SYSTEM)
    assert Outlet.objects.get(pk=outlet.id).status == path[-1]


def test_opened_at_is_set_once_and_kept_through_suspension() -> None:
    outlet = make_outlet(make_merchant())
    services.outlet_set_status(outlet_id=outlet.id, status="pilot", now=NOW, actor_role=SYSTEM)
    later = NOW + timedelta(days=30)
    services.outlet_set_status(
        outlet_id=outlet.id, status="suspended", now=later, actor_role=SYSTEM
    )
    info = services.outlet_set_status(
        outlet_id=outlet.id, status="live", now=later, actor_role=SYSTEM
    )
    assert info.opened_at == NOW
    assert info.status_changed_at == later
    assert info.accepts_payments
    # the same status again changes nothing, not even the time
    again = services.outlet_set_status(
        outlet_id=outlet.id, status="live", now=later + timedelta(1), actor_role=SYSTEM
    )
    assert again.status_changed_at == later


def test_unknown_status_is_invalid() -> None:
    outlet = make_outlet(make_merchant())
    with pytest.raises(InvalidInput, match="status must be one of"):
        services.outlet_set_status(outlet_id=outlet.id, status="open", now=NOW, actor_role=SYSTEM)


def test_terminal_ids_are_unique_per_outlet() -> None:
    merchant = make_merchant()
    outlet = make_outlet(merchant, terminals=("T1",))
    with pytest.raises(services.TerminalIdTaken):
        services.terminal_add(outlet_id=outlet.id, terminal_id="T1", now=NOW, actor_role=SYSTEM)
    with pytest.raises(InvalidInput, match="not a terminal id"):
        services.terminal_add(outlet_id=outlet.id, terminal_id="T 2", now=NOW, actor_role=SYSTEM)
    second = make_outlet(merchant, terminals=("T1",))
    assert Terminal.objects.filter(terminal_id="T1").count() == 2
    assert (
        selectors.outlet_get(outlet_id=second.id, actor_role=SYSTEM).terminals[0].terminal_id
        == "T1"
    )


# --- authorization ------------------------------------------------------------------------


def test_staff_manage_only_their_own_outlets_and_clerks_only_read() -> None:
    merchant, other = make_merchant(), make_merchant("Altra Rete")
    owner, clerk = make_staff(merchant, "owner"), make_staff(merchant, "clerk")
    outsider = make_staff(other, "owner")
    outlet = make_outlet(merchant)

    info = services.outlet_set_status(
        outlet_id=outlet.id, status="pilot", now=NOW, actor_id=owner.pk, actor_role="merchant"
    )
    assert info.status == "pilot"
    with pytest.raises(StaffRoleTooLow):
        services.outlet_set_status(
            outlet_id=outlet.id, status="live", now=NOW, actor_id=clerk.pk, actor_role="merchant"
        )
    assert selectors.outlet_get(outlet_id=outlet.id, actor_id=clerk.pk, actor_role="merchant")
    with pytest.raises(selectors.OutletNotFound):
        selectors.outlet_get(outlet_id=outlet.id, actor_id=outsider.pk, actor_role="merchant")
    with pytest.raises(selectors.OutletNotFound):
        services.outlet_set_status(
            outlet_id=outlet.id, status="live", now=NOW, actor_id=outsider.pk, actor_role="merchant"
        )
    buyer = make_user("buyer")
    with pytest.raises(PermissionDenied):
        selectors.outlet_get(outlet_id=outlet.id, actor_id=buyer.pk, actor_role="buyer")
    with pytest.raises(PermissionDenied):
        selectors.outlet_list(actor_id=buyer.pk, actor_role="buyer")
    with pytest.raises(NotFound):  # staff of another merchant registering here
        services.outlet_register(
            merchant_id=merchant.pk,
            code="X9",
            name="Ufficio",
            address="Via Roma 1",
            municipality_code="015146",
            now=NOW,
            actor_id=outsider.pk,
            actor_role="merchant",
        )


# --- selectors ------------------------------------------------------------------------------


def test_list_filters_and_tenant_scope() -> None:
    merchant, other = make_merchant(), make_merchant("Altra Rete")
    make_outlet(merchant, code="MI-1", municipality_code="015146", status="live")
    make_outlet(merchant, code="FI-1", municipality_code="048017")
    make_outlet(merchant, code="FI-2", municipality_code="048017", status="pilot")
    make_outlet(other, code="RM-1", municipality_code="058091")
    staff = make_staff(merchant)

    assert len(selectors.outlet_list(actor_role="operator")) == 4
    mine = selectors.outlet_list(actor_id=staff.pk, actor_role="merchant")
    assert [o.code for o in mine[0:10]] == ["FI-1", "FI-2", "MI-1"]
    tuscany = selectors.outlet_list(region_code="IT-52", actor_role=SYSTEM)
    assert sorted(o.code for o in tuscany[0:10]) == ["FI-1", "FI-2"]
    pilots = selectors.outlet_list(region_code="IT-52", status="pilot", actor_role=SYSTEM)
    assert [o.code for o in pilots[0:10]] == ["FI-2"]
    assert [o.code for o in selectors.outlet_list(search="mi-", actor_role=SYSTEM)[0:10]] == [
        "MI-1"
    ]
    assert pilots[0].status_label == "Pilot"
    with pytest.raises(InvalidInput):
        selectors.outlet_list(region_code="IT-99", actor_role=SYSTEM)
    with pytest.raises(InvalidInput):
        selectors.outlet_list(status="open", actor_role=SYSTEM)


def test_rollout_counts_per_status_and_region() -> None:
    merchant = make_merchant()
    make_outlet(merchant, municipality_code="015146", status="live")
    make_outlet(merchant, municipality_code="015146")
    make_outlet(merchant, municipality_code="048017", status="pilot")
    summary = selectors.outlet_rollout(actor_role=SYSTEM)
    assert summary.total == 3
    assert summary.by_status == {
        "planned": 1,
        "pilot": 1,
        "live": 1,
        "suspended": 0,
        "closed": 0,
    }
    regions = {r.region_code: r for r in summary.regions}
    assert regions["IT-25"].region_name == "Lombardia"
    assert regions["IT-25"].total == 2
    assert regions["IT-25"].by_status["live"] == 1
    assert regions["IT-52"].by_status["pilot"] == 1
    assert [r.region_name for r in summary.regions] == sorted(
        r.region_name for r in summary.regions
    )


def test_outlet_qr_static_and_dynamic() -> None:
    merchant = make_merchant("Poste di Città")  # non-ASCII: goes to the language template
    outlet = make_outlet(merchant, code="UP-015146-01", municipality_code="015146")
    static = selectors.outlet_qr(outlet_id=outlet.id, actor_role=SYSTEM)
    parsed = emvco.parse(static.payload)
    assert parsed.mode == "static"
    assert parsed.merchant_name == "Poste di Citta"
    assert parsed.merchant_city == "Milano"
    assert parsed.merchant_category_code == "9402"
    assert parsed.postal_code == "20123"
    assert parsed.terminal_label == "T1"
    assert parsed.account_templates()["it.fiera"] == {
        "00": "it.fiera",
        "01": str(merchant.pk),
        "02": "UP-015146-01",
    }
    assert (parsed.alternate_language, parsed.alternate_name) == ("it", "Poste di Città")
    assert static.svg.startswith("<svg")

    dynamic = selectors.outlet_qr(
        outlet_id=outlet.id,
        amount_minor=1250,
        currency="EUR",
        bill_number="RACC-0042",
        actor_role=SYSTEM,
    )
    parsed = emvco.parse(dynamic.payload)
    assert (parsed.mode, parsed.amount_minor, parsed.currency) == ("dynamic", 1250, "EUR")
    assert parsed.bill_number == "RACC-0042"
    with pytest.raises(InvalidInput, match="no terminal 'T9'"):
        selectors.outlet_qr(outlet_id=outlet.id, terminal_id="T9", actor_role=SYSTEM)


# --- CSV import -----------------------------------------------------------------------------


def test_import_creates_outlets_and_terminals_in_one_go() -> None:
    merchant = make_merchant()
    csv_text = (
        HEADER
        + "UP-015146-01,Ufficio postale Milano 1,Piazza Cordusio 1,015146,20123,,planned,T1;T2\n"
        + "UP-048017-01,Ufficio postale Firenze,Via Pellicceria 3,048017,,9402,live,\n"
        + "\n"
        + 'UP-027042-01,"Ufficio postale Venezia, Rialto",Calle 1,027042,30125,,pilot,T1\n'
    )
    report = services.outlets_import_csv(
        merchant_id=merchant.pk, file=csv_text.encode(), now=NOW, actor_role=SYSTEM
    )
    assert (report.outlets_created, report.terminals_created) == (3, 3)
    assert report.by_status == {"planned": 1, "live": 1, "pilot": 1}
    venice = Outlet.objects.get(code="UP-027042-01")
    assert venice.name == "Ufficio postale Venezia, Rialto"
    assert venice.region_code == "IT-34"
    assert venice.opened_at == NOW
    assert Outlet.objects.get(code="UP-015146-01").opened_at is None
    assert Terminal.objects.filter(outlet__code="UP-015146-01").count() == 2


def test_import_with_one_bad_row_writes_nothing_and_lists_every_problem() -> None:
    merchant = make_merchant()
    make_outlet(merchant, code="UP-EXISTING")
    csv_text = (
        HEADER
        + "UP-1,Ufficio 1,Via Roma 1,015146,20123,,planned,T1\n"  # line 2: fine
        + "UP-2,Ufficio 2,Via Roma 2,999999,2012,,opened,T1\n"  # line 3: three problems
        + "UP-1,Ufficio 3,Via Roma 3,048017,,94,planned,\n"  # line 4: duplicate, bad mcc
        + "UP-EXISTING,Ufficio 4,,048017,,,,T1;T1\n"  # line 5: in DB, empty address, twice T1
        + "UP-5,Ufficio 5\n"  # line 6: too few cells
    )
    with pytest.raises(services.OutletImportInvalid) as caught:
        services.outlets_import_csv(
            merchant_id=merchant.pk, file=csv_text, now=NOW, actor_role=SYSTEM
        )
    found = [(e.line, e.column, e.message) for e in caught.value.errors]
    assert found == [
        (3, "municipality_code", "999999 is not a current Italian municipality"),
        (3, "postal_code", "'2012' is not a CAP (five digits)"),
        (3, "status", "'opened' is not one of planned, pilot, live, suspended"),
        (4, "code", "UP-1 repeats line 2"),
        (4, "mcc", "'94' is not a merchant category code (four digits)"),
        (5, "code", "UP-EXISTING already exists for this merchant"),
        (5, "address", "is empty"),
        (5, "terminal_ids", "terminal T1 is listed twice"),
        (6, "", "2 cells; the header has 8"),
    ]
    assert str(caught.value.errors[0]) == (
        "line 3, column municipality_code: 999999 is not a current Italian municipality"
    )
    assert caught.value.detail == "9 problem(s) on 4 line(s); nothing was imported"
    assert Outlet.objects.filter(merchant_id=merchant.pk).count() == 1  # only UP-EXISTING
    assert not Terminal.objects.filter(outlet__code="UP-1").exists()


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        ("", [(1, "", "the file is empty; it needs a header row")]),
        (
            "code,name,municipality_code,colour\nA,B,015146,red\n",
            [
                (
                    1,
                    "colour",
                    "unknown column (known: code, name, address, municipality_code, "
                    "postal_code, mcc, status, terminal_ids)",
                ),
                (1, "address", "required column missing from the header"),
            ],
        ),
        (HEADER, [(1, "", "no outlets to import")]),
    ],
)
def test_import_reports_header_problems(
    csv_text: str, expected: list[tuple[int, str, str]]
) -> None:
    merchant = make_merchant()
    with pytest.raises(services.OutletImportInvalid) as caught:
        services.outlets_import_csv(
            merchant_id=merchant.pk, file=csv_text, now=NOW, actor_role=SYSTEM
        )
    assert [(e.line, e.column, e.message) for e in caught.value.errors] == expected


def test_import_refuses_bytes_that_are_not_utf8() -> None:
    merchant = make_merchant()
    with pytest.raises(services.OutletImportInvalid) as caught:
        services.outlets_import_csv(
            merchant_id=merchant.pk, file=b"code\n\xff\n", now=NOW, actor_role=SYSTEM
        )
    assert caught.value.errors[0].message == "the file is not UTF-8 text (byte 5 is not)"


def test_import_thousands_of_rows_checks_all_then_inserts(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    merchant = make_merchant()
    lines = [HEADER]
    for i in range(3000):
        lines.append(f"UP-{i:05d},Ufficio {i},Via Roma {i},015146,20123,,planned,T1\n")
    # Batched inserts, never a query per row (SQLite caps a statement at 999 parameters,
    # so 3,000 outlets of 12 columns take about 40 INSERTs there, 2 on PostgreSQL).
    with django_assert_max_num_queries(80):
        report = services.outlets_import_csv(
            merchant_id=merchant.pk, file="".join(lines).encode(), now=NOW, actor_role=SYSTEM
        )
    assert report.outlets_created == 3000
    assert Terminal.objects.filter(merchant_id=merchant.pk).count() == 3000
