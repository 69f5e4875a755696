"""The CLI's life-cycle commands (status, acceptance, progress) on the hand-built township (lifecycle_data.py)."""

from __future__ import annotations

import pytest
from lifecycle_data import make_township
from qgis_helpers import src

from plugin.adapters.gpkg import read_table
from plugin.adapters.lifecycle_store import TABLE
from plugin.cli.app import main


@pytest.fixture()
def township(tmp_path):
    path = tmp_path / "township.gpkg"
    make_township(path)
    return path


def sources(path) -> list[str]:
    return ["--parcels", src(path, "DLTB"), "--units", src(path, "ZZDY")]


def test_status_commands_guard_and_record(qgis_app, township, capsys):
    rc = main(["status", *sources(township), "--unit", "B", "--to", "approved"])
    assert rc == 2 and "KCXS_NOT_FARMLAND" in capsys.readouterr().err
    rc = main(["status", *sources(township), "--unit", "A", "--to", "实施"])
    assert rc == 2 and "no skipping" in capsys.readouterr().err
    assert main(["status", *sources(township), "--unit", "A", "--to", "立项"]) == 0
    assert "A: 储备 → 立项" in capsys.readouterr().out
    assert main(["status", *sources(township), "--unit", "A", "--to", "works"]) == 0
    rc = main(["status", *sources(township), "--unit", "A", "--to", "accepted", "--achieved", src(township, "BGDLTB")])
    err = capsys.readouterr().err
    assert rc == 2 and "shortfall" in err and "1,000.0" in err
    assert main(["status", *sources(township), "--unit", "A", "--to", "done"]) == 2
    units = {r["DYBH"]: r["ZT"] for r in read_table(township, "ZZDY")}
    assert units == {"A": "实施", "B": None}
    assert [(r["from_status"], r["to_status"]) for r in read_table(township, TABLE)] == [
        ("储备", "立项"), ("立项", "实施")]


def test_acceptance_and_progress_commands(qgis_app, township, tmp_path, capsys):
    out = tmp_path / "acceptance.gpkg"
    rc = main(["acceptance", *sources(township), "--achieved", src(township, "BGDLTB"), "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0 and "✗ A" in text and "short 1.50 mu (1,000.0 m²)" in text
    rows = read_table(out, "acceptance")
    assert [(r["unit_code"], r["zzlx"], r["complete"]) for r in rows] == [("A", "JS-FK", 0)]
    assert rows[0]["shortfall_m2"] == pytest.approx(1000.0, rel=1e-6)
    xlsx = tmp_path / "progress.xlsx"
    rc = main(["progress", *sources(township), "--achieved", src(township, "BGDLTB"), "--out", str(xlsx)])
    text = capsys.readouterr().out
    assert rc == 0 and xlsx.exists()
    assert "2 units, area 30.0 mu, planned 7.5 mu, achieved 6.0 mu" in text  # both units in reserve
