"""How the balance panel shares its height (plugin/gui/balance_layout.py), without QGIS's main window.

The desktop test (tests/desktop, 1 366×768 and 1 920×1 080, zh_CN and en) checks the result on a
real screen; these check the rules behind it: the indicator table is as high as its rows, the
details fold by themselves only until the planner chooses, the choice is kept in the settings.
"""
from __future__ import annotations

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QPoint, Qt
from qgis.PyQt.QtGui import QStandardItem
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QVBoxLayout, QWidget

from plugin.gui.balance_layout import NOTES, SETTINGS, BalanceViews, ElidedLabel, rows_height
from plugin.gui.contiguity_table import ContiguityTable


def _clear_settings():
    settings = QgsSettings()
    for key in ("details_open", "details_height"):
        settings.remove(SETTINGS + key)


@pytest.fixture()
def views(qgis_app):
    _clear_settings()
    made = []

    def make(height: int):
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        view = BalanceViews(host, ContiguityTable)
        view.set_headers(["Before (mu)", "After (mu)", "Change (mu)"])
        layout.addWidget(view)
        for r in range(12):  # a tree longer than any screen
            view.model.appendRow([QStandardItem(f"class {r}")] + [QStandardItem("1.00") for _ in range(3)])
        for r in range(6):
            view.indicator_model.appendRow([QStandardItem(t) for t in ("", f"rule {r}", "1 %", "≥ 0", "met")])
        for r in range(2):
            view.township_model.appendRow([QStandardItem(t) for t in (f"Township {r}", "share", "1 %", "≤ 5 %", "met")])
        host.resize(360, height)
        host.show()
        view.fit(1, "first note\nsecond note")
        _settle()
        made.append(host)
        return view

    yield make
    for host in made:
        host.close()
        host.deleteLater()
    _clear_settings()


def _settle():
    for _ in range(5):
        QCoreApplication.processEvents()


def _whole(view) -> int:
    model, viewport = view.model(), view.viewport().rect()
    return sum(viewport.contains(view.visualRect(model.index(r, 1))) for r in range(model.rowCount()))


def _click_tab(view, index):
    bar = view.details.bar
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(index).center())
    _settle()


def test_every_indicator_row_is_whole_and_the_details_fold_on_a_low_panel(views):
    view = views(360)  # about the balance tab of a 1 366×768 screen
    assert view.indicator_view.height() == rows_height(view.indicator_view, 6)
    assert _whole(view.indicator_view) == 6
    assert view.details.folded and view.details.height() == view.details.header_height()
    assert _whole(view.tree) >= 4
    assert view.details.bar.tabText(0) == "Townships (1)" and view.details.bar.tabText(NOTES) == "Notes (2)"
    _click_tab(view, 0)  # one click opens the township rows, all whole, the indicators still whole
    assert not view.details.folded and view.details.bar.currentIndex() == 0
    assert _whole(view.township_view) == 2 and _whole(view.indicator_view) == 6
    assert _whole(view.tree) >= 1
    assert QgsSettings().value(SETTINGS + "details_open", type=bool) is True


def test_the_details_open_by_themselves_on_a_tall_panel_until_the_planner_folds_them(views):
    view = views(800)  # about the balance tab of a 1 920×1 080 screen
    assert not view.details.folded and view.details.bar.currentIndex() == 0
    assert _whole(view.township_view) == 2 and _whole(view.indicator_view) == 6 and _whole(view.tree) == 12
    assert view.details.height() <= view.details.content_height()  # no empty room: the tree gets it
    _click_tab(view, 0)  # the current tab: folds
    assert view.details.folded
    assert QgsSettings().value(SETTINGS + "details_open", type=bool) is False
    again = views(800)  # a new panel (QGIS restarted): the planner's choice, not the room, decides
    assert again.details.folded
    _click_tab(again, NOTES)  # a click on a folded bar opens it on that tab
    assert not again.details.folded and again.details.bar.currentIndex() == NOTES
    assert "second note" in again.notes_label.text()


def test_the_one_line_note_opens_the_notes_tab(views):
    view = views(360)
    label = ElidedLabel(None, view.show_notes)
    label.set_note("first note\nsecond note " + "long " * 80)
    label.resize(200, 20)
    label.show()
    _settle()
    assert "\n" not in label.text() and label.text().endswith("…") and "second note" in label.toolTip()
    QTest.mouseClick(label, Qt.LeftButton, Qt.NoModifier, QPoint(5, 5))
    _settle()
    assert not view.details.folded and view.details.bar.currentIndex() == NOTES
    label.close()
    label.deleteLater()


def _same_flow_of_tabs(view) -> list:
    """Hide and show the pages as refreshes do; what the bar and the pages show at each step."""
    details, seen = view.details, []

    def state():
        titles = [details.bar.tabText(i) for i in range(details.bar.count()) if details.bar.isTabVisible(i)] \
            if details._native else [details.bar.tabText(i) for i in range(details.bar.count())]
        return titles, details.current_page(), details.stack.currentIndex(), details.isVisibleTo(view)

    seen.append(state())
    view.fit(0, "")  # no township limits, no notes: only the contiguity
    seen.append(state())
    view.fit(3, "one note")  # the townships appear (their tab first), the notes too
    seen.append(state())
    view.show_notes()
    seen.append(state())
    view.fit(3, "")  # the notes go while shown: another page becomes current
    seen.append(state())
    view.fit(0, "a\nb")
    seen.append(state())
    return seen


def test_tabs_hide_and_show_alike_without_qtabbar_set_tab_visible(views, monkeypatch):
    """Qt before 5.15 (QGIS 3.22 on Ubuntu 20.04) has no QTabBar.setTabVisible: the hidden pages' tabs
    are taken out of the bar and put back, with the same titles, current page and stack as Qt 5.15+."""
    from plugin.gui import balance_layout

    native = _same_flow_of_tabs(views(800))
    monkeypatch.setattr(balance_layout, "TAB_VISIBILITY", False)
    old = views(800)
    assert not old.details._native
    assert _same_flow_of_tabs(old) == native
    assert native[1][0] == ["Contiguity"] and native[2][0][0] == "Townships (3)" and native[2][1] == 0
    assert native[3][1] == NOTES and native[4][1] != NOTES and native[5][0] == ["Contiguity", "Notes (2)"]
    _click_tab(old, 1)  # a click on the second tab of the bar (the notes) shows the notes page
    assert old.details.current_page() == NOTES and old.details.stack.currentWidget() is old.notes


def test_a_bad_stored_details_height_is_ignored(qgis_app):
    QgsSettings().setValue(SETTINGS + "details_height", "tall")
    try:
        view = BalanceViews(None, ContiguityTable)
        assert view._details_height == 0
        view.deleteLater()
    finally:
        _clear_settings()
