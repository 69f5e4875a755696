"""Which layers of a QGIS project play which role, and the plan fields of a parcel layer.

Split from ``session.py`` (which re-exports these names): recognising the 三调 DLTB, units, PBF,
red line and growth boundary layers of a project by name and fields (``detect_layers``), adding
the plan fields ZZLX / GHDLBM / GHKCXS / YNCZ a parcel layer lacks (``add_plan_fields``), and the
selection style that keeps the parcels under a selected unit visible.
"""

from __future__ import annotations

from typing import Any, Optional

from qgis.core import Qgis, QgsField, QgsMapLayer, QgsProject, QgsVectorLayer

from ..adapters.layers import InputError
from ..adapters.qgis_compat import POLYGON_GEOMETRY, make_field
from ..core.fields import PLAN_FIELDS, default_mapping, resolve_parcel_fields, resolve_unit_fields
from ..core.i18n import tr

#: Layer names (upper-case) and Chinese aliases that identify each role when auto-detecting.
ROLE_NAMES = {
    "units": ("ZZDY", "整治单元", "XMQ", "项目区", "PQ", "片区"),
    "pbf": ("YJJBNTTB", "YJJBNT", "永久基本农田", "永久基本农田图斑", "PBF"),
    "redline": ("STBHHX", "生态保护红线", "REDLINE"),
    "ugb": ("CZKFBJ", "城镇开发边界", "UGB"),
    "parcels": ("DLTB", "地类图斑"),
}


# --------------------------------------------------------------------------- detection
def polygon_layers(project: QgsProject) -> list[QgsVectorLayer]:
    return [lyr for lyr in project.mapLayers().values()
            if isinstance(lyr, QgsVectorLayer) and lyr.isValid()
            and lyr.geometryType() == POLYGON_GEOMETRY]


def layer_words(layer: QgsVectorLayer) -> set[str]:
    words = {layer.name().upper()}
    source = layer.source().upper()
    if "LAYERNAME=" in source:
        words.add(source.split("LAYERNAME=")[1].split("|")[0])
    return words


def parcel_layer_score(layer: QgsVectorLayer) -> int:
    """How much a layer looks like a 三调 DLTB layer (0 = not at all): DLBM is required."""
    fm = resolve_parcel_fields(layer.fields().names())
    if not fm.parcels.get("DLBM"):
        return 0
    score = 10
    for name in ("TBMJ", "KCXS", "KCMJ", "TBDLMJ", "BSM", "DLMC", "ZLDWDM"):
        if fm.parcels.get(name):
            score += 2
    if layer_words(layer) & {n.upper() for n in ROLE_NAMES["parcels"]}:
        score += 5
    return score


def detect_layers(project: Optional[QgsProject] = None) -> dict[str, str]:
    """Best guess of the layer id per role (roles with no candidate are left out)."""
    project = project or QgsProject.instance()
    layers = polygon_layers(project)
    found: dict[str, str] = {}
    scored = sorted(((parcel_layer_score(lyr), lyr.id()) for lyr in layers), reverse=True)
    if scored and scored[0][0] > 0:
        found["parcels"] = scored[0][1]
    for role in ("units", "pbf", "redline", "ugb"):
        names = {n.upper() for n in ROLE_NAMES[role]}
        for lyr in layers:
            if lyr.id() in found.values():
                continue
            if layer_words(lyr) & names:
                found[role] = lyr.id()
                break
    if "units" not in found:  # a layer with a unit-code field
        for lyr in layers:
            if lyr.id() not in found.values() and resolve_unit_fields(lyr.fields().names()).get("DYBH"):
                found["units"] = lyr.id()
                break
    return found


def missing_plan_fields(layer: QgsVectorLayer, overrides: Optional[dict] = None) -> list[str]:
    """Canonical plan fields (ZZLX, GHDLBM, GHKCXS, YNCZ) the parcel layer lacks."""
    fm = resolve_parcel_fields(layer.fields().names(), overrides)
    return [name for name in PLAN_FIELDS if not fm.plan.get(name)]


def plan_qgs_fields(names: list[str]) -> list[QgsField]:
    """QgsFields for the plan fields, typed as field_mapping.json says, with Chinese aliases."""
    spec = default_mapping()["plan"]
    out = []
    for name in names:
        s = spec[name]
        if s.get("type") == "double":
            f = make_field(name, "double", "double", 10, 4)
        else:
            f = make_field(name, "string", "text", int(s.get("length", 20)))
        f.setAlias(s.get("alias_zh", ""))
        out.append(f)
    return out


def add_plan_fields(layer: QgsVectorLayer, names: list[str]) -> str:
    """Add the missing plan fields; returns "provider" or "buffer" (how they were added).

    Through the data provider when the layer is not being edited: a schema change is not
    an edit the planner should be able to roll back together with tags (a rollback would
    otherwise take the fields away under the live balance), and it is saved at once.
    When the layer is already in an edit session its buffer holds pending changes whose
    attribute indexes must stay consistent, so the fields go into the edit buffer and are
    saved with the planner's next "save edits".
    """
    fields = plan_qgs_fields(names)
    if not fields:
        return ""
    if layer.isEditable():
        for f in fields:
            if not layer.addAttribute(f):
                raise InputError(tr("Cannot add the field {0} to the layer {1}.").format(f.name(), layer.name()))
        how = "buffer"
    else:
        caps = layer.dataProvider().capabilities()
        if not caps & layer.dataProvider().AddAttributes:
            raise InputError(tr("The layer {0} does not allow new fields; save it as a GeoPackage first.")
                             .format(layer.name()))
        if not layer.dataProvider().addAttributes(fields):
            raise InputError(tr("Cannot add the plan fields to the layer {0}: {1}")
                             .format(layer.name(), "; ".join(layer.dataProvider().errors())))
        layer.updateFields()
        how = "provider"
    for f in fields:
        idx = layer.fields().indexOf(f.name())
        if idx >= 0 and f.alias():
            layer.setFieldAlias(idx, f.alias())
    return how


SELECTION_ALPHA = 80  # of the selection colour: parcels stay visible under a selected unit


def keep_parcels_visible(project: QgsProject, iface: Any, units: Optional[QgsVectorLayer]) -> None:
    """A selection style that does not hide what lies under it.

    QGIS fills a selected polygon with opaque yellow: a selected unit (how the planner says which
    unit they work on) would hide the parcels they are about to tag. The project's selection
    colour gets a low alpha (the project's dirty flag is left as it was: nothing to save), and
    where QGIS has per-layer selection symbols (3.34+) the units layer gets an outline only.
    """
    colour = project.selectionColor()
    if colour.isValid() and colour.alpha() > SELECTION_ALPHA:
        dirty = project.isDirty()
        colour.setAlpha(SELECTION_ALPHA)
        project.setSelectionColor(colour)
        project.setDirty(dirty)
        canvas = iface.mapCanvas() if iface is not None and hasattr(iface, "mapCanvas") else None
        if canvas is not None and hasattr(canvas, "setSelectionColor"):
            canvas.setSelectionColor(colour)
    properties = getattr(units, "selectionProperties", None) if units is not None else None
    if callable(properties):  # QGIS >= 3.34
        from qgis.core import QgsFillSymbol

        symbol = QgsFillSymbol.createSimple({"style": "no", "outline_color": "255,212,0,255",
                                             "outline_width": "1.2"})
        props = properties()
        props.setSelectionSymbol(symbol)
        mode = getattr(getattr(Qgis, "SelectionRenderingMode", None), "CustomSymbol", None)
        if mode is not None:
            props.setSelectionRenderingMode(mode)


def layer_is_polygon(layer: Optional[QgsMapLayer]) -> bool:
    return isinstance(layer, QgsVectorLayer) and layer.geometryType() == POLYGON_GEOMETRY
