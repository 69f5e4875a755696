"""The real QGIS desktop under Xvfb, with the plugin installed in a throw-away profile.

Starts ``qgis`` (Debian's wrapper) with ``--profiles-path TMP`` and a startup script
(qgis_startup.py) that opens demo layers, checks the plugin and its three docks, takes a
screenshot, unloads and reloads the plugin, writes a JSON result and quits QGIS.
Screenshots are kept in ``$LC_PLUGIN_ARTEFACTS`` (default ./artefacts).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.desktop, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "land_consolidation"
DOCKS = {"LandConsolidationWorkbenchDock": "全域整治工作台"}
TABS = ["单元", "标注", "平衡", "检查", "建议", "进度"]
SCREENS = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
QGIS_TIMEOUT = float(os.environ.get("LC_DESKTOP_TIMEOUT", "240"))


def _artefacts() -> Path:
    path = Path(os.environ.get("LC_PLUGIN_ARTEFACTS", "artefacts")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _require_tools():
    missing = [tool for tool in ("qgis", "xvfb-run", "Xvfb", "xauth") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (bash scripts/setup.sh installs them)")


def make_demo_gpkg(path: Path) -> dict:
    """The demo township (800 parcels) made by the plugin's own generator."""
    from plugin.demo.writer import write_demo_gpkg

    return dict(write_demo_gpkg(str(path), n_parcels=800, seed=42))


def make_profile(profiles: Path, locale: str, plugin_zip: Path | None = None) -> Path:
    """profiles/default with the plugin enabled and the locale set.

    The plugin is a symlink to the repository, or, with ``plugin_zip``, the packaged zip unpacked
    into the profile's plugin folder as QGIS's "Install from ZIP" does.
    """
    profile = profiles / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    if plugin_zip is None:
        (plugins / PLUGIN).symlink_to(ROOT, target_is_directory=True)
    else:
        with zipfile.ZipFile(plugin_zip) as archive:
            archive.extractall(plugins)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(
        "\n".join(
            [
                "[PythonPlugins]",
                f"{PLUGIN}=true",
                "processing=true",
                "[locale]",
                f"userLocale={locale}",
                "overrideFlag=true",
                "[qgis]",
                "checkVersion=false",
                "showTips=false",
                "[core]",
                "NewsFeed\\httpsfeedqgisorg\\disabled=true",
                # QGIS >= 3.28 tries to download fonts its default style names (Open Sans) and
                # puts "font install failed" in the message bar when offline, as in CI
                "[fonts]",
                "downloadMissingFonts=false",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return profile


def _python_path_with_dependencies() -> str:
    """Folders holding shapely and pandas in the test's Python, for QGIS's Python (PYTHONPATH)."""
    import pandas
    import shapely

    folders = []
    for module in (shapely, pandas):
        folder = str(Path(module.__file__).resolve().parent.parent)
        if folder not in folders:
            folders.append(folder)
    return os.pathsep.join(folders)


def run_qgis(tmp_path: Path, name: str, with_dependencies: bool = True, locale: str = "zh-Hans",
             script: str = "qgis_startup.py", extra_env: dict | None = None, screen: str = "1600x1000",
             plugin_zip: Path | None = None) -> dict:
    """Start QGIS with a startup script; returns the JSON it wrote plus run facts."""
    _require_tools()
    artefacts = _artefacts()
    profiles = tmp_path / "qgis-profiles"
    make_profile(profiles, locale, plugin_zip)
    gpkg = tmp_path / "demo.gpkg"
    demo = make_demo_gpkg(gpkg)
    result_path = tmp_path / "result.json"
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # a real X server (Xvfb), not offscreen
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)  # set by pytest-qgis; would override --profiles-path
    env.update(
        {
            "LC_DESKTOP_RESULT": str(result_path),
            "LC_DESKTOP_SHOT": str(artefacts / f"{name}.png"),
            "LC_DESKTOP_ROOT_SHOT": str(artefacts / f"{name}_screen.png"),
            "LC_DEMO_GPKG": str(gpkg),
            "LC_DESKTOP_WAIT": str(QGIS_TIMEOUT - 30),
            "LANG": "zh_CN.UTF-8" if locale.startswith("zh") else "en_US.UTF-8",
            "XDG_RUNTIME_DIR": str(tmp_path / "runtime"),
            "HOME": env.get("HOME", str(tmp_path)),
        }
    )
    env.update(extra_env or {})
    (tmp_path / "runtime").mkdir(mode=0o700)
    env.pop("LC_ALL", None)
    if with_dependencies:
        extra = _python_path_with_dependencies()
        env["PYTHONPATH"] = extra + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    else:
        env.pop("PYTHONPATH", None)
    command = [
        "xvfb-run",
        "-a",
        "-s",
        f"-screen 0 {screen}x24",
        "qgis",
        "--profiles-path",
        str(profiles),
        "--profile",
        "default",
        "--nologo",
        "--noversioncheck",
        "--lang",
        locale,
        "--code",
        str(ROOT / "tests" / "desktop" / script),
    ]
    log_path = artefacts / f"{name}.log"
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True
        )
        try:
            returncode = process.wait(timeout=QGIS_TIMEOUT)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            if process.poll() is None:
                # QGIS hung (or never quit): end its whole process group (xvfb-run, Xvfb, qgis).
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    seconds = round(time.monotonic() - started, 1)
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    assert (
        result_path.exists()
    ), f"QGIS wrote no result (exit {returncode}, {seconds} s); log:\n{log_text[-4000:]}"
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result.update({"returncode": returncode, "seconds_total": seconds, "demo": demo, "log": str(log_path)})
    (artefacts / f"{name}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return result


def assert_not_blank(png: Path) -> None:
    """The PNG exists and shows something: many distinct colours, not one flat fill."""
    from qgis.PyQt.QtGui import QImage

    assert png.is_file(), png
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500, (
        image.width(),
        image.height(),
    )
    colours = set()
    step_x, step_y = max(1, image.width() // 80), max(1, image.height() // 60)
    for x in range(0, image.width(), step_x):
        for y in range(0, image.height(), step_y):
            colours.add(image.pixel(x, y))
    assert len(colours) > 20, f"{png} looks blank ({len(colours)} colours)"


def assert_balance_fits(result: dict, screen: str) -> None:
    """The 平衡 tab as a planner checks it on this screen (qgis_startup._balance_fit).

    The selected unit's indicators, then the whole project's, every row whole inside the table
    (no scrolling) beside a class tree of at least 4 whole rows; the township rows one click away,
    all whole once their tab is open, the indicators still whole; nothing clipped or overlapping,
    the window inside the screen. On 1 920×1 080 the township rows are open without a click.
    """
    width, height = SCREENS[screen]
    fit = result["balance_fit"]
    for key in ("selected", "project", "townships_opened"):
        look = fit[key]
        assert look["clipped"] == [], (key, look)
        assert look["window_height"] <= height and look["window_min_height"] <= height, (key, look)
        assert look["panel_inside_screen"], (key, look)
        assert look["columns_fit"] and all(look["columns_fit"]), (key, "a column cut", look)
        whole, rows = look["indicators"]
        assert rows > 0 and whole == rows, (key, "indicator rows not all whole", look)
        assert look["tree"][0] >= (2 if key == "townships_opened" else 4), (key, look)
    assert fit["project"]["township_tab"] and fit["selected"]["township_tab"] is None, fit
    each = fit["each"]  # every unit's indicators: more rows than fit, but nothing clipped, the window inside
    assert each["clipped"] == [] and each["window_height"] <= height and each["window_min_height"] <= height, each
    assert all(each["columns_fit"]), each
    assert each["indicators"][0] >= min(8, each["indicators"][1]) and each["tree"][0] >= 2, each
    opened = fit["townships_opened"]
    assert not opened["details_folded"] and opened["townships"] is not None, opened
    whole, rows = opened["townships"]
    assert rows > 0 and whole == rows, ("township rows not all whole", opened)
    if height >= 1080:
        assert not fit["project"]["details_folded"] and fit["project"]["tree"][0] >= 8, fit
        assert fit["project"]["townships"][0] == fit["project"]["townships"][1] > 0, fit


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_plugin_in_real_qgis_desktop_zh_cn(tmp_path, qgis_app, screen):
    """A planner's session on a laptop (1 366×768) and a desktop (1 920×1 080) screen."""
    result = run_qgis(tmp_path, f"qgis_desktop_zh_CN_{screen}", screen=screen)
    assert "error" not in result, result.get("error")
    assert result["plugin_loaded"] is True
    assert result["dependency_problems"] == []
    assert result["docks"] == DOCKS  # objectName -> Chinese title
    assert result["docks_visible_before_setup"] == []
    assert result["docks_visible_after_setup"] == list(DOCKS)  # shown when the project is set up
    width, height = SCREENS[screen]
    window = result["window"]
    assert window["minimum_height"] <= height and window["geometry"][3] <= height, window
    assert result["workbench"]["tabs"] == TABS
    for name, view in result["views"].items():
        # on screen when its tab is current, with at least 4 whole rows, no column cut
        assert view["visible"] and view["inside_screen"], (name, view, window)
        assert view["rows_visible"] >= 4, (name, view)
        assert view["columns_fit"], (name, view)
    for name, view in result["views_at_311"].items():
        assert view["width"] <= 330 and view["columns_fit"], (name, view)
    assert result["verdict_strip"]["badge"] in ("达标", "不达标", "预警", "未规划"), result["verdict_strip"]
    assert result["menu_titles"] == ["全域土地综合整治"]
    assert result["provider"] == "全域土地综合整治"
    assert result["layers"]["DLTB"]["valid"] and result["layers"]["DLTB"]["features"] > 0
    assert result["layers"]["ZZDY"]["valid"] and result["layers"]["ZZDY"]["features"] > 0
    assert result["python_errors"] == [] and result["python_errors_at_end"] == []
    assert result["unloaded"] is True
    assert result["after_unload"] == {"docks": 0, "menus": 0, "provider": False}
    assert result["reloaded"] is True
    assert result["after_reload"] == {"docks": 1, "menus": 1, "provider": True}
    assert result["screenshot_saved"] is True
    assert_not_blank(Path(result["screenshot"]))
    assert result["configured"] is True and result["tagged"] == 5
    assert result["balance_rows"] > 10 and result["indicator_rows"] > 0 and result["units_rows"] > 0
    assert sorted(result["tab_screenshots"]) == ["balance", "balance_311", "progress", "progress_chart", "tagging",
                                                 "townships", "units"]
    assert_balance_fits(result, screen)
    for key, path in result["tab_screenshots"].items():
        if key != "progress_chart":  # the chart alone is smaller than a window
            assert_not_blank(Path(path))
    # the progress chart: a bar per life-cycle status, the demo's units counted once each
    progress = result["progress"]
    assert progress["statuses"] == ["储备", "立项", "实施", "验收", "备案"]
    assert sum(progress["units"]) == result["layers"]["ZZDY"]["features"]
    assert progress["chart_visible"] and progress["chart"][0] >= 250 and progress["chart"][1] >= 120
    assert "储备" in progress["tooltip"] and "亩" in progress["tooltip"]
    if result.get("root_screenshot"):
        assert_not_blank(Path(result["root_screenshot"]))
    # the 建议 tab on a failing unit: a ranked list whose plan reaches the rule, in Chinese
    suggest = result["suggest"]
    assert suggest["unit"].startswith("✗ ") and suggest["rows"] > 0, suggest
    assert suggest["reached"] and suggest["plan"] > 0 and "标注" in suggest["summary"], suggest
    assert "若标注前" in suggest["preview"], suggest
    assert_not_blank(Path(suggest["screenshot"]))


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_balance_tab_fits_the_screen_in_english(tmp_path, qgis_app, screen):
    """The planner's checks of the balance tab with QGIS in English: other words, other widths."""
    result = run_qgis(tmp_path, f"qgis_desktop_en_{screen}", locale="en_US", screen=screen)
    assert "error" not in result, result.get("error")
    assert result["docks"] == {"LandConsolidationWorkbenchDock": "Land consolidation workbench"}
    assert result["workbench"]["tabs"][2] == "Balances", result["workbench"]
    assert result["python_errors"] == [] and result["python_errors_at_end"] == []
    for name, view in result["views"].items():
        assert view["visible"] and view["inside_screen"] and view["columns_fit"], (name, view)
        assert view["rows_visible"] >= 4, (name, view)
    for name, view in result["views_at_311"].items():
        assert view["width"] <= 330 and view["columns_fit"], (name, view)
    assert_balance_fits(result, screen)
    assert result["balance_fit"]["project"]["township_tab"].startswith("Townships"), result["balance_fit"]


def test_plugin_without_dependencies_loads_and_explains(tmp_path, qgis_app):
    """QGIS's Python without shapely/pandas: the plugin loads, warns, creates no docks."""
    probe = subprocess.run(
        ["/usr/bin/python3", "-c", "import shapely, pandas"], capture_output=True, check=False, env={}
    )
    if probe.returncode == 0:
        pytest.skip("the system Python has shapely and pandas: nothing to fall back from")
    result = run_qgis(tmp_path, "qgis_desktop_missing_deps", with_dependencies=False)
    assert "error" not in result, result.get("error")
    assert result["plugin_loaded"] is True
    assert result["dependency_problems"] and any("shapely" in p for p in result["dependency_problems"])
    assert result["docks"] == {} and result["provider"] is None
    assert result["menu_titles"] == ["全域土地综合整治"]
    assert result["python_errors"] == []
    assert any("pip install" in text for text in result["message_bar"]), result["message_bar"]


if __name__ == "__main__":  # manual run: python tests/desktop/test_desktop_qgis.py
    sys.exit(pytest.main([__file__, "-v", "-s"]))


def test_exported_plan_opens_styled_in_real_qgis(tmp_path, qgis_app):
    """The hand-over file: its embedded project opens in QGIS with the stored styles."""
    plan = tmp_path / "plan.gpkg"
    demo = tmp_path / "source.gpkg"
    make_demo_gpkg(demo)
    run = subprocess.run(
        [sys.executable, "-m", "plugin.cli", "export", "--parcels", f"{demo}|layername=DLTB",
         "--units", f"{demo}|layername=ZZDY", "--pbf", f"{demo}|layername=YJJBNTTB", "--out", str(plan)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"},
    )
    assert run.returncode == 0, run.stderr
    result = run_qgis(tmp_path, "qgis_exported_plan_zh_CN", script="open_plan_startup.py",
                      extra_env={"LC_PLAN_GPKG": str(plan)})
    assert "error" not in result, result.get("error")
    assert result["project_read"] is True
    layers = result["layers"]
    assert {"units", "parcels", "balance", "indicators"} <= set(layers)
    assert all(layer["valid"] for layer in layers.values())
    assert layers["parcels"]["renderer"] == "categorizedSymbol"
    assert layers["parcels"]["categories"] >= 5  # one colour per remediation type in use
    assert layers["units"]["labels"] is True
    assert layers["parcels"]["features"] > 0
    assert any("整治单元" in name for name in result["names"]), result["names"]  # exported in Chinese
    assert result["canvas_shows_units"] is True, result.get("canvas_scale")  # not an empty map at 1:1
    # the plugin is set up on the file's own layers, under the pack of the export, and shows itself
    assert result["plugin_set_up"] is True and result["rule_pack"] == "national"
    assert result["workbench_visible"] is True
    assert result["shot_size"] == result["screen_size"]  # the whole screen, not a small default window
    assert_not_blank(Path(result["shot"]))
