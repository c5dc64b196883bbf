"""The reports as downloads (decision 0028): the page at /analytics/reports/ offers each role
what it may have, with real choices; every format downloads from the page and from
GET /api/v1/analytics/reports/{kind} with its content type and file name; the denials
(buyers 403, a merchant's staff no partner or pavilion report, partner staff not another
partner's) and bad input answer 4xx with a message, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.analytics import report_formats
from fiera.trade import services as trade_services
from tests.analytics.report_world import ReportWorld, make_report_world
from tests.catalog import factories as catalog_f
from tests.merchants.factories import bearer

pytestmark = pytest.mark.django_db
API = "/api/v1/analytics/reports"
PAGE = "/analytics/reports/"


@pytest.fixture
def world() -> ReportWorld:
    return make_report_world()


def add_pavilion(partner_id: int, slug: str) -> str:
    """A pavilion run by the partner, on a B2B trade marketplace of its own."""
    market = catalog_f.marketplace(
        default_currency="USD", countries={"US": "USD"}, kind="b2b_trade"
    )
    return trade_services.pavilion_create(
        actor_id=None,
        actor_role=SYSTEM,
        slug=slug,
        name_it="Padiglione Veneto",
        name_en="Veneto pavilion",
        name_zh="威尼托馆",
        intro_en="",
        marketplace_slug=market.slug,
        partner_id=partner_id,
        country_code="IT",
        quota=5,
        sponsorship_months=12,
        category_slugs=[],
        now=timezone.now(),
    ).slug


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _api(user: Any, kind: str, **params: Any) -> Any:
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(f"{API}/{kind}", params, **bearer(user))


def _check_file(response: Any, fmt: str, name: str) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == report_formats.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    body = bytes(response.content)
    assert body
    if fmt == "xlsx":
        assert body.startswith(b"PK")
    if fmt == "pdf":
        assert body.startswith(b"%PDF")
    return body


def _weasyprint() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def test_the_page_offers_the_operator_every_report_with_real_choices(world: ReportWorld) -> None:
    slug = add_pavilion(world.partner.id, "veneto-pavilion")
    client = _client(world.operator)
    assert 'href="/analytics/reports/"' in client.get("/analytics/").content.decode()
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("festival", "month", "pavilion", "partner"):
        assert f'action="/analytics/reports/{kind}/"' in html
    assert '<option value="spring-fest">Spring festival</option>' in html
    this_month = timezone.now().date().strftime("%Y-%m")
    assert f'<option value="{this_month}">' in html
    assert f'<option value="{slug}">Veneto pavilion</option>' in html
    assert '<option value="camera-veneto">Camera Veneto</option>' in html
    assert '<option value="banca-sud">Banca del Sud</option>' in html
    assert '<option value="xlsx" selected>' in html and '<option value="en" selected>' in html


def test_every_format_downloads_from_the_page(world: ReportWorld) -> None:
    client = _client(world.operator)
    for fmt in report_formats.FORMATS:
        response = client.get(
            "/analytics/reports/month/", {"key": "2026-03", "language": "en", "format": fmt}
        )
        if fmt == "pdf" and not _weasyprint():
            assert response.status_code == 503
            assert "PDF reports cannot be drawn on this machine" in response.content.decode()
            continue
        body = _check_file(response, fmt, f"fiera-month-2026-03-en.{fmt}")
        if fmt == "md":
            assert body.startswith(b"# Monthly report: March 2026")
    italian = client.get(
        "/analytics/reports/festival/", {"key": "spring-fest", "language": "it", "format": "md"}
    )
    text = _check_file(italian, "md", "fiera-festival-spring-fest-it.md").decode()
    assert text.startswith("# Report del festival: Festa di primavera")


def test_every_format_downloads_from_the_api(world: ReportWorld) -> None:
    for fmt in report_formats.FORMATS:
        response = _api(world.operator, "festival", key="spring-fest", format=fmt)
        if fmt == "pdf" and not _weasyprint():
            assert response.status_code == 503
            assert response.json()["error"] == "report_pdf_unavailable"
            continue
        _check_file(response, fmt, f"fiera-festival-spring-fest-en.{fmt}")
    today = timezone.now().date()
    partner = _api(
        world.partner_staff,
        "partner",
        key="camera-veneto",
        start=(today - timedelta(days=400)).isoformat(),
        end=today.isoformat(),
        language="zh",
        format="md",
    )
    text = _check_file(partner, "md", "fiera-partner-camera-veneto-zh.md").decode()
    assert "Camera Veneto" in text and partner["Content-Language"] == "zh-hans"


def test_a_pdf_without_weasyprint_says_so(world: ReportWorld, monkeypatch) -> None:
    def missing(report: Any) -> bytes:
        raise report_formats.ReportPdfUnavailable("no WeasyPrint here")

    monkeypatch.setattr(report_formats, "pdf_bytes", missing)
    page = _client(world.operator, "it").get(
        "/analytics/reports/month/", {"key": "2026-03", "format": "pdf"}
    )
    assert page.status_code == 503
    assert "Su questo server non si possono creare report PDF" in page.content.decode()
    api = _api(world.operator, "month", key="2026-03", format="pdf")
    assert api.status_code == 503 and api.json()["error"] == "report_pdf_unavailable"


def test_buyers_get_the_403_page_and_the_api_403_and_strangers_sign_in(
    world: ReportWorld,
) -> None:
    buyer = _client(world.buyer)
    assert buyer.get(PAGE).status_code == 403
    refused = buyer.get("/analytics/reports/month/", {"key": "2026-03"})
    assert refused.status_code == 403
    assert "Analytics are for operators" in refused.content.decode()
    api = _api(world.buyer, "festival", key="spring-fest")
    assert api.status_code == 403 and api.json()["error"] == "analytics_forbidden"
    assert Client().get(PAGE).status_code == 302
    assert Client().get(f"{API}/month", {"key": "2026-03"}).status_code == 401


def test_a_merchant_has_its_own_months_and_no_partner_or_pavilion_report(
    world: ReportWorld,
) -> None:
    slug = add_pavilion(world.partner.id, "veneto-pavilion")
    client = _client(world.it_staff)
    html = client.get(PAGE).content.decode()
    assert 'action="/analytics/reports/month/"' in html
    for kind in ("festival", "pavilion", "partner"):
        assert f'action="/analytics/reports/{kind}/"' not in html
    own = client.get("/analytics/reports/month/", {"key": "2026-03", "format": "md"})
    assert (
        world.italian.display_name in _check_file(own, "md", "fiera-month-2026-03-en.md").decode()
    )
    for kind, key in (
        ("partner", "camera-veneto"),
        ("pavilion", slug),
        ("festival", "spring-fest"),
    ):
        page = client.get(f"/analytics/reports/{kind}/", {"key": key})
        assert page.status_code == 403
        assert "This report is not available to your account." in page.content.decode()
        api = _api(world.it_staff, kind, key=key)
        assert api.status_code == 403 and api.json()["error"] == "report_forbidden"


def test_partner_staff_have_their_own_partner_and_pavilions_only(world: ReportWorld) -> None:
    mine = add_pavilion(world.partner.id, "veneto-pavilion")
    theirs = add_pavilion(world.other_partner.id, "south-pavilion")
    client = _client(world.partner_staff)
    html = client.get(PAGE).content.decode()
    assert '<option value="camera-veneto">' in html and "banca-sud" not in html
    assert f'<option value="{mine}">' in html and theirs not in html
    assert 'action="/analytics/reports/festival/"' not in html
    own = client.get("/analytics/reports/pavilion/", {"key": mine, "format": "csv"})
    _check_file(own, "csv", f"fiera-pavilion-{mine}-en.csv")
    other = client.get("/analytics/reports/partner/", {"key": "banca-sud"})
    assert other.status_code == 404 and "This partner does not exist." in other.content.decode()
    api = _api(world.partner_staff, "partner", key="banca-sud")
    assert api.status_code == 404 and api.json()["error"] == "partner_not_found"
    page = client.get("/analytics/reports/pavilion/", {"key": theirs})
    assert page.status_code == 403
    api = _api(world.partner_staff, "pavilion", key=theirs)
    assert api.status_code == 403 and api.json()["error"] == "pavilion_reviewers_only"


def test_bad_input_is_a_4xx_with_a_message_on_the_page(world: ReportWorld) -> None:
    client = _client(world.operator)
    today = timezone.now().date()
    next_month = (today.replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    cases = [
        ("festival", {"key": "no-such-fest"}, 404, "This festival does not exist."),
        ("month", {"key": next_month}, 422, f"{next_month} has not begun yet"),
        ("month", {"key": "2026-13"}, 422, "2026-13 is not a month"),
        ("month", {"key": "march"}, 422, "march is not a month"),
        ("month", {"key": ""}, 400, "Month: choose one of the list."),
        ("month", {"key": "2026-03", "format": "docx"}, 400, "Format: choose one of the list."),
        ("month", {"key": "2026-03", "language": "fr"}, 400, "Language: choose one of"),
        ("festival", {"key": "spring-fest", "country": "XX"}, 400, "Country: choose a country"),
        ("pavilion", {"key": "no-such-pavilion"}, 404, "This pavilion does not exist."),
        ("partner", {"key": "camera-veneto", "start": "2026-02-30"}, 400, "From: write the date"),
        (
            "partner",
            {"key": "camera-veneto", "start": "2026-03-10", "end": "2026-03-01"},
            422,
            "Choose a period that ends on or after its start.",
        ),
    ]
    for kind, params, status, message in cases:
        response = client.get(f"/analytics/reports/{kind}/", params)
        assert response.status_code == status, (kind, params, response.status_code)
        html = response.content.decode()
        assert message in html, (kind, params)
        assert 'role="alert"' in html and f'id="report-{kind}"' in html
    italian = _client(world.operator, "it").get("/analytics/reports/month/", {"key": "2026-13"})
    assert italian.status_code == 422 and "2026-13 non è un mese" in italian.content.decode()
    assert client.get("/analytics/reports/weekly/").status_code == 404


def test_bad_input_through_the_api_is_the_error_handlers_json(world: ReportWorld) -> None:
    future = (timezone.now().date() + timedelta(days=40)).strftime("%Y-%m")
    for kind, params, status, code in (
        ("festival", {"key": "no-such-fest"}, 404, "festival_not_found"),
        ("month", {"key": future}, 422, "report_bad_period"),
        ("month", {"key": "2026-13"}, 422, "report_bad_period"),
        ("month", {"key": "2026-03", "format": "docx"}, 422, "invalid"),
        ("month", {"key": "2026/03"}, 422, "invalid"),
        ("partner", {"key": "camera-veneto", "start": "1999-12-31"}, 422, "invalid"),
        (
            "partner",
            {"key": "camera-veneto", "start": "2026-03-10", "end": "2026-03-01"},
            422,
            "report_bad_period",
        ),
        ("weekly", {"key": "2026-03"}, 422, "invalid"),
    ):
        response = _api(world.operator, kind, **params)
        assert response.status_code == status, (kind, params, response.content)
        body = response.json()
        assert body["error"] == code and body["detail"], body
