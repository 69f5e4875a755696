"""How the balance panel shares its height on a laptop screen (1 366×768) and on a large one.

A vertical splitter of three parts:

* the land use structure tree — takes whatever height is left (stretch), at least a few rows;
* the indicator table — as high as its rows, so a planner sees every indicator of the unit without
  scrolling: at least ``FIXED_ROWS`` whole, all of them while the tree keeps ``TREE_ROWS`` rows
  (the unit-by-unit scope can have more; they scroll);
* the details — the township PBF limits (乡镇, whole project only), the contiguity (集中连片) and
  the notes (提示, wrapped) as tabs under one tab bar that folds away (click the current tab or the arrow). Folded, the
  tree gets the height. Until the planner folds or opens it, it opens only where the tree keeps
  ``COMFORT_ROWS`` rows beside it (so: folded on 1 366×768, open on 1 920×1 080); the planner's
  choice and the height they dragged it to are kept in the QGIS settings.

:class:`ElidedLabel` keeps the notes (unassessed parcels, …) to one line under the tables; a click
opens the 提示 tab.
"""

from __future__ import annotations

from typing import Callable, Optional

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QStandardItemModel
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core.i18n import tr

SETTINGS = "land_consolidation/balance/"
FIXED_ROWS = 8  # the indicator table shows at least this many rows whole (all, when it has no more)
TREE_ROWS = 4  # the indicator table grows beyond FIXED_ROWS only while the tree keeps this many rows
COMFORT_ROWS = 8  # the tree rows kept beside the open details before they open by themselves
DETAIL_ROWS = 8  # rows of a detail table shown whole when opened; more scroll
NOTES = 2  # the index of the Notes tab of the details


def shown_rows(view: QTreeView) -> int:
    """Rows of ``view`` a planner can see by scrolling (expanded children included)."""
    model = view.model()
    if model is None or model.rowCount() == 0:
        return 0
    count, index = 0, model.index(0, 0, view.rootIndex())
    while index.isValid() and count < 10_000:
        count += 1
        index = view.indexBelow(index)
    return count


def rows_height(view: QTreeView, rows: int) -> int:
    """Height of ``view`` showing its header and ``rows`` whole rows, without vertical scrolling."""
    model = view.model()
    row = view.sizeHintForRow(0) if model is not None and model.rowCount() else -1
    if row <= 0:
        row = view.fontMetrics().height() + 4
    header = 0 if view.isHeaderHidden() else view.header().sizeHint().height()
    bar = view.horizontalScrollBar()
    scroll = bar.sizeHint().height() if bar.isVisible() else 0
    return header + rows * row + 2 * view.frameWidth() + scroll


def read_only_tree(parent: QWidget, name: str, model: QStandardItemModel) -> QTreeView:
    view = QTreeView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setTextElideMode(Qt.ElideRight)
    view.setWordWrap(False)
    return view


class ElidedLabel(QLabel):
    """A note in one line, elided, with the whole text in its tooltip; a click calls ``on_click``
    (the balance panel opens its Notes tab, where the whole text wraps)."""

    def __init__(self, parent: Optional[QWidget] = None, on_click: Optional[Callable[[], None]] = None):
        super().__init__(parent)
        self._text = ""
        self._on_click = on_click
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens the dock
        self.setCursor(Qt.PointingHandCursor)

    def set_note(self, text: str) -> None:
        self._text = text
        self.setToolTip(text + ("\n\n" + tr("Click to read the whole note in the Notes tab.") if text else ""))
        self.setVisible(bool(text))  # no empty line under the tables
        self._show()

    def note(self) -> str:
        return self._text

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        if self._on_click is not None and self._text:
            self._on_click()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show()

    def _show(self) -> None:
        first = self._text.replace("\n", " · ")
        width = max(40, self.contentsRect().width())
        super().setText(self.fontMetrics().elidedText(first, Qt.ElideRight, width))


def page_height(page: QWidget, rows: Optional[int] = None) -> int:
    """Height a detail page needs for ``rows`` rows (None: all), or, for a note, its wrapped lines."""
    if isinstance(page, QTreeView):
        return rows_height(page, shown_rows(page) if rows is None else min(rows, shown_rows(page)))
    label = page.widget()
    line = label.fontMetrics().lineSpacing()
    width = max(100, page.viewport().width())
    text = label.heightForWidth(width) if label.text() else line
    lines = max(1, -(-text // line))
    return min(lines, DETAIL_ROWS if rows is None else rows) * line + 2 * page.frameWidth() + 4


#: QTabBar.setTabVisible / isTabVisible: Qt 5.15+ (QGIS 3.22 builds on Qt 5.12 exist: Ubuntu 20.04)
TAB_VISIBILITY = hasattr(QTabBar, "setTabVisible")


class DetailTabs(QWidget):
    """Pages under one tab bar that folds away: clicking the current tab or the arrow folds or opens.
    Pages are numbered as added; a hidden page's tab is hidden (Qt 5.15+) or, on older Qt, removed
    from the bar and inserted again (then tab positions differ from page numbers: use the methods)."""

    def __init__(self, parent: Optional[QWidget], on_toggled: Callable[[bool], None]):
        super().__init__(parent)
        self.setObjectName("balanceDetails")
        self._on_toggled = on_toggled
        self.folded = False
        self._native = TAB_VISIBILITY
        self._titles: list[str] = []
        self._shown: list[bool] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.setSpacing(2)
        self.bar = QTabBar(self)
        self.bar.setObjectName("balanceDetailTabs")
        self.bar.setExpanding(False)
        self.bar.setDocumentMode(True)
        self.bar.setElideMode(Qt.ElideRight)
        self.bar.setUsesScrollButtons(True)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("balanceDetailsToggle")
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip(tr("Show or hide the township limits and the contiguity"))
        self.toggle.clicked.connect(lambda: self.set_folded(not self.folded, by_hand=True))
        top.addWidget(self.bar, 1)
        top.addWidget(self.toggle)
        layout.addLayout(top)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack, 1)
        self.bar.currentChanged.connect(self._page_changed)
        self.bar.tabBarClicked.connect(self._tab_clicked)
        self._sync_arrow()

    def add_page(self, widget: QWidget, title: str) -> int:
        self.stack.addWidget(widget)
        self._titles.append(title)
        self._shown.append(True)
        self.bar.addTab(title)
        return len(self._titles) - 1

    def _tab(self, page: int) -> int:
        """The bar's position of ``page`` (-1: hidden on older Qt)."""
        if self._native:
            return page
        return sum(self._shown[:page]) if self._shown[page] else -1

    def _page(self, tab: int) -> int:
        """The page at the bar's position ``tab`` (-1: none)."""
        if self._native or tab < 0:
            return tab
        shown = [i for i, s in enumerate(self._shown) if s]
        return shown[tab] if tab < len(shown) else -1

    def page_shown(self, page: int) -> bool:
        return self.bar.isTabVisible(page) if self._native else self._shown[page]

    def page_title(self, page: int) -> str:
        return self._titles[page]

    def current_page(self) -> int:
        return self._page(self.bar.currentIndex())

    def show_page(self, page: int) -> None:
        if self.page_shown(page):
            self.bar.setCurrentIndex(self._tab(page))

    def set_page_shown(self, index: int, shown: bool, title: str = "") -> None:
        if title:
            self._titles[index] = title
        if self._native:
            if title:
                self.bar.setTabText(index, title)
            self.bar.setTabVisible(index, shown)
        elif shown != self._shown[index]:  # older Qt: the tab taken out of the bar or put back
            tab = self._tab(index)
            self._shown[index] = shown
            if shown:
                self.bar.insertTab(self._tab(index), self._titles[index])
            else:
                self.bar.removeTab(tab)
        elif shown and title:
            self.bar.setTabText(self._tab(index), title)
        if not shown and self.current_page() == index:
            others = [i for i in range(len(self._titles)) if i != index and self.page_shown(i)]
            if others:
                self.show_page(others[0])
        self.setVisible(any(self.page_shown(i) for i in range(len(self._titles))))

    def header_height(self) -> int:
        return max(self.bar.sizeHint().height(), self.toggle.sizeHint().height())

    def content_height(self, capped: bool = True) -> int:
        """Header plus the current page with all its rows (``capped``: at most ``DETAIL_ROWS``)."""
        page = self.stack.currentWidget()
        return self.header_height() + (page_height(page, DETAIL_ROWS if capped else None) if page else 0)

    def _page_changed(self, index: int) -> None:
        if self._page(index) >= 0:
            self.stack.setCurrentIndex(self._page(index))
        self.fit()
        if not self.folded:
            self._on_toggled(False)  # the splitter gives the new page its rows

    def _tab_clicked(self, index: int) -> None:
        if self.folded:
            self.set_folded(False, by_hand=True)
        elif index == self.bar.currentIndex():
            self.set_folded(True, by_hand=True)

    def set_folded(self, folded: bool, by_hand: bool = False) -> None:
        changed = folded != self.folded
        self.folded = folded
        self.stack.setVisible(not folded)
        self._sync_arrow()
        self.fit()
        if changed or by_hand:
            self._on_toggled(by_hand)

    def fit(self) -> None:
        """Folded: only the tab bar's height; open: no more than the pages' rows need."""
        pages = [self.stack.widget(i) for i in range(self.stack.count())]
        for page in pages:  # a page may be as low as one row (the splitter keeps the rest for the tree)
            page.setMinimumHeight(rows_height(page, 1) if isinstance(page, QTreeView) else page_height(page, 1))
        if self.folded:
            self.setMinimumHeight(self.header_height())
            self.setMaximumHeight(self.header_height())
        else:
            self.setMinimumHeight(self.header_height() + max(page.minimumHeight() for page in pages))
            self.setMaximumHeight(max(self.minimumHeight(), self.content_height(capped=False)))

    def _sync_arrow(self) -> None:
        self.toggle.setArrowType(Qt.UpArrow if self.folded else Qt.DownArrow)


class BalanceViews(QSplitter):
    """The tree, the indicator table and the details of the balance panel, sharing the height."""

    def __init__(self, parent: QWidget, contiguity: Callable[[QWidget], QTreeView]):
        super().__init__(Qt.Vertical, parent)
        self.setObjectName("balanceSplitter")
        settings = QgsSettings()
        shown = settings.value(SETTINGS + "details_open", None)
        self._chosen: Optional[bool] = None if shown in (None, "") else str(shown).lower() in ("true", "1")
        try:  # a value stored by hand, or by another version: not a reason to fail the panel
            self._details_height = max(0, int(settings.value(SETTINGS + "details_height", 0) or 0))
        except (TypeError, ValueError):
            self._details_height = 0
        self.model = QStandardItemModel(0, 4, self)
        self.tree = read_only_tree(self, "structureTree", self.model)
        self.indicator_model = QStandardItemModel(0, 5, self)
        self.indicator_view = read_only_tree(self, "indicatorTable", self.indicator_model)
        self.indicator_view.setRootIsDecorated(False)
        self.details = DetailTabs(self, self._details_toggled)
        self.township_model = QStandardItemModel(0, 5, self)  # the township PBF limits (docs/domain.md §7)
        self.township_view = read_only_tree(self.details, "townshipTable", self.township_model)
        self.township_view.setRootIsDecorated(False)
        self.township_view.setAlternatingRowColors(False)
        self.contiguity_view = contiguity(self.details)  # 集中连片
        self.notes = QScrollArea(self.details)  # the whole notes, wrapped
        self.notes.setObjectName("balanceNotes")
        self.notes.setWidgetResizable(True)
        self.notes_label = QLabel(self.notes)
        self.notes_label.setWordWrap(True)
        self.notes_label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.notes_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.notes_label.setStyleSheet("color: #8a5a00;")
        self.notes.setWidget(self.notes_label)
        self.details.add_page(self.township_view, tr("Townships"))
        self.details.add_page(self.contiguity_view, tr("Contiguity"))
        self.details.add_page(self.notes, tr("Notes"))
        self.details.set_page_shown(0, False)
        self.details.set_page_shown(NOTES, False)
        self.setChildrenCollapsible(False)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 0)
        self.setStretchFactor(2, 0)
        self.splitterMoved.connect(self._moved)
        self.details.set_folded(self._chosen is not True)  # until _choose finds the room

    # ------------------------------------------------------------------ headers
    def set_headers(self, area_headers: list) -> None:
        """Short headers: the numbers and the class names need the dock's width; the unit is in the
        area-unit box above and in the headers' tooltips."""
        self.model.setHorizontalHeaderLabels([tr("Land class"), tr("Before"), tr("After"), tr("Change")])
        for column, text in enumerate(area_headers, 1):
            self.model.setHeaderData(column, Qt.Horizontal, text, Qt.ToolTipRole)
        self.indicator_model.setHorizontalHeaderLabels(
            [tr("Unit"), tr("Indicator"), tr("Value"), tr("Target"), tr("Result")])
        self.indicator_model.setHeaderData(3, Qt.Horizontal, tr("Requirement"), Qt.ToolTipRole)
        self.township_model.setHorizontalHeaderLabels(
            [tr("Township"), tr("Indicator"), tr("Value"), tr("Target"), tr("Result")])
        for view in (self.tree, self.indicator_view, self.township_view):
            header = view.header()
            header.setSectionResizeMode(QHeaderView.ResizeToContents)
            header.setStretchLastSection(False)
            header.setDefaultAlignment(Qt.AlignCenter)
            header.setMinimumSectionSize(30)
        # the names give way to the numbers (elided, full text in the tooltip)
        self.tree.header().setSectionResizeMode(0, QHeaderView.Stretch)
        self.indicator_view.header().setSectionResizeMode(0, QHeaderView.Stretch)  # the unit (each unit only)
        self.indicator_view.header().setSectionResizeMode(1, QHeaderView.Stretch)
        self.township_view.header().setSectionResizeMode(1, QHeaderView.Stretch)

    # ------------------------------------------------------------------ heights
    def show_notes(self) -> None:
        """Open the details on the Notes tab (a click on the one-line note under the tables)."""
        if self.details.page_shown(NOTES):
            self.details.show_page(NOTES)
            self.details.set_folded(False, by_hand=True)

    def fit(self, townships: int, notes: str) -> None:
        """Size the parts to their rows after a refresh (``townships``: how many townships are shown;
        ``notes``: the panel's notes, one a line)."""
        self.notes_label.setText(notes)
        count = len(notes.splitlines())
        self.details.set_page_shown(NOTES, bool(notes), tr("Notes ({0})").format(count) if notes else "")
        for view in (self.tree, self.indicator_view, self.township_view):
            view.header().resizeSections(QHeaderView.ResizeToContents)
        title = tr("Townships ({0})").format(townships) if townships else tr("Townships")
        appearing = bool(townships) and not self.details.page_shown(0)
        self.details.set_page_shown(0, bool(townships), title)
        if appearing:  # the township limits are rules: their tab first
            self.details.show_page(0)
        self.township_view.setVisible(bool(townships))
        rows = shown_rows(self.indicator_view)
        self.indicator_view.setMinimumHeight(rows_height(self.indicator_view, min(rows, FIXED_ROWS)))
        self.indicator_view.setMaximumHeight(rows_height(self.indicator_view, rows))
        self.tree.setMinimumHeight(rows_height(self.tree, 2))
        self.details.fit()
        self._choose()
        self._share()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._choose()

    def _choose(self) -> None:
        """Open or fold the details by themselves until the planner has chosen."""
        if self._chosen is not None or self.details.isHidden():
            return
        handles = 2 * self.handleWidth()
        need = (rows_height(self.tree, COMFORT_ROWS) + self.indicator_view.minimumHeight()
                + self.details.content_height() + handles)
        fold = self.height() < need
        if fold != self.details.folded:
            self.details.set_folded(fold)

    def _details_toggled(self, by_hand: bool) -> None:
        if by_hand:
            self._chosen = not self.details.folded
            QgsSettings().setValue(SETTINGS + "details_open", self._chosen)
        self._share()

    def _share(self) -> None:
        """Heights after a change of rows or of the details: the indicator table within its bounds,
        the details folded to their tab bar or at the height last dragged to (else their rows'),
        the tree the rest (never under its minimum)."""
        sizes = self.sizes()
        shown = not self.details.isHidden()
        avail = self.height() - self.handleWidth() * (2 if shown else 1)
        if len(sizes) != 3 or avail <= 0:
            return
        view = self.indicator_view
        details = 0
        if shown:
            want = self.details.header_height() if self.details.folded else (
                self._details_height or self.details.content_height())
            details = min(want, self.details.maximumHeight(),
                          avail - view.minimumHeight() - self.tree.minimumHeight())
            details = max(details, self.details.minimumHeight())
        # the indicator table takes all its rows while the tree keeps TREE_ROWS; never under FIXED_ROWS
        table = min(view.maximumHeight(), avail - details - rows_height(self.tree, TREE_ROWS))
        table = max(view.minimumHeight(), table)
        self.setSizes([max(self.tree.minimumHeight(), avail - table - details), table, details])

    def _moved(self, _pos: int, _index: int) -> None:
        if not self.details.folded:
            self._details_height = self.sizes()[2]
            QgsSettings().setValue(SETTINGS + "details_height", self._details_height)


__all__ = ["BalanceViews", "DetailTabs", "ElidedLabel", "rows_height", "shown_rows"]
