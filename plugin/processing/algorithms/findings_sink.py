"""Findings (core.checks) into a Processing feature sink: one polygon feature per finding."""
from __future__ import annotations

from qgis.core import QgsFeature, QgsFeatureSink, QgsProcessingException

from ...adapters.qgis_compat import WKB_MULTIPOLYGON
from ...core.i18n import tr
from .common import qgs_geometry, table_fields

FINDING_COLUMNS = [("severity", "TEXT"), ("code", "TEXT"), ("message", "TEXT"), ("unit_code", "TEXT"),
                   ("feature_id", "TEXT"), ("area_m2", "REAL")]


def _row(f) -> list:
    return [f.severity, f.code, f.message, f.unit_code, None if f.parcel_id is None else str(f.parcel_id), f.area]


def write_findings(alg, parameters, name: str, context, findings, crs, feedback, columns=FINDING_COLUMNS,
                   row=_row) -> str:
    """One feature per finding; ``columns`` and ``row(finding)`` say which attributes."""
    sink, dest = alg.sink(parameters, name, context, table_fields(columns),
                                     WKB_MULTIPOLYGON, crs)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    for f in findings:
        alg.check_cancel(feedback)
        feat = QgsFeature()
        feat.setGeometry(qgs_geometry(f.geometry))
        feat.setAttributes(row(f))
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest


def report(feedback, findings) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    for f in findings[:200]:
        (feedback.reportError(f.message, False) if f.severity == "error" else feedback.pushInfo(f.message))
    if len(findings) > 200:
        feedback.pushInfo(tr("… and {0} more findings (see the output layer)").format(len(findings) - 200))
    feedback.pushInfo(tr("{0} errors, {1} warnings").format(errors, warnings))
    return errors, warnings
