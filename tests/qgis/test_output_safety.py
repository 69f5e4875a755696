"""Nothing lost, ever: no command writes over its own inputs (however the output is spelled), an
existing output needs --overwrite, leftovers of killed runs are removed by the next run (never those
of a run still going), a full disk and a damaged GeoPackage give one clean message."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from qgis_helpers import src

ROOT = Path(__file__).resolve().parents[2]


def _cli(*argv: str) -> int:
    from plugin.cli.app import main

    return main(list(argv))


def _hashes(folder: Path) -> dict:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink()
                     else os.readlink(p) if p.is_symlink() else "dir") for p in sorted(folder.iterdir())}


@pytest.fixture()
def work(make_demo, tmp_path):
    """A copy of the demo township (DLTB, ZZDY, YJJBNTTB…) in its own folder, plus a symlink and a hard link."""
    folder = tmp_path / "data"
    folder.mkdir()
    demo = folder / "township.gpkg"
    shutil.copy(make_demo(600, 5), demo)
    (folder / "link.gpkg").symlink_to(demo)
    os.link(demo, folder / "hard.gpkg")
    return demo


def _sources(demo: Path, parcels: str | None = None) -> list[str]:
    return ["--parcels", parcels or src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--pbf", src(demo, "YJJBNTTB")]


SPELLINGS = {
    "same path": lambda d: str(d),
    "symlink": lambda d: str(d.parent / "link.gpkg"),
    "hard link": lambda d: str(d.parent / "hard.gpkg"),
    "other spelling": lambda d: f"{d.parent}/../{d.parent.name}/./{d.name}",
}
COMMANDS = {
    "balance": lambda out: ["balance", "--out", out],
    "balance --overwrite": lambda out: ["balance", "--overwrite", "--out", out],
    "export --overwrite": lambda out: ["export", "--overwrite", "--out", out],
    "report --out": lambda out: ["report", "--out", out],
    "report --csv": lambda out: ["report", "--csv", out],
    "report --indicators-csv": lambda out: ["report", "--indicators-csv", out],
    "report --maps": lambda out: ["report", "--maps", out],
    "check": lambda out: ["check", "--out", out],
    "suggest": lambda out: ["suggest", "--unit", "ZZDY-001", "--out", out],
    "contiguity": lambda out: ["contiguity", "--out", out],
    "progress": lambda out: ["progress", "--out", out],
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_command_writes_over_its_input(qgis_app, work, command, spelling, capsys):
    before = _hashes(work.parent)
    argv = COMMANDS[command](SPELLINGS[spelling](work))
    assert _cli(argv[0], *_sources(work), *argv[1:]) == 2
    err = capsys.readouterr().err
    assert "is the input" in err and "Traceback" not in err
    assert _hashes(work.parent) == before  # input byte-identical, nothing added


@pytest.mark.parametrize("parcels", ["GPKG:{d}:DLTB", "{d}|layername=DLTB|subset=\"DLBM\" <> ''"])
def test_source_strings_name_the_file(qgis_app, work, parcels, capsys):
    before = _hashes(work.parent)
    assert _cli("balance", *_sources(work, parcels.format(d=work)), "--overwrite", "--out",
                str(work.parent / "hard.gpkg")) == 2
    assert "is the input" in capsys.readouterr().err
    assert _hashes(work.parent) == before


def test_the_rule_pack_and_a_second_output_are_protected_too(qgis_app, work, capsys):
    pack = work.parent / "pack.json"
    shutil.copy(ROOT / "resources" / "rule_packs" / "national.json", pack)
    before = _hashes(work.parent)
    assert _cli("balance", *_sources(work), "--rules", str(pack), "--overwrite", "--out", str(pack)) == 2
    assert "is the input" in capsys.readouterr().err
    same = str(work.parent / "t.csv")
    assert _cli("report", *_sources(work), "--csv", same, "--indicators-csv", same) == 2
    assert "same file" in capsys.readouterr().err
    assert _hashes(work.parent) == before


@pytest.mark.parametrize("command", [["check", "--redline"], ["check", "--boundary"], ["suggest", "--unit", "ZZDY-001",
                                     "--redline"], ["acceptance", "--achieved"], ["progress", "--achieved"]])
def test_the_other_layers_are_protected_too(qgis_app, work, command, capsys):
    other = work.parent / "other.gpkg"
    shutil.copy(work, other)
    before = _hashes(work.parent)
    layer = "STBHHX" if command[-1] in ("--redline", "--boundary") else "DLTB"
    assert _cli(command[0], *_sources(work), *command[1:], src(other, layer), "--out", str(other)) == 2
    assert "is the input" in capsys.readouterr().err
    assert _hashes(work.parent) == before


def test_balance_keeps_an_existing_file_without_overwrite(qgis_app, work, tmp_path, capsys):
    out = tmp_path / "balance.gpkg"
    out.write_bytes(b"an older result")
    assert _cli("balance", *_sources(work), "--out", str(out)) == 2
    assert "exists" in capsys.readouterr().err and out.read_bytes() == b"an older result"
    assert _cli("balance", *_sources(work), "--overwrite", "--out", str(out)) == 0
    from plugin.adapters.gpkg import read_table

    assert read_table(out, "balance")


def test_processing_refuses_its_input_as_output(qgis_app, qgis_processing, work):
    import processing
    from qgis.core import QgsApplication, QgsProcessingException, QgsVectorLayer

    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is None:
        registry.addProvider(LandConsolidationProvider())
    before = _hashes(work.parent)
    params = {"PARCELS": src(work, "DLTB"), "UNITS": src(work, "ZZDY"), "UNIT_FIELD": "DYBH"}
    for alg, extra in (("landconsolidation:computebalance", {"OUTPUT": str(work.parent / "link.gpkg")}),
                       ("landconsolidation:exportplan", {"OUTPUT": str(work), "OVERWRITE": True}),
                       ("landconsolidation:exportplan", {"OUTPUT_FOLDER": str(work.parent / "hard.gpkg")}),
                       ("landconsolidation:planreport", {"OUTPUT": str(work.parent / "r.xlsx"),
                                                         "OUTPUT_CSV": str(work.parent / "hard.gpkg")})):
        with pytest.raises(QgsProcessingException, match="is the input"):
            processing.run(alg, {**params, **extra})
    assert _hashes(work.parent) == before
    # a layer with unsaved edits is read from an in-memory copy: its file stays protected (QGIS itself
    # puts a GeoPackage open for editing into WAL mode, so only the layers are compared here)
    layer = QgsVectorLayer(src(work, "DLTB"), "DLTB", "ogr")
    layer.startEditing()
    layer.changeAttributeValue(next(layer.getFeatures()).id(), layer.fields().indexOf("ZZLX"), "NY-GB")
    try:
        with pytest.raises(QgsProcessingException, match="is the input"):
            processing.run("landconsolidation:computebalance", {**params, "PARCELS": layer, "OUTPUT": str(work)})
    finally:
        layer.rollBack()
    from osgeo import ogr

    ds = ogr.Open(str(work))
    assert {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())} >= {"DLTB", "ZZDY", "YJJBNTTB"}
    assert ds.GetLayerByName("DLTB").GetFeatureCount() == 600


def test_processing_sinks_refuse_an_input_file_as_output(qgis_app, qgis_processing, work):
    """A feature sink to a plain file replaces the whole file: the findings, suggestions, patches and
    statistics outputs refuse an input GeoPackage (or the red line's) before anything is written."""
    import processing
    from qgis.core import QgsApplication, QgsProcessingException

    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is None:
        registry.addProvider(LandConsolidationProvider())
    other = work.parent / "other.gpkg"
    shutil.copy(work, other)
    before = _hashes(work.parent)
    params = {"PARCELS": src(work, "DLTB"), "UNITS": src(work, "ZZDY"), "UNIT_FIELD": "DYBH"}
    runs = [("landconsolidation:checkdata", {**params, "OUTPUT": str(work)}),
            ("landconsolidation:checkconstraints", {**params, "OUTPUT": str(work)}),
            ("landconsolidation:checkconstraints", {**params, "RED_LINE": src(other, "STBHHX"),
                                                    "OUTPUT": str(other)}),
            ("landconsolidation:validateunits", {"UNITS": src(work, "ZZDY"), "UNIT_FIELD": "DYBH",
                                                 "OUTPUT": str(work)}),
            ("landconsolidation:contiguity", {**params, "OUTPUT": str(work)}),
            ("landconsolidation:suggest", {**params, "UNIT": "ZZDY-001", "OUTPUT": str(work)})]
    for alg, run_params in runs:
        with pytest.raises(QgsProcessingException, match="is the input"):
            processing.run(alg, run_params)
    assert _hashes(work.parent) == before
    # the same algorithm with a new file writes it (the guard refuses only what would destroy an input)
    out = work.parent / "findings.gpkg"
    processing.run("landconsolidation:checkdata", {**params, "OUTPUT": str(out)})
    assert out.exists()


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_leftovers_of_dead_runs_are_removed_and_live_ones_kept(qgis_app, work, tmp_path):
    from plugin.adapters.outputs import LEGACY_SECONDS, _host_tag

    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = _sleeper()
    host = _host_tag()
    other = "ffff" if host != "ffff" else "0000"
    try:
        names = {
            f".plan.lctmp{dead.pid}x{host}-abcd1234.partial": "dir",  # a killed export's folder
            f".bal.lctmp{dead.pid}x{host}-abcd1235.partial.gpkg": "file",  # a killed balance …
            f".bal.lctmp{dead.pid}x{host}-abcd1235.partial.gpkg-journal": "file",  # … and its journal
            f".plan.lctmp{live.pid}x{host}-abcd1236.partial": "dir",  # another run, still going
            f".plan.lctmp{dead.pid}x{other}-abcd1237.partial": "dir",  # another computer's (shared folder)
            ".plan.k2j4h5g6.partial": "old dir",  # an earlier version's, an hour old
            ".bal.q1w2e3r4.partial.gpkg": "file",  # an earlier version's, fresh: may be running
            ".plan.gpkg.bak": "file",  # not ours
            ".notes.partial.txt": "file",  # not ours
        }
        for name, kind in names.items():
            path = out / name
            if kind.endswith("dir"):
                path.mkdir()
                (path / "plan.gpkg").write_bytes(b"x" * 1000)
            else:
                path.write_bytes(b"x" * 1000)
            if kind.startswith("old"):
                old = time.time() - LEGACY_SECONDS - 60
                os.utime(path, (old, old))
        assert _cli("balance", *_sources(work), "--out", str(out / "balance.gpkg")) == 0
        left = {p.name for p in out.iterdir()}
        assert left == {"balance.gpkg", f".plan.lctmp{live.pid}x{host}-abcd1236.partial",
                        f".plan.lctmp{dead.pid}x{other}-abcd1237.partial", ".bal.q1w2e3r4.partial.gpkg",
                        ".plan.gpkg.bak", ".notes.partial.txt"}
    finally:
        live.kill()
        live.wait()
    assert _cli("balance", *_sources(work), "--overwrite", "--out", str(out / "balance.gpkg")) == 0
    assert f".plan.lctmp{live.pid}x{host}-abcd1236.partial" not in {p.name for p in out.iterdir()}


def test_two_runs_at_once_into_one_folder(qgis_app, work, tmp_path):
    """Each run cleans the folder at its start: it must not take the other's temporary files."""
    out = tmp_path / "out"
    out.mkdir()
    procs = [subprocess.Popen([sys.executable, "-m", "plugin.cli", "export", *_sources(work), "--out",
                               str(out / f"plan{i}.gpkg")], cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    from plugin.adapters.gpkg import validate

    assert sorted(p.name for p in out.iterdir()) == ["plan0.gpkg", "plan1.gpkg"]
    assert validate(out / "plan0.gpkg") == [] and validate(out / "plan1.gpkg") == []


def _env() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plugin.cli", *argv], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=300)


@pytest.fixture()
def small_disk(tmp_path):
    """A 16 KiB file system (tmpfs; needs root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_gives_one_clean_message(qgis_app, work, small_disk):
    old = small_disk / "old.gpkg"
    old.write_bytes(b"the previous plan" * 100)
    before = _hashes(small_disk)
    for argv in (["balance", "--overwrite", "--out", str(old)], ["export", "--overwrite", "--out", str(old)],
                 ["report", "--out", str(small_disk / "r.xlsx")]):
        done = _run(argv[0], *_sources(work), *argv[1:])
        assert done.returncode == 2, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "disk is full" in lines[0], done.stderr
        assert ".partial" not in lines[0] and "Exception ignored" not in done.stderr
        assert _hashes(small_disk) == before  # the old file as it was, nothing left behind


@pytest.mark.parametrize("crs", ["projected", "geographic"])
def test_damaged_geopackage_is_a_clean_message(qgis_app, work, tmp_path, crs):
    """Projected: read with GDAL's Arrow stream; geographic (EPSG:4490): read through QGIS, which
    would otherwise stop at the bad page and give numbers of a part of the parcels."""
    if crs == "geographic":
        from osgeo import gdal

        geo = work.parent / "geo.gpkg"
        gdal.VectorTranslate(str(geo), str(work), dstSRS="EPSG:4490", reproject=True)
        work = geo
    size = work.stat().st_size
    with open(work, "r+b") as f:  # a data page of the parcels overwritten
        f.seek(int(size * 0.3) // 4096 * 4096)
        f.write(b"Z" * 4096)
    before = _hashes(work.parent)
    for kind in ("balance", "export"):
        out = tmp_path / f"{kind}.gpkg"
        done = _run(kind, *_sources(work), "--out", str(out))
        assert done.returncode == 2
        assert "damaged" in done.stderr and "Traceback" not in done.stderr
        assert not out.exists()
    assert _hashes(work.parent) == before


def test_kill_9_during_export_and_balance(qgis_app, make_demo, tmp_path):
    """The smaller round of bench/kill_test.py: targets whole, input untouched, no leftovers."""
    sys.path.insert(0, str(ROOT))
    from bench.kill_test import kill_rounds

    demo = tmp_path / "township.gpkg"
    shutil.copy(make_demo(600, 5), demo)
    stats = kill_rounds(tmp_path, demo, kills=4, seed=3, log=lambda *_: None)
    assert stats["failures"] == []
    assert stats["kills"] == 4 and stats["leftovers_after_last_run"] == 0


def test_report_outputs_are_moved_into_place_together(qgis_app, work, tmp_path, monkeypatch, capsys):
    """The CSV cannot be written (a full disk): the workbook written just before is not left either."""
    import errno

    from plugin.adapters import report_xlsx

    xlsx, csv_out = tmp_path / "report.xlsx", tmp_path / "structure.csv"
    xlsx.write_bytes(b"last week's report")

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report_xlsx.csv, "writer", full)
    assert _cli("report", *_sources(work), "--out", str(xlsx), "--csv", str(csv_out)) == 2
    assert "disk is full" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "report.xlsx"]
    assert xlsx.read_bytes() == b"last week's report"
