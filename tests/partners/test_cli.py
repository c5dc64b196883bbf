from __future__ import annotations

import pytest

from fiera.cli import main
from fiera.partners.selectors import PartnerInfo
from tests.partners.factories import make_lead

pytestmark = pytest.mark.django_db


def test_coverage_table(capsys: pytest.CaptureFixture[str], partner: PartnerInfo) -> None:
    make_lead(partner)
    assert main(["partner", "coverage"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 22  # header, 20 regions, summary
    lombardia = next(line for line in lines if line.startswith("Lombardia"))
    assert lombardia.split()[1:5] == ["IT-25", "1", "1", "0"]
    assert "2 of 20 regions covered" in lines[-1] and "Sardegna" in lines[-1]


def test_leads_of_a_partner(capsys: pytest.CaptureFixture[str], partner: PartnerInfo) -> None:
    lead = make_lead(partner, "contacted", firm_name="Cantina Nord")
    make_lead(partner)
    assert main(["partner", "leads", partner.slug, "--stage", "contacted"]) == 0
    out = capsys.readouterr().out
    assert "Cantina Nord" in out and lead.vat_number in out and out.endswith("1 leads\n")
    assert main(["partner", "leads", partner.slug, "--limit", "1"]) == 0
    assert capsys.readouterr().out.endswith("2 leads (1 shown)\n")


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], partner: PartnerInfo) -> None:
    assert main(["partner", "leads", "no-such-partner"]) == 2
    assert "partner_not_found" in capsys.readouterr().err
    assert main(["partner", "leads", partner.slug, "--stage", "won"]) == 2
    assert "--stage" in capsys.readouterr().err
