from __future__ import annotations

import pytest
from django.db.models import F

from fiera.cli import main
from fiera.ledger.models import Account
from tests.ledger.factories import funded_wallet, wallet

pytestmark = pytest.mark.django_db


def test_verify_ok(capsys: pytest.CaptureFixture[str]) -> None:
    funded_wallet(500)
    assert main(["ledger", "verify"]) == 0
    assert capsys.readouterr().out.strip() == "OK: 2 accounts, 1 transfers in 1 currencies"


def test_verify_broken(capsys: pytest.CaptureFixture[str]) -> None:
    w = funded_wallet(500)
    Account.objects.filter(pk=w.id).update(credits_posted=F("credits_posted") + 1)
    assert main(["ledger", "verify"]) == 1
    err = capsys.readouterr().err
    assert "BROKEN" in err and f"account {w.id} (EUR)" in err


def test_balances(capsys: pytest.CaptureFixture[str]) -> None:
    mine = funded_wallet(1250)
    wallet(owner_id=4242)
    assert main(["ledger", "balances", "--owner", f"user:{mine.owner_id}"]) == 0
    out = capsys.readouterr().out
    assert f"user:{mine.owner_id}" in out and "12.50 EUR" in out and "user:4242" not in out
    assert main(["ledger", "balances", "--owner", "nobody:1"]) == 0
    assert "no accounts" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["ledger", "balances", "--owner", "user"])


def test_expire(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "expire"]) == 0
    assert "voided 0" in capsys.readouterr().out
