"""The zip planners download: packaged by scripts/package.py, installed into a fresh QGIS profile.

Unpacks dist's zip into a new profile's plugin folder (what "Install from ZIP" does), enables it,
starts the real QGIS desktop under Xvfb and checks that the plugin loaded *from that folder*
(not from the repository), with its docks, menu and Processing provider and algorithms.
Runs on every QGIS the suite runs on (3.22 on the host, 3.40 in scripts/test-qgis-3.40.sh);
the screenshots are named after the QGIS version.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_desktop_qgis import DOCKS, PLUGIN, ROOT, _artefacts, assert_not_blank, run_qgis

pytestmark = [pytest.mark.desktop, pytest.mark.slow]


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py"), "--out", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    path = Path(run.stdout.strip().splitlines()[-1])
    assert path.is_file()
    return path


def test_zip_holds_the_plugin_licence_and_translations(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"{PLUGIN}/metadata.txt").decode("utf-8")
        licence = archive.read(f"{PLUGIN}/LICENSE").decode("utf-8")
    assert {n.split("/")[0] for n in names} == {PLUGIN}  # one folder, named as QGIS imports it
    for required in ("__init__.py", "metadata.txt", "LICENSE", "i18n/land_consolidation_zh_CN.qm",
                     "plugin/main.py", "plugin/adapters/qgis_compat.py", "resources/icons/icon.svg"):
        assert f"{PLUGIN}/{required}" in names, required
    assert not [n for n in names if n.startswith((f"{PLUGIN}/tests/", f"{PLUGIN}/bench/", f"{PLUGIN}/scripts/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 2, June 1991" in licence
    meta = configparser.ConfigParser(interpolation=None)
    meta.read_string(metadata)
    general = meta["general"]
    assert general["qgisMinimumVersion"] == "3.22"
    assert not [k for k in ("repository", "tracker", "homepage", "email") if "example.org" in general.get(k, "")]
    assert general["changelog"].strip()


def test_packaged_zip_installs_and_loads_in_a_fresh_profile(tmp_path, plugin_zip, qgis_app):
    from qgis.core import Qgis

    version = ".".join(Qgis.QGIS_VERSION.split(".")[:2])
    name = f"qgis_{version}_zip_install_zh_CN"
    result = run_qgis(tmp_path, name, plugin_zip=plugin_zip)
    assert "error" not in result, result.get("error")
    installed = tmp_path / "qgis-profiles" / "profiles" / "default" / "python" / "plugins" / PLUGIN
    assert Path(result["plugin_dir"]) == installed.resolve()  # the unpacked zip, not the repository
    assert result["qgis_version"].startswith(version)
    assert result["plugin_loaded"] is True
    assert result["dependency_problems"] == []
    assert result["docks"] == DOCKS
    assert result["docks_visible_after_setup"] == list(DOCKS)
    assert result["menu_titles"] == ["全域土地综合整治"]
    assert result["provider"] == "全域土地综合整治"
    assert len(result["algorithms"]) >= 4 and all(a.startswith("landconsolidation:") for a in result["algorithms"])
    assert result["python_errors"] == [] and result["python_errors_at_end"] == []
    assert result["after_reload"] == {"docks": len(DOCKS), "menus": 1, "provider": True}
    assert result["balance_rows"] > 10 and result["units_rows"] > 0
    assert_not_blank(Path(result["screenshot"]))
    assert (_artefacts() / f"{name}.png").is_file()
