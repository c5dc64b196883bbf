"""``fiera qr``, ``fiera outlets`` and ``fiera fx``: through ``fiera.cli.main`` (stdout and
stderr captured), and ``fiera qr`` in a fresh process without any database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fiera.cli import main
from fiera.payments import emvco
from fiera.payments.models import FxRate, Outlet
from tests.payments.factories import make_merchant
from tests.payments.test_emvco import EMVCO_SAMPLE

MAKE = [
    "qr",
    "make",
    "--merchant-name",
    "Rete Postale",
    "--city",
    "Milano",
    "--country",
    "IT",
    "--currency",
    "EUR",
    "--mcc",
    "9402",
    "--account-id",
    "42",
]


def test_qr_make_static_and_dynamic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(MAKE) == 0
    static = capsys.readouterr().out.strip()
    assert emvco.parse(static).mode == "static"
    assert emvco.parse(static).account_templates()["it.fiera"]["01"] == "42"

    args = [*MAKE, "--amount", "12.50", "--bill", "INV-7", "--terminal", "T1"]
    assert (
        main([*args, "--alt-language", "zh", "--alt-name", "最佳运输", "--alt-city", "北京"]) == 0
    )
    parsed = emvco.parse(capsys.readouterr().out.strip())
    assert (parsed.mode, parsed.amount_minor, parsed.bill_number) == ("dynamic", 1250, "INV-7")
    assert parsed.alternate_name == "最佳运输"


def test_qr_make_writes_svg_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg, png = tmp_path / "qr.svg", tmp_path / "qr.png"
    assert main([*MAKE, "--svg", str(svg)]) == 0
    assert main([*MAKE, "--png", str(png), "--scale", "2"]) == 0
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert capsys.readouterr().out.count("000201") == 2


def test_qr_make_refuses_bad_input_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*MAKE, "--amount", "12.505"]) == 2
    assert "EUR has 2 decimal places" in capsys.readouterr().err
    assert main([*MAKE[:3], "Caffè Rossi", *MAKE[4:]]) == 2
    err = capsys.readouterr().err
    assert "tag 59 (merchant name) allows printable ASCII only" in err


def test_qr_parse_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "parse", EMVCO_SAMPLE]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["merchant_name"] == "BEST TRANSPORT"
    assert out["amount_minor"] == 2372
    assert out["alternate_name"] == "最佳运输"
    assert out["fields"]["29"] == {"00": "D15600000000", "05": "A93FO3230Q"}


def test_qr_parse_bad_payload_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "parse", EMVCO_SAMPLE[:-4] + "A13B"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "error: CRC mismatch: payload says A13B, computed A13A"


def test_qr_needs_no_database(tmp_path: Path) -> None:
    """A fresh process, with a database URL that cannot be reached: ``fiera qr`` works."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        "FIERA_HOME": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "fiera.cli", "qr", "parse", EMVCO_SAMPLE],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["crc"] == "A13A"
    bad = subprocess.run(
        [sys.executable, "-m", "fiera.cli", "qr", "parse", "000201"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "tag 63 (CRC) must be the last data object" in bad.stderr


@pytest.mark.django_db
def test_outlets_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    merchant = make_merchant()
    good = tmp_path / "good.csv"
    good.write_text(
        "code,name,address,municipality_code,terminal_ids\n"
        "UP-1,Ufficio 1,Via Roma 1,015146,T1\nUP-2,Ufficio 2,Via Roma 2,027042,T1;T2\n",
        encoding="utf-8",
    )
    assert main(["outlets", "import", "--merchant", merchant.slug, str(good), "--no-progress"]) == 0
    assert "imported 2 outlet(s) (2 planned) and 3 terminal(s)" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,address,municipality_code\nUP-3,Ufficio 3,Via Roma 3,015146\n"
        "UP-1,Ufficio 1,Via Roma 1,12345\n",
        encoding="utf-8",
    )
    assert main(["outlets", "import", "--merchant", str(merchant.pk), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s) on 1 line(s); nothing was imported" in err
    assert "line 3, column code: UP-1 already exists for this merchant" in err
    assert "line 3, column municipality_code: '12345' is not an ISTAT code" in err
    assert Outlet.objects.filter(merchant_id=merchant.pk).count() == 2

    assert main(["outlets", "import", "--merchant", "no-such-merchant", str(good)]) == 2
    assert "no merchant 'no-such-merchant'" in capsys.readouterr().err

    assert main(["outlets", "rollout", "--merchant", merchant.slug]) == 0
    out = capsys.readouterr().out
    assert "Lombardia" in out and "Veneto" in out
    assert out.strip().splitlines()[-1].split()[-1] == "2"


@pytest.mark.django_db
def test_fx_import_and_rate_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = tmp_path / "eurofxref-hist.csv"
    csv_file.write_text(
        "Date,USD,JPY,\n2024-01-02,1.0956,155.68,\n2023-12-29,1.105,156.33,\n", encoding="utf-8"
    )
    assert main(["fx", "import", str(csv_file), "--no-progress"]) == 0
    assert "read 4 rate(s) of 2 currencies, 2023-12-29 to 2024-01-02: 4 created" in (
        capsys.readouterr().out
    )
    assert main(["fx", "import", str(csv_file), "--since", "2024-01-01", "--no-progress"]) == 0
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert FxRate.objects.count() == 4

    assert main(["fx", "rate", "JPY", "--base", "USD", "--on", "2024-01-02"]) == 0
    assert capsys.readouterr().out.strip() == "1 USD = 142.0956553 JPY (ECB 2024-01-02, cross)"
    assert main(["fx", "rate", "USD", "--on", "1999-01-01"]) == 2
    assert "no ECB rate for USD on or before 1999-01-01" in capsys.readouterr().err

    broken = tmp_path / "broken.csv"
    broken.write_text("Date,USD\n2024-01-02,abc\n", encoding="utf-8")
    assert main(["fx", "import", str(broken), "--no-progress"]) == 2
    assert "line 2, USD: 'abc' is not a rate" in capsys.readouterr().err


@pytest.mark.django_db
def test_fx_import_bundled_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "import", "--bundled", "--since", "2024-12-01", "--no-progress"]) == 0
    assert "created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert FxRate.objects.get(quote="USD", date=date(2024, 12, 2)).rate_e9 > 0
