"""One log: the core's Python logging reaches QGIS's message log under the plugin's tag while the plugin runs."""

from __future__ import annotations

import importlib
import json
import logging

from qgis.core import Qgis


def test_core_records_go_to_the_message_log_between_install_and_remove(qgis_app, logged):
    from plugin.adapters import log
    from plugin.core.log import logger

    log.install_handler()
    log.install_handler()  # a second start (plugin reload) adds no second handler
    try:
        logger().warning("PBF layer has no field YNCZ")
        logger().info("rule pack national 2024 loaded")
        logger().error("the engine state is inconsistent")
    finally:
        log.remove_handler()
    logger().warning("after unload")
    ours = [(text, level) for tag, text, level in logged if tag == log.LOG_TAG]
    assert ours == [("PBF layer has no field YNCZ", Qgis.Warning), ("rule pack national 2024 loaded", Qgis.Info),
                    ("the engine state is inconsistent", Qgis.Critical)]
    assert not [h for h in logging.getLogger("land_consolidation").handlers if isinstance(h, log.MessageLogHandler)]


def test_a_gbk_rule_pack_is_noted_in_the_log(qgis_app, logged, tmp_path):
    from plugin.adapters import log
    from plugin.core.rules import PACK_DIR, load_pack

    data = json.loads((PACK_DIR / "national.json").read_text(encoding="utf-8"))
    data["id"] = "gbk_pack"
    path = tmp_path / "gbk_pack.json"
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("gbk"))
    log.install_handler()
    try:
        assert load_pack(path).id == "gbk_pack"
    finally:
        log.remove_handler()
    assert any(tag == log.LOG_TAG and "GBK" in text for tag, text, _level in logged)


def test_the_plugin_installs_the_handler_and_unload_removes_it(plugin_package, qgis_iface, clean_locale):
    log = importlib.import_module(plugin_package.__name__ + ".plugin.adapters.log")
    core_log = importlib.import_module(plugin_package.__name__ + ".plugin.core.log")

    def ours():
        return [h for h in core_log.logger().handlers if isinstance(h, log.MessageLogHandler)]

    plugin = plugin_package.classFactory(qgis_iface)
    try:
        assert len(ours()) == 1
    finally:
        plugin.unload()
    assert ours() == []


def test_one_home_of_the_log_tag():
    """No module but adapters/log.py defines a log tag or calls QgsMessageLog itself."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "plugin"
    found = [str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "log.py"
             and any(s in p.read_text(encoding="utf-8") for s in ("QgsMessageLog.logMessage", "LOG_TAG ="))]
    assert found == []
