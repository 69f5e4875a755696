"""Metadata of the plan file: title, planner, date, plugin version, rule pack, sources and their CRS.

Written three ways: GDAL dataset and layer metadata (``gpkg_metadata``), QGIS layer metadata
(with the styles) and the embedded project's metadata.
"""
from __future__ import annotations

import configparser
import datetime as _dt
from dataclasses import dataclass

from qgis.core import QgsApplication, QgsLayerMetadata, QgsVectorLayer

from ...core.i18n import tr
from ...core.rules import RulePack
from ...paths import METADATA
from ..layers import Inputs
from ..postgis.connection import redact


def plugin_version() -> str:
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(METADATA, encoding="utf-8")
    return cp.get("general", "version", fallback="unknown")


@dataclass
class PlanMetadata:
    title: str
    author: str
    date: str
    version: str
    pack: str
    sources: list[tuple[str, str, str]]  # (role, source, CRS)

    def gdal_items(self) -> dict[str, str]:
        items = {"TITLE": self.title, "AUTHOR": self.author, "DATE": self.date,
                 "PLUGIN": f"Land Consolidation Planner {self.version}", "RULE_PACK": self.pack,
                 "AREA_UNIT": "m2 (TBMJ, KCMJ, TBDLMJ apportioned by share; area_mu in mu = 10000/15 m2)"}
        for role, src, crs in self.sources:
            items[f"SOURCE_{role.upper()}"] = src
            items[f"SOURCE_{role.upper()}_CRS"] = crs
        return items

    def layer_items(self, abstract: str) -> list[tuple[str, str]]:
        """GDAL metadata items of one layer."""
        return [("PLAN_TITLE", self.title), ("ABSTRACT", abstract), ("AUTHOR", self.author), ("DATE", self.date)]

    def layer_metadata(self, layer: QgsVectorLayer, abstract: str) -> QgsLayerMetadata:
        md = QgsLayerMetadata()
        md.setIdentifier(layer.name())
        md.setTitle(self.title)
        md.setAbstract(abstract)
        md.setType("dataset")
        md.setCrs(layer.crs())
        contact = QgsLayerMetadata.Contact(self.author)
        contact.role = "author"
        md.addContact(contact)
        md.setKeywords({"gmd:topicCategory": ["planningCadastre"], "land consolidation": ["全域土地综合整治"]})
        md.setHistory([tr("Exported on {0} by Land Consolidation Planner {1} (rule pack {2})").format(
            self.date, self.version, self.pack)] + [tr("Source {0}: {1} ({2})").format(role, src, crs)
                                                      for role, src, crs in self.sources])
        return md


def plan_metadata(inputs: Inputs, pack: RulePack, title: str | None, author: str | None,
                  codes: list[str]) -> PlanMetadata:
    """The metadata of a file holding the units ``codes`` (a title and the planner by default)."""
    if not title:
        shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
        title = tr("Land consolidation plan: {0}").format(shown)
    if not author:
        author = QgsApplication.userFullName() or QgsApplication.userLoginName() or ""
    sources = []
    for role, layer in (("parcels", inputs.parcels), ("units", inputs.units), ("pbf", inputs.pbf)):
        if layer is not None:
            # no password in the hand-over: QGIS strips it from its own providers' sources, not from GDAL's PG:…
            sources.append((role, redact(layer.publicSource()), layer.crs().authid() or layer.crs().description()))
    return PlanMetadata(title, author, _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                        plugin_version(), f"{pack.id} {pack.version}", sources)
