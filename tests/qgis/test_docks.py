"""The three docks driven as a planner would (their own slots/methods), headless.

After every step the numbers the balance dock shows (read from its model, in m²) must equal
a fresh full computation (``build_engine`` on the same layer objects, which reads through
the edit buffer): that is what the planner would get by closing and reopening the project.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis_helpers import add_layers

from plugin.adapters.layers import build_engine
from plugin.core.report import structure_rows
from plugin.gui.balance_dock import SCOPE_EACH, SCOPE_PROJECT, SCOPE_SELECTED, BalancePanel
from plugin.gui.session import (
    PlanningSession,
    SessionConfig,
    add_plan_fields,
    detect_layers,
    missing_plan_fields,
)
from plugin.gui.setup_dialog import SetupDialog, apply_config
from plugin.gui.tagging_dock import TaggingPanel, class_choices
from plugin.gui.units_dock import UnitsPanel, next_unit_code

LAYERS = ("DLTB", "ZZDY", "YJJBNTTB", "STBHHX", "CZKFBJ", "XMFW")


@pytest.fixture(scope="module")
def demo_file(make_demo):
    return make_demo(300, 5)  # shared: the tests edit copies of it


@pytest.fixture()
def project(qgis_new_project, demo_file, tmp_path):
    path = tmp_path / "demo.gpkg"
    shutil.copy(demo_file, path)
    project = QgsProject.instance()
    layers = add_layers(path, LAYERS)
    project.test_layers = layers
    yield project
    for layer in layers.values():
        try:
            if layer.isEditable():
                layer.rollBack()
        except RuntimeError:
            pass
    project.clear()


@pytest.fixture()
def ui(project, qgis_iface):
    """Session + the three docks, configured with the auto-detected layers."""
    session = PlanningSession(qgis_iface)
    session.background = False
    docks = {
        "balance": BalancePanel(qgis_iface, session, qgis_iface.mainWindow()),
        "tagging": TaggingPanel(qgis_iface, session, qgis_iface.mainWindow()),
        "units": UnitsPanel(qgis_iface, session, qgis_iface.mainWindow()),
    }
    failures = []
    session.failed.connect(failures.append)
    dialog = SetupDialog(session, qgis_iface)
    config = dialog.config()  # what "Apply" would use: the auto-detected layers
    dialog.deleteLater()
    assert apply_config(session, config, qgis_iface, ask=False)
    settle(session)
    yield session, docks, project.test_layers
    for dock in docks.values():
        dock.unload()
        dock.deleteLater()
    session.unload()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not failures, failures


def settle(session, timeout=30.0):
    deadline = time.monotonic() + timeout
    QCoreApplication.processEvents()
    while session.live is not None and (session.live.pending or session.live.is_rebuilding):
        assert time.monotonic() < deadline
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()


def expected_rows(session, uids):
    fresh, _ = build_engine(session.live.inputs, session.live.pack)
    rows = []
    for uid in uids:
        for r in structure_rows(fresh, uid, False):
            rows.append((uid, r.level, r.code or r.name, r.before_m2, r.after_m2, r.change_m2))
    return fresh, rows


def assert_shows_full_build(dock: BalancePanel, session):
    """The dock's model equals a fresh full computation, for every scope."""
    for scope in (SCOPE_PROJECT, SCOPE_EACH):
        dock.set_scope(scope)
        dock.refresh()
        shown = dock.displayed_rows()
        uids = [None] if scope == SCOPE_PROJECT else None
        fresh, _ = build_engine(session.live.inputs, session.live.pack)
        if uids is None:
            uids = list(fresh.ordered_units())
        _fresh, expected = expected_rows(session, uids)
        assert [r[:3] for r in shown] == [r[:3] for r in expected]
        for got, want in zip(shown, expected):
            assert got[3:] == pytest.approx(want[3:], abs=1e-6), got
        shown_ind = dock.displayed_indicators()
        want_ind = [res.value for uid in uids for res in fresh.evaluate(uid)]
        assert len(shown_ind) == len(want_ind)
        for (_name, got, _passed), want in zip(shown_ind, want_ind):
            assert (got is None) == (want is None) and (want is None or abs(got - want) < 1e-9), (got, want)
    dock.set_scope(SCOPE_PROJECT)


def untagged_in_units(session, layer, prefixes=("03", "04"), n=3):
    engine = session.engine
    out = []
    for f in layer.getFeatures():
        if f["ZZLX"] in (None, "") or str(f["ZZLX"]) == "NULL":
            if str(f["DLBM"]).startswith(prefixes) and engine.parcel_shares(f.id()):
                out.append(f.id())
                if len(out) == n:
                    break
    assert out, "the demo has no untagged parcel of that kind in a unit"
    return out


def project_total_after(dock):
    dock.set_scope(SCOPE_PROJECT)
    return {r[2]: r[4] for r in dock.displayed_rows() if r[1] == 2}


# --------------------------------------------------------------------------- set-up
def test_detects_layers_and_fields(project):
    found = detect_layers(project)
    names = {role: project.mapLayer(i).name() for role, i in found.items()}
    assert names == {"parcels": "DLTB", "units": "ZZDY", "pbf": "YJJBNTTB", "redline": "STBHHX", "ugb": "CZKFBJ"}
    assert missing_plan_fields(project.test_layers["DLTB"]) == []


def test_plan_fields_added_through_the_provider(qgis_new_project):
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4527&field=DLBM:string(5)&field=TBMJ:double", "dltb", "memory")
    assert missing_plan_fields(layer) == ["ZZLX", "GHDLBM", "GHKCXS", "YNCZ"]
    assert add_plan_fields(layer, missing_plan_fields(layer)) == "provider"
    assert missing_plan_fields(layer) == []
    assert not layer.isEditable() and not layer.isModified()
    assert layer.attributeAlias(layer.fields().indexOf("ZZLX")) == "整治类型"
    layer.startEditing()
    layer2 = QgsVectorLayer("MultiPolygon?crs=EPSG:4527&field=DLBM:string(5)", "d2", "memory")
    layer2.startEditing()
    assert add_plan_fields(layer2, ["ZZLX"]) == "buffer"
    assert layer2.fields().indexOf("ZZLX") >= 0
    layer.rollBack()
    layer2.rollBack()


def test_class_picker_is_filtered_by_type():
    codes = [c for c, _label in class_choices(["01"])]
    assert codes == ["0101", "0102", "0103"]
    assert len(class_choices(["*"])) > 40


# --------------------------------------------------------------------------- the planner's session
def test_tag_undo_redo_clear_rollback_commit(ui):
    session, docks, layers = ui
    balance, tagging = docks["balance"], docks["tagging"]
    dltb = layers["DLTB"]
    assert_shows_full_build(balance, session)
    before = project_total_after(balance)

    ids = untagged_in_units(session, dltb)
    dltb.selectByIds(ids)
    tagging.update_summary()
    from plugin.gui.common import chinese

    assert f"{len(ids)}" in tagging.summary_label.text()
    assert ("亩" if chinese() else " mu ") in tagging.summary_label.text()
    tagging.set_type("NY-HF")
    tagging.set_target("0101")
    assert tagging.target_class() == "0101"
    assert tagging.apply_to_selected() == len(ids)
    assert dltb.isEditable()  # the edit session was started for the planner
    assert dltb.undoStack().count() == 1  # one undo step for the whole tagging
    settle(session)
    assert_shows_full_build(balance, session)
    after = project_total_after(balance)
    assert after["0101"] > before["0101"]
    assert session.live.rebuild_count == 1  # applied incrementally

    dltb.undoStack().undo()
    settle(session)
    assert_shows_full_build(balance, session)
    assert project_total_after(balance)["0101"] == pytest.approx(before["0101"], abs=1e-6)
    dltb.undoStack().redo()
    settle(session)
    assert_shows_full_build(balance, session)
    assert project_total_after(balance)["0101"] == pytest.approx(after["0101"], abs=1e-6)

    assert tagging.clear_selected() == len(ids)
    settle(session)
    assert_shows_full_build(balance, session)
    assert all(f["ZZLX"] in (None, "") or str(f["ZZLX"]) == "NULL" for f in dltb.getSelectedFeatures())

    # typed text works like a pick; a class the type may not produce is refused
    tagging.set_type("ST-KS")
    tagging.class_combo.setEditText("0301")
    assert tagging.target_class() == "0301"
    tagging.set_type("NY-TZ")
    assert [tagging.class_combo.itemData(i) for i in range(tagging.class_combo.count())] == ["0101"]
    tagging.ghkcxs_check.setChecked(True)
    tagging.ghkcxs_spin.setValue(0.05)
    tagging.yncz_combo.setCurrentIndex(tagging.yncz_combo.findData("IN"))
    assert tagging.apply_to_selected() == len(ids)
    settle(session)
    assert_shows_full_build(balance, session)
    tagged = list(dltb.getSelectedFeatures())
    assert {(f["ZZLX"], f["GHDLBM"], f["YNCZ"]) for f in tagged} == {("NY-TZ", "0101", "IN")}
    assert all(abs(f["GHKCXS"] - 0.05) < 1e-9 for f in tagged)

    dltb.rollBack()
    settle(session)
    assert_shows_full_build(balance, session)
    assert project_total_after(balance)["0101"] == pytest.approx(before["0101"], abs=1e-6)

    dltb.selectByIds(ids)
    tagging.set_type("NY-HF")
    tagging.set_target("0102")
    tagging.ghkcxs_check.setChecked(False)
    tagging.yncz_combo.setCurrentIndex(0)
    assert tagging.apply_to_selected() == len(ids)
    assert dltb.commitChanges()
    settle(session)
    assert_shows_full_build(balance, session)
    assert {f["GHDLBM"] for f in dltb.getFeatures(ids)} == {"0102"}

    assert tagging.style_parcels()
    assert dltb.renderer().type() == "categorizedSymbol"
    assert dltb.renderer().classAttribute() == "ZZLX"


def test_unit_from_selected_parcels_undo_redo_commit(ui):
    session, docks, layers = ui
    balance, units_dock = docks["balance"], docks["units"]
    dltb, zzdy = layers["DLTB"], layers["ZZDY"]
    n_units = zzdy.featureCount()
    expected_code = next_unit_code(zzdy, "DYBH")
    assert expected_code == f"ZZDY-{n_units + 1:03d}"
    # a few neighbouring parcels outside every unit (else any parcels)
    free = [pid for pid in session.engine.parcel_ids() if not session.engine.parcel_shares(pid)][:4]
    ids = free or session.engine.parcel_ids()[:4]
    dltb.selectByIds(ids)
    fid = units_dock.unit_from_selected(name="新单元")
    assert fid is not None and zzdy.isEditable()
    assert zzdy.undoStack().count() == 1
    settle(session)
    assert_shows_full_build(balance, session)
    units_dock.refresh()
    rows = units_dock.unit_rows()
    assert [r for r in rows if r[0] == expected_code and r[1] == "新单元"]
    assert len(rows) == n_units + 1

    # clicking a row selects the unit and the balance dock follows ("selected unit" scope)
    row = next(r for r in range(units_dock.table.rowCount()) if units_dock.table.item(r, 0).text() == expected_code)
    units_dock._row_clicked(row, 0)
    assert zzdy.selectedFeatureIds() == [fid]
    assert session.current_unit == fid
    balance.set_scope(SCOPE_SELECTED)
    shown = balance.displayed_rows()
    assert shown and {r[0] for r in shown} == {fid}
    _fresh, want = expected_rows(session, [fid])
    assert [r[3:] for r in shown] == [pytest.approx(w[3:], abs=1e-6) for w in want]
    balance.set_scope(SCOPE_PROJECT)

    zzdy.undoStack().undo()
    settle(session)
    assert_shows_full_build(balance, session)
    zzdy.undoStack().redo()
    settle(session)
    assert_shows_full_build(balance, session)
    assert zzdy.commitChanges()
    settle(session)
    assert_shows_full_build(balance, session)
    assert zzdy.featureCount() == n_units + 1


def test_area_units_and_clipboard(ui, tmp_path):
    session, docks, _layers = ui
    balance = docks["balance"]
    balance.set_area_unit("m2")
    m2 = balance.displayed_rows()
    balance.set_area_unit("ha")
    assert balance.displayed_rows() == m2  # only the text changes
    from qgis.PyQt.QtCore import Qt

    tip = balance.model.headerData(1, Qt.Horizontal, Qt.ToolTipRole)
    assert "公顷" in tip or "(ha)" in tip  # the unit, in the header's tooltip and in the copies
    assert all("(ha)" in h or "公顷" in h for h in balance.area_headers())
    text = balance.table_text()
    assert text.count("\n") > 10 and "\t" in text
    balance.copy_to_clipboard()
    from qgis.PyQt.QtWidgets import QApplication

    assert QApplication.clipboard().text() == text
    assert balance.save(str(tmp_path / "balance.csv"))
    assert (tmp_path / "balance.csv").read_text(encoding="utf-8-sig").count("\n") > 10
    assert balance.save(str(tmp_path / "balance.xlsx"))
    import pandas as pd

    sheets = pd.read_excel(tmp_path / "balance.xlsx", sheet_name=None)
    assert len(sheets) == 2
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "balance.xlsx")
    structure, indicators = (book[name] for name in book.sheetnames)
    numbers = [c for row in structure.iter_rows(min_row=2) for c in row if isinstance(c.value, float)]
    assert numbers and {c.number_format for c in numbers} == {"#,##0.0000"}  # hectares shown last
    values = {row[0].value: row[1] for row in indicators.iter_rows(min_row=2)}
    pack = session.engine.pack
    for rule in pack.rules:
        cell = values.get(rule.name(False))
        if cell is not None and isinstance(cell.value, float):
            assert cell.number_format == ("0.00%" if rule.format == "percent" else "#,##0.00"), rule.id


def test_config_round_trips_through_the_project_file(ui, tmp_path):
    session, docks, layers = ui
    project = QgsProject.instance()
    config = SessionConfig(**session.config.as_dict())
    config.rule_pack = "jiangsu"
    config.field_overrides = {"KCXS": "KCXS"}
    apply_config(session, config, ask=False)
    settle(session)
    first_live = session.live
    path = tmp_path / "plan.qgz"
    assert project.write(str(path))
    project.clear()
    assert session.live is None and session.config == SessionConfig()
    assert not first_live.running  # the old live balance was stopped
    assert docks["balance"].displayed_rows() == []
    assert project.read(str(path))
    settle(session)
    assert session.config == config
    assert session.pack.id == "jiangsu"
    assert session.live is not None and session.live is not first_live
    assert session.parcels.name() == "DLTB"
    assert_shows_full_build(docks["balance"], session)
    # a second project after the first: nothing of the first survives
    second = session.live
    project.clear()
    assert not second.running and session.live is None
    assert project.read(str(path))
    settle(session)
    assert session.live is not second and session.live.running
    project.clear()


def test_plugin_shares_one_session_and_unload_leaves_nothing(plugin_package, qgis_iface, project, clean_locale):
    from qgis.PyQt.QtWidgets import QDockWidget

    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()
    try:
        session = plugin.session
        assert session is not None
        assert {id(d.session) for d in plugin.panels.values()} == {id(session)}
        session.background = False
        found = detect_layers(project)
        assert session.apply(SessionConfig(**found))
        settle(session)
        assert plugin.panels["balance"].displayed_rows()
    finally:
        plugin.unload()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        QCoreApplication.processEvents()
    assert plugin.session is None and session.live is None
    docks = [d for d in qgis_iface.mainWindow().findChildren(QDockWidget)
             if d.objectName().startswith("LandConsolidation")]
    assert docks == []
    project.clear()  # no slot of the unloaded session may run (it would raise on deleted objects)


# --------------------------------------------------------------------------- workbench, hand-over, texts
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def use_pack(session, pack_id):
    config = SessionConfig(**session.config.as_dict())
    config.rule_pack = pack_id
    assert apply_config(session, config, ask=False)
    settle(session)
    assert session.pack.id == pack_id


def test_scope_keeps_the_selected_unit_across_a_rule_pack_change(ui):
    session, docks, layers = ui
    balance = docks["balance"]
    uid = session.engine.ordered_units()[1]
    layers["ZZDY"].selectByIds([uid])  # the planner picks a unit on the map
    balance.set_scope(SCOPE_SELECTED)
    settle(session)
    assert balance.scope_units() == [uid]
    shown = balance.displayed_rows()
    assert shown and {r[0] for r in shown} == {uid}
    names_before = [name for name, _v, _p in balance.displayed_indicators()]
    # a selected unit tints, it does not hide the parcels under it (and the project stays clean)
    assert QgsProject.instance().selectionColor().alpha() <= 80
    use_pack(session, "jiangsu")
    assert layers["ZZDY"].selectedFeatureIds() == [uid]
    assert session.current_unit == uid and balance.scope_units() == [uid]
    assert balance.displayed_rows() == shown  # the same unit, the same areas
    names_after = [name for name, _v, _p in balance.displayed_indicators()]
    assert session.pack.rule("pbf_adjust_share").name(False) in names_after  # judged by 江苏's rules now
    assert len(names_after) == len(names_before) + 1
    # its basis is unverified: marked, with the footnote and the reason a planner can read
    row = names_after.index(session.pack.rule("pbf_adjust_share").name(False))
    assert balance.indicator_model.item(row, 1).text().endswith(" *")
    assert not balance.basis_label.isHidden() and "Basis to be verified" in balance.basis_label.text()
    assert "Secondary source" in balance.basis_label.toolTip()
    assert "seed" not in balance.indicator_model.item(row, 1).toolTip()
    layers["ZZDY"].removeSelection()
    assert balance.scope_units() == []


def test_untagged_unit_is_not_planned_rather_than_failed(ui):
    from plugin.gui.workbench import VerdictStrip

    session, docks, layers = ui
    engine = session.engine
    uid = engine.ordered_units()[0]
    code = engine.unit_code(uid)
    layers["DLTB"].selectByIds(sorted(engine.unit_parcel_ids(uid)))
    assert docks["tagging"].clear_selected() > 0  # nothing of this unit is planned any more
    settle(session)
    units = docks["units"]
    units.refresh()
    badges = {row[0]: row[3].split(" · ")[0] for row in units.unit_rows()}  # " · ✗1 ⚠2": data-check counts
    assert badges[code] == "Not planned"
    assert set(badges.values()) - {"Not planned"} <= {"Met", "Not met", "Alert"}
    assert any(text != "Not planned" for text in badges.values())  # the others are still judged
    strip = VerdictStrip(session)
    layers["ZZDY"].selectByIds([uid])
    strip.refresh()
    assert strip.state == "not_planned" and strip.badge.text() == "Not planned"
    assert code in strip.title_label.text()
    # one tagged parcel makes it a planned unit again, judged by the rules
    pid = sorted(engine.unit_parcel_ids(uid))[0]
    layers["DLTB"].selectByIds([pid])
    docks["tagging"].set_type("NY-HF")
    assert docks["tagging"].apply_to_selected() == 1
    settle(session)
    strip.refresh()
    assert strip.state in ("met", "not_met", "alert")
    strip.deleteLater()


def test_class_after_defaults_to_the_types_first_target(ui):
    _session, docks, _layers = ui
    tagging = docks["tagging"]
    assert tagging.current_type is None
    assert tagging.target_class() is None and tagging.class_combo.currentText() == ""  # no 0303 before a type
    for code, first in (("NY-TZ", "0101"), ("NY-KF", "0101"), ("ST-KS", "0301"), ("ST-SD", "1102"),
                        ("ST-AX", "0301")):
        tagging.set_type(code)
        assert tagging.target_class() == first, code
    tagging.set_type("JS-JX")
    assert tagging.target_class().startswith("05")


def test_type_that_does_not_fit_the_class_before_warns(ui):
    session, docks, layers = ui
    tagging = docks["tagging"]
    dltb = layers["DLTB"]
    engine = session.engine
    roads = [f.id() for f in dltb.getFeatures() if str(f["DLBM"]) in ("1006", "1003", "0101")
             and engine.parcel_shares(f.id())][:3]
    assert roads
    classes = {str(f["DLBM"]) for f in dltb.getFeatures(roads)}
    dltb.selectByIds(roads)
    # a type open to any class before (GG-ZL: "sources": ["*"]): no warning
    tagging.set_type("GG-ZL")
    assert tagging.fit_label.isHidden() and tagging.misfits == {}
    # JS-FK only on rural construction land (its "sources" in remediation_types.json)
    tagging.set_type("JS-FK")
    assert not tagging.fit_label.isHidden()
    assert set(tagging.misfits) == classes and sum(tagging.misfits.values()) == len(roads)
    assert all(c in tagging.fit_label.text() for c in classes) and "0702" in tagging.fit_label.text()
    assert tagging.apply_to_selected() == len(roads)  # a warning, not a refusal
    tagging.set_type("GG-ZL")  # a type that fits any class before
    assert tagging.fit_label.isHidden()
    dltb.rollBack()


def test_processing_dialogs_start_from_the_session_set_up(ui):
    from qgis.core import QgsProcessingContext

    from plugin.processing.algorithms.common import PARCELS, RULE_PACK, UNITS, pack_choices
    from plugin.processing.algorithms.export_plan import ExportPlanAlgorithm

    session, _docks, _layers = ui
    use_pack(session, "jiangsu")
    algorithm = ExportPlanAlgorithm().create()  # what the toolbox does when it opens the dialog
    stems = [p.stem for _label, p in pack_choices()]
    assert algorithm.parameterDefinition(RULE_PACK).defaultValue() == stems.index("jiangsu")
    assert algorithm.parameterDefinition(PARCELS).defaultValue() == session.config.parcels
    assert algorithm.parameterDefinition(UNITS).defaultValue() == session.config.units
    assert algorithm.pack({}, QgsProcessingContext()).id == "jiangsu"  # not given: the session's pack
    use_pack(session, "national")
    assert ExportPlanAlgorithm().create().pack({}, QgsProcessingContext()).id == "national"


def test_handover_exports_with_the_session_pack_and_the_plan_opens_set_up(ui, tmp_path, qgis_iface):
    import openpyxl

    from plugin.adapters.gpkg import read_table
    from plugin.gui.handover import HandOver

    session, docks, layers = ui
    use_pack(session, "jiangsu")
    handover = HandOver(qgis_iface, session)
    plan = tmp_path / "plan.gpkg"
    written = handover.export_plan(str(plan))
    assert written == [plan.resolve()], qgis_iface.messageBar().messages
    rules = read_table(plan, "rule_pack")
    assert {r["pack_id"] for r in rules} == {"jiangsu"} and "pbf_adjust_share" in {r["rule_id"] for r in rules}
    assert not any("seed" in (r["source"] or "") for r in rules)

    # the XLSX report: number formats, severity words, citations only
    report = tmp_path / "report.xlsx"
    assert handover.export_report(str(report)) == [report.resolve()]
    book = openpyxl.load_workbook(report)
    assert len(book.sheetnames) == 1 + session.engine.unit_count()
    sheet = book[book.sheetnames[0]]
    areas, percents, severities, sources = [], [], set(), []
    header = None
    for row in sheet.iter_rows():
        values = [c.value for c in row]
        if values[:2] == ["Indicator", "Value"]:
            header = values
            continue
        if header is None:
            areas += [c for c in row[4:10] if isinstance(c.value, float)]
        elif values[0]:
            (percents if values[2] == "%" else areas).append(row[1])
            severities.add(values[5])
            sources.append(values[6])
    assert areas and percents and header is not None
    assert {c.number_format for c in areas} == {"#,##0.00"}  # 3,435.31 — not 3435.3101499555
    assert {c.number_format for c in percents if c.value is not None} == {"0.00%"}
    assert severities <= {"Binding", "Advisory"}
    assert not any("seed" in s or "待核实" in s for s in sources)
    assert any(s.startswith("Basis to be verified: ") for s in sources)  # the unverified pbf_adjust_share

    maps = handover.export_maps(str(tmp_path / "maps"))
    engine = session.engine
    assert sorted(p.name for p in maps) == sorted(f"{engine.unit_code(u)}.pdf" for u in engine.unit_ids())

    # the hand-over file opens with the plugin set up on its own layers, under the same pack
    expected = {(code, cls): (b, a) for code, cls, b, a in session.engine.balance_rows()}
    project = QgsProject.instance()
    project.clear()
    assert project.read(f"geopackage:{plan}?projectName=plan")
    settle(session)
    assert session.configured and session.pack.id == "jiangsu"
    assert session.parcels.source().endswith("layername=parcels")
    assert session.units.source().endswith("layername=units")
    got = {(code, cls): (b, a) for code, cls, b, a in session.engine.balance_rows()}
    assert got.keys() == expected.keys()
    for key, (b, a) in expected.items():
        assert got[key] == pytest.approx((b, a), abs=0.01), key
    project.clear()


def test_english_ui_has_english_rule_names_and_verdicts(ui):
    from qgis.PyQt.QtCore import QLocale

    from plugin.core.rules import available_packs, load_pack
    from plugin.gui.workbench import VerdictStrip

    session, docks, layers = ui
    assert QLocale().name().startswith("en") or QLocale().name() == "C"
    for path in available_packs():
        for rule in load_pack(path).rules:
            assert rule.en and not CJK.search(rule.name(False)), (path.stem, rule.id)
            assert not CJK.search(rule.unverified_reason(False)), (path.stem, rule.id)
    strip = VerdictStrip(session)
    for pack_id in ("jiangsu", "zhejiang", "national"):
        use_pack(session, pack_id)
        units, balance = docks["units"], docks["balance"]
        units.refresh()
        for row in range(units.table.rowCount()):
            badge = units.table.item(row, 3)
            assert not CJK.search(badge.text()) and not CJK.search(badge.toolTip()), badge.toolTip()
        for uid in [*session.engine.ordered_units(), None]:
            if uid is None:
                layers["ZZDY"].removeSelection()
            else:
                layers["ZZDY"].selectByIds([uid])
            strip.refresh()
            for text in (strip.badge.text(), strip.badge.toolTip(), strip.indicators_label.text(), strip.toolTip()):
                assert not CJK.search(text), text
        balance.set_scope(SCOPE_EACH)
        for name, _value, _passed in balance.displayed_indicators():
            assert not CJK.search(name), name
        model = balance.indicator_model
        for r in range(model.rowCount()):
            assert not CJK.search(model.item(r, 4).text())
        balance.set_scope(SCOPE_PROJECT)
    strip.deleteLater()


def test_cancelled_handover_writes_nothing_and_says_so(ui, tmp_path, qgis_iface, monkeypatch):
    from plugin.gui import handover as handover_mod

    session, _docks, _layers = ui
    original = handover_mod._Progress._progress

    def cancel_at_first_step(self, percent):  # the planner clicks Cancel in the progress dialog
        from qgis.PyQt.QtWidgets import QPushButton

        original(self, percent)
        self.dialog.findChild(QPushButton).click()

    monkeypatch.setattr(handover_mod._Progress, "_progress", cancel_at_first_step)
    bar = qgis_iface.messageBar()
    for messages in bar.messages.values():
        messages.clear()
    out = tmp_path / "handover"
    out.mkdir()
    plan = out / "plan.gpkg"
    assert handover_mod.HandOver(qgis_iface, session).export_plan(str(plan)) is None
    assert list(out.iterdir()) == []  # no file, no temporary folder left behind
    assert any("cancel" in m.lower() for m in bar.messages[0]), bar.messages
    assert bar.messages[2] == []  # no critical message: nothing went wrong


def test_duplicate_unit_code_shows_not_assessable_everywhere(ui):
    """Issue 9: a repeated DYBH gives no verdict in the panels (不可评估 with the reason), and
    fixing the code in edit mode brings the verdicts back without a rebuild."""
    import os

    from plugin.gui.workbench import VerdictStrip

    session, docks, layers = ui
    units = layers["ZZDY"]
    feats = sorted(units.getFeatures(), key=lambda f: f.id())
    field = units.fields().indexOf("DYBH")
    first, second = feats[0][field], feats[1][field]
    units.startEditing()
    assert units.changeAttributeValue(feats[1].id(), field, first)
    settle(session)
    panel = docks["units"]
    panel.refresh()
    assert {row[3].split(" · ")[0] for row in panel.unit_rows()} == {"Not assessable"}  # " · ✗1": findings
    strip = VerdictStrip(session)
    strip.refresh()
    assert strip.state == "not_assessable" and strip.badge.text() == "Not assessable"
    balance = docks["balance"]
    balance.refresh() if hasattr(balance, "refresh") else None
    model = balance.indicator_model
    verdicts = {model.item(r, 4).text() for r in range(model.rowCount())}
    assert verdicts == {"Not assessable"}
    assert first in model.item(0, 4).toolTip()
    artefacts = os.environ.get("LC_PLUGIN_ARTEFACTS")
    if artefacts:
        os.makedirs(artefacts, exist_ok=True)
        balance.resize(420, 600)
        balance.grab().save(os.path.join(artefacts, "balance_not_assessable.png"))
        strip.resize(420, 80)
        strip.grab().save(os.path.join(artefacts, "strip_not_assessable.png"))
    assert units.changeAttributeValue(feats[1].id(), field, second)
    settle(session)
    strip.refresh()
    assert strip.state != "not_assessable"
    panel.refresh()
    assert "Not assessable" not in {row[3].split(" · ")[0] for row in panel.unit_rows()}
    strip.deleteLater()
