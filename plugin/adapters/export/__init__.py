"""Export the plan as one self-describing GeoPackage (or one per unit).

What a file holds (``export_plan``):

* ``units``   the chosen remediation units with all their fields, plus ``area_m2`` and
  ``area_mu`` measured on the CGCS2000 ellipsoid;
* ``parcels`` every parcel of those units, clipped at the unit boundary, with TBMJ, KCMJ
  and TBDLMJ apportioned by the engine's own share (so they add up to the balance), the
  三调 and plan fields, the unit code ``DYBH`` and the ``share``;
* ``balance``, ``indicators`` (the same tables as the ``balance`` command) and
  ``rule_pack`` (the rules the indicators were judged by);
* ``farmland_patches`` and ``farmland_patch_stats`` (集中连片, ``patches``);
* ``unit_status_history`` — the status history of the exported units (docs/lifecycle.md);
* each layer's style as its default in ``layer_styles``, a QGIS project ``plan`` in
  ``qgis_projects``, and metadata (title, planner, date, plugin version, sources and
  their CRS) in ``gpkg_metadata`` and in the QGIS layer metadata.

The modules (docs/architecture.md, "The export"): ``plan`` (the writer and its entry points),
``parcels`` (the parcels table and the copier interface), ``copiers`` (the copiers in the order
they are tried, and the choice), ``copy_sql`` / ``copy_features`` (the copiers), ``geometry``,
``ogr_fields``, ``metadata``, ``patches`` (集中连片), ``project`` (styles, layer metadata and the embedded project) and
``progress``. Styles live in ``adapters/styles.py``, finishing and validation in ``adapters/gpkg.py``.

How the parcels are written: OGR creates every layer (QgsVectorFileWriter is several times
slower on 10^5 parcels). When the parcel layer is an unedited GeoPackage table (the usual
case), ``parcels`` is then filled in SQL (``copy_sql.SqlCopier``). Otherwise (pending edits,
a shapefile, a memory layer…) the parcels are copied feature by feature: with
``SetFromWithMap`` from an OGR source (``OgrCopier``), or through QGIS (``QgisCopier``, the
edit buffer). All give the same table. Layers are written in their source layer's CRS.

Safety: each file is built under its final name in a hidden temporary folder next to the
target (the project inside refers to ``./<name>.gpkg``), validated, then moved into place
with ``os.replace``. Nothing is moved before every file of a batch is complete; a
cancelled or failed export leaves no file behind and the old ones untouched.
"""
from __future__ import annotations

from .plan import check_targets, export_plan, write_plan
from .progress import ExportCancelled

__all__ = ["ExportCancelled", "check_targets", "export_plan", "write_plan"]
