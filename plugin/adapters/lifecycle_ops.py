"""Status changes on a units layer, for every front end (docs/lifecycle.md).

``set_status`` runs the core's guard (``core.lifecycle.transition``) and writes the new ZT value:
in the dock as one edit command of the units layer's edit buffer (Ctrl+Z takes it back) whose
history row waits in :class:`PendingHistory` until the edits are saved; in Processing and the CLI
as a saved change with its history row written at once.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from qgis.core import QgsVectorLayer

from ..core.acceptance import AcceptanceRow, AcceptanceSettings, compare
from ..core.areas import MU_M2
from ..core.errors import PlanError
from ..core.i18n import tr
from ..core.lifecycle import STATUSES, Transition, normalize_status, settle, transition
from ..core.progress import StatusTotals, UnitProgress, by_status, unit_progress
from .lifecycle_store import HistoryStore, class_field_of, now, read_achieved, unit_statuses, who

ACCEPTANCE_COLUMNS = [("unit_code", "TEXT"), ("zzlx", "TEXT"), ("ghdlbm", "TEXT"), ("planned_m2", "REAL"),
                      ("achieved_m2", "REAL"), ("shortfall_m2", "REAL"), ("shortfall_mu", "REAL"),
                      ("achieved_ratio", "REAL"), ("complete", "INTEGER")]


def acceptance_rows(rows: Sequence[AcceptanceRow]) -> list[tuple]:
    """The acceptance rows as table rows (Processing's sink, the CLI's GeoPackage table)."""
    return [(r.unit_code, r.zzlx, r.ghdlbm, r.planned_m2, r.achieved_m2, r.shortfall_m2, r.shortfall_m2 / MU_M2,
             r.ratio, int(r.ok)) for r in rows]


def find_unit(layer: QgsVectorLayer, code_field: str, code: str) -> int:
    """The feature id of unit ``code``; PlanError when there is none or several."""
    hits = [f.id() for f in layer.getFeatures() if f[code_field] is not None and str(f[code_field]).strip() == code]
    if len(hits) != 1:
        raise PlanError(tr("Unit {0}: {1} units with this code in {2}").format(code, len(hits), layer.name()))
    return hits[0]


def status_index(layer: QgsVectorLayer, status_field: str) -> int:
    idx = layer.fields().indexOf(status_field)
    if idx < 0:
        raise PlanError(tr("The units layer {0} has no status field {1}; add a text field {1} (the units panel's "
                           "layers have it)").format(layer.name(), status_field))
    return idx


def set_status(layer: QgsVectorLayer, code_field: str, status_field: str, code: str, target: str,
               reason: str = "", findings: Iterable | None = None, acceptance: Sequence | None = None,
               store: HistoryStore | None = None, pending: PendingHistory | None = None,
               user: str | None = None) -> Transition:
    """Change unit ``code`` to ``target`` if the guard allows it (else ``TransitionRefused``).

    With ``pending`` (the dock): one edit command in the layer's edit buffer, the row waits for the
    save. Without (Processing, CLI): the change is saved and its row appended to ``store`` at once.
    Units in a planning schema (``store.in_database``): always saved at once, the status and its
    history row in one database transaction, refused when another planner changed the unit since.
    """
    idx = status_index(layer, status_field)
    fid = find_unit(layer, code_field, code)
    current = layer.getFeature(fid)[status_field]
    current = None if current is None or str(current) == "NULL" else str(current)
    row = transition(code, current, target, user or who(), now(), reason, findings, acceptance)
    store = store or (pending.store if pending is not None else HistoryStore(layer))
    if store.in_database:  # PostGIS plan_unit: the status and its row in one transaction, saved at once
        in_group = layer.dataProvider() is not None and layer.dataProvider().transaction() is not None
        store.change(code_field, status_field, current, row, nowait=in_group)  # a group holds its rows
        layer.reload()
        return row
    if pending is not None:
        if not layer.isEditable() and not layer.startEditing():
            raise PlanError(tr("The layer {0} cannot be edited.").format(layer.name()))
        layer.beginEditCommand(tr("Unit {0}: {1} → {2}").format(code, row.from_status, target))
        if not layer.changeAttributeValue(fid, idx, target):
            layer.destroyEditCommand()
            raise PlanError(tr("The status of unit {0} could not be changed in {1}.").format(code, layer.name()))
        layer.endEditCommand()
        pending.note(row, current)
        return row
    was_editing = layer.isEditable()
    if not was_editing and not layer.startEditing():
        raise PlanError(tr("The layer {0} cannot be edited.").format(layer.name()))
    ok = layer.changeAttributeValue(fid, idx, target)
    if not was_editing:
        ok = layer.commitChanges() and ok
    if not ok:
        if not was_editing:
            layer.rollBack()
        raise PlanError(tr("The status of unit {0} could not be saved in {1}: {2}").format(
            code, layer.name(), "; ".join(layer.commitErrors())))
    store.append([row])
    return row


class PendingHistory:
    """History rows of status changes in a layer's edit buffer, written when the edits are saved.

    Undo/redo/rollback are followed through ``core.lifecycle.settle``: at the save, the rows of a unit
    up to the last one that reached its saved status are kept.
    """

    def __init__(self, layer: QgsVectorLayer, code_field: str, status_field: str, store: HistoryStore):
        self.layer, self.code_field, self.status_field, self.store = layer, code_field, status_field, store
        self.rows: dict[str, list[Transition]] = {}
        layer.afterCommitChanges.connect(self.flush)
        layer.afterRollBack.connect(self.clear)

    def disconnect(self) -> None:
        for signal, slot in ((self.layer.afterCommitChanges, self.flush), (self.layer.afterRollBack, self.clear)):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass

    def note(self, row: Transition, before) -> None:
        """A change made now; rows undone before it are dropped first."""
        kept = settle(self.rows.get(row.unit_code, []), normalize_status(before))
        self.rows[row.unit_code] = [*kept, row]

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())

    def clear(self) -> None:
        self.rows = {}

    def flush(self) -> None:
        """After a save: append the rows the saved statuses keep."""
        if not self.rows:
            return
        saved = {}
        for f in self.layer.getFeatures():
            code = f[self.code_field]
            if code is not None and str(code).strip() in self.rows:
                value = f[self.status_field]
                saved[str(code).strip()] = None if value is None or str(value) == "NULL" else str(value)
        keep = [t for code, rows in sorted(self.rows.items()) for t in settle(rows, saved.get(code))]
        self.rows = {}
        self.store.append(sorted(keep, key=lambda t: t.changed_at))


def check_acceptance(engine, layer: QgsVectorLayer, class_field: str | None, crs, pack,
                     units: Sequence[str] | None = None) -> list[AcceptanceRow]:
    """Planned vs achieved (``core.acceptance.compare``) with the achieved layer ``layer``."""
    field = class_field_of(layer, class_field)
    if field is None:
        raise PlanError(tr("The achieved layer {0} has no land-class field {1}").format(
            layer.name(), class_field or "DLBM / GHDLBM"))
    state = read_achieved(layer, field, crs)
    if not len(state):
        raise PlanError(tr("The achieved layer {0} has no polygon with a land class in {1}").format(
            layer.name(), field))
    known = {engine.unit_code(u) for u in engine.unit_ids()}
    unknown = sorted(set(units or ()) - known)
    if unknown:
        raise PlanError(tr("No unit with the code {0}").format(", ".join(unknown)))
    return compare(engine, state, AcceptanceSettings.from_pack(pack), units)


def project_progress(engine, layer: QgsVectorLayer, code_field: str, status_field: str,
                     store: HistoryStore | None = None, acceptance: Sequence[AcceptanceRow] | None = None
                     ) -> tuple[list[UnitProgress], list[StatusTotals], list[Transition]]:
    """Per unit and per status (``core.progress``), and the history they were read with."""
    history = (store or HistoryStore(layer)).read()
    rows = unit_progress(engine, unit_statuses(layer, code_field, status_field), history, acceptance)
    return rows, by_status(rows), history


__all__ = ["ACCEPTANCE_COLUMNS", "STATUSES", "PendingHistory", "acceptance_rows", "check_acceptance", "find_unit",
           "project_progress", "set_status", "status_index"]
