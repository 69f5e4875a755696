"""qgis_process (no GUI, no iface): classFactory(None) + initProcessing() register the provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Debian's /usr/bin/qgis_process wrapper fails ("Command --noversioncheck not known!", QGIS #57683).
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def _env(tmp_path: Path, lang: str) -> dict:
    import pandas
    import shapely

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "land_consolidation").symlink_to(ROOT, target_is_directory=True)
    env = dict(os.environ)
    deps = {str(Path(m.__file__).resolve().parent.parent) for m in (shapely, pandas)}
    env.update(
        {
            "QGIS_PLUGINPATH": str(plugins),
            "QGIS_CUSTOM_CONFIG_PATH": str(tmp_path / "config"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([*sorted(deps), env.get("PYTHONPATH", "")]),
            "LANG": lang,
        }
    )
    env.pop("LC_ALL", None)
    return env


@pytest.mark.parametrize(
    ("lang", "name"), [("en_US.UTF-8", "Land consolidation"), ("zh_CN.UTF-8", "全域土地综合整治")]
)
def test_provider_in_qgis_process(tmp_path, lang, name):
    if not shutil.which(QGIS_PROCESS):
        pytest.skip("qgis_process.bin not installed")
    env = _env(tmp_path, lang)
    enable = subprocess.run(
        [QGIS_PROCESS, "plugins", "enable", "land_consolidation"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert enable.returncode == 0, enable.stdout + enable.stderr
    listing = subprocess.run(
        [QGIS_PROCESS, "--json", "list"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert listing.returncode == 0, listing.stderr
    providers = json.loads(listing.stdout)["providers"]
    assert "landconsolidation" in providers, sorted(providers)
    assert providers["landconsolidation"]["name"] == name
    assert providers["landconsolidation"]["is_active"] is True
    assert "Traceback" not in listing.stderr
