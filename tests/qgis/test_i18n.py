"""The plugin speaks Chinese on a zh_CN QGIS and English on en_US, through its .qm file."""

from __future__ import annotations

import importlib

import pytest
from qgis.PyQt.QtCore import QCoreApplication, QEvent


def _unload(plugin):
    plugin.unload()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.mark.parametrize(
    ("user_locale", "units", "balance", "menu"),
    [
        ("zh_CN", "整治单元", "面积平衡", "全域土地综合整治"),
        ("zh", "整治单元", "面积平衡", "全域土地综合整治"),
        ("en_US", "Remediation units", "Area balance", "Land Consolidation"),
    ],
)
def test_dock_titles_follow_qgis_locale(
    plugin_package, qgis_iface, clean_locale, user_locale, units, balance, menu
):
    clean_locale.setValue("locale/overrideFlag", True)
    clean_locale.setValue("locale/userLocale", user_locale)
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert plugin.panels["units"].windowTitle() == units
        assert plugin.panels["balance"].windowTitle() == balance
        assert plugin.menu.title() == menu
    finally:
        _unload(plugin)
    # unload removed the translator: tr is English again
    tr = importlib.import_module(plugin_package.__name__ + ".plugin.core.i18n").tr
    assert tr("Remediation units") == "Remediation units"


def test_install_translator_directly(plugin_package, qgis_iface):
    i18n_setup = importlib.import_module(plugin_package.__name__ + ".plugin.i18n_setup")
    tagging_dock = importlib.import_module(plugin_package.__name__ + ".plugin.gui.tagging_dock")
    docks = []

    def dock():
        docks.append(tagging_dock.TaggingPanel(qgis_iface))  # no session given: the dock makes its own
        return docks[-1]

    try:
        assert i18n_setup.install_translator("zh_CN") is True
        assert dock().windowTitle() == "图斑标注"
        assert i18n_setup.install_translator("en_US") is False
        assert dock().windowTitle() == "Parcel tagging"
    finally:
        i18n_setup.teardown()
        for made in docks:
            made.unload()
            made.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def test_cli_locale_from_environment(plugin_package):
    i18n_setup = importlib.import_module(plugin_package.__name__ + ".plugin.i18n_setup")
    tr = importlib.import_module(plugin_package.__name__ + ".plugin.core.i18n").tr
    try:
        assert i18n_setup.setup_for_cli({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
        assert tr("Area balance") == "面积平衡"
        assert i18n_setup.setup_for_cli({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en_US"
        assert tr("Area balance") == "Area balance"
    finally:
        i18n_setup.teardown()


def test_choose_locale_and_qm_lookup(plugin_package):
    i18n_setup = importlib.import_module(plugin_package.__name__ + ".plugin.i18n_setup")
    assert i18n_setup.choose_locale(True, "zh_CN", "en_US") == "zh_CN"
    assert i18n_setup.choose_locale(False, "fr_FR", "en_US") == "fr_FR"
    assert i18n_setup.choose_locale(False, "", "zh_CN") == "zh_CN"
    assert i18n_setup.choose_locale(False, None, None) == "en_US"
    assert i18n_setup.locale_from_environment({}) == "en_US"
    assert i18n_setup.locale_from_environment({"LANGUAGE": "zh_CN:en"}) == "zh_CN"
    assert i18n_setup.locale_from_environment({"LC_MESSAGES": "de_DE.UTF-8@euro", "LANG": "zh_CN"}) == "de_DE"
    assert i18n_setup.qm_path_for("zh-Hans").name == "land_consolidation_zh_CN.qm"
    assert i18n_setup.qm_path_for("zh_TW").name == "land_consolidation_zh_CN.qm"
    assert i18n_setup.qm_path_for("en_US") is None
    assert i18n_setup.qm_path_for("fr") is None


def test_setup_dialog_form_is_translated(plugin_package, qgis_iface):
    """The set-up dialog comes from ui/setup_dialog.ui; its texts must follow the locale too."""
    from qgis.PyQt.QtWidgets import QGroupBox, QLabel

    i18n_setup = importlib.import_module(plugin_package.__name__ + ".plugin.i18n_setup")
    setup_dialog = importlib.import_module(plugin_package.__name__ + ".plugin.gui.setup_dialog")
    session_mod = importlib.import_module(plugin_package.__name__ + ".plugin.gui.session")
    session = session_mod.PlanningSession(qgis_iface, follow_project=False)
    dialogs = []
    try:
        for locale, titles, label in (("zh_CN", ["图层", "字段映射", "规则包",
                                                 "规划数据库（PostgreSQL/PostGIS）"], "政策规则"),
                                      ("en_US", ["Layers", "Field mapping", "Rule pack",
                                                 "Planning database (PostgreSQL/PostGIS)"], "Policy rules")):
            i18n_setup.install_translator(locale)
            dialog = setup_dialog.SetupDialog(session, qgis_iface)
            dialogs.append(dialog)
            assert [box.title() for box in dialog.findChildren(QGroupBox)] == titles
            assert label in [lab.text() for lab in dialog.findChildren(QLabel)]
            assert dialog.objectName() == "LandConsolidationSetupDialog"
            assert dialog.field_table.rowCount() == len(setup_dialog.MAPPED_FIELDS)
    finally:
        i18n_setup.teardown()
        for dialog in dialogs:
            dialog.deleteLater()
        session.unload()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def test_chinese_is_what_the_translator_speaks(plugin_package):
    """core.i18n.chinese() is the one answer for every front end: the .qm installed, not a guess."""
    i18n_setup = importlib.import_module(plugin_package.__name__ + ".plugin.i18n_setup")
    i18n = importlib.import_module(plugin_package.__name__ + ".plugin.core.i18n")
    try:
        assert i18n_setup.install_translator("zh_CN") is True and i18n.chinese() is True
        assert i18n_setup.install_translator("fr_FR") is False and i18n.chinese() is False
        assert i18n_setup.setup_for_cli({"LANG": "zh_CN.UTF-8"}) == "zh_CN" and i18n.chinese() is True
    finally:
        i18n_setup.teardown()
    assert i18n.chinese() is False


def test_chinese_summary_writes_every_area_as_its_area_lines_do(plugin_package):
    """The command line's summary in Chinese: 亩（平方米）in the indicators as in the area lines, never "m²";
    the project's verdict says which units fail."""
    i18n_setup = importlib.import_module(plugin_package.__name__ + ".plugin.i18n_setup")
    engine_mod = importlib.import_module(plugin_package.__name__ + ".plugin.core.engine")
    fields = importlib.import_module(plugin_package.__name__ + ".plugin.core.fields")
    report = importlib.import_module(plugin_package.__name__ + ".plugin.core.report")
    from shapely.geometry import box

    e = engine_mod.BalanceEngine()
    e.build([(1, box(0, 0, 100, 100), fields.normalize_parcel({"DLBM": "0103", "TBMJ": 10000})),
             (2, box(100, 0, 200, 100), fields.normalize_parcel({"DLBM": "0702", "TBMJ": 10000, "ZZLX": "JS-FK",
                                                                  "GHDLBM": "0101"})),
             (3, box(200, 0, 300, 100), fields.normalize_parcel({"DLBM": "0103", "TBMJ": 10000, "ZZLX": "JS-CJ",
                                                                  "GHDLBM": "0702"}))],
            [("a", "A-1", box(0, 0, 200, 100)), ("b", "B-1", box(200, 0, 300, 100))])
    try:
        assert i18n_setup.install_translator("zh_CN") is True
        lines = report.summary_lines(e, chinese=True)
    finally:
        i18n_setup.teardown()
    assert not [line for line in lines if "m²" in line]
    assert [line for line in lines
            if line.startswith("  ✓ 建设用地变化：") and "亩（" in line and "平方米）（要求" in line]
    project = next(i for i, line in enumerate(lines) if line.startswith("全项目："))
    assert lines[project + 1] == "  以下为全项目合计；2 个整治单元中有 1 个未通过：B-1（每个整治单元均须满足平衡要求）"
