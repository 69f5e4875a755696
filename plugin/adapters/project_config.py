"""The plugin's configuration stored in a QGIS project (custom entries, scope ``LandConsolidation``).

The planner's choice of layers (by layer id), field mapping and rule pack travels with the
project file, so reopening it restores the live balance. Read by the planning session
(GUI), written by it and by the demo builder (headless).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from qgis.core import QgsProject

SCOPE = "LandConsolidation"
ROLES = ("parcels", "units", "pbf", "redline", "ugb")
@dataclass
class SessionConfig:
    """What the planner chose in the project set-up; layer references are layer ids."""

    parcels: str = ""
    units: str = ""
    pbf: str = ""
    redline: str = ""
    ugb: str = ""
    field_overrides: dict = field(default_factory=dict)
    rule_pack: str = "national"  # a bundled pack id or the path of a JSON file
    tbmj_in_mu: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.parcels and self.units)

    def write(self, project: QgsProject) -> None:
        for role in ROLES:
            project.writeEntry(SCOPE, f"layers/{role}", getattr(self, role) or "")
        project.writeEntry(SCOPE, "field_overrides", json.dumps(self.field_overrides, ensure_ascii=False))
        project.writeEntry(SCOPE, "rule_pack", self.rule_pack or "national")
        project.writeEntryBool(SCOPE, "tbmj_in_mu", bool(self.tbmj_in_mu))

    @classmethod
    def read(cls, project: QgsProject) -> SessionConfig:
        config = cls()
        for role in ROLES:
            value, _ok = project.readEntry(SCOPE, f"layers/{role}", "")
            setattr(config, role, value or "")
        raw, ok = project.readEntry(SCOPE, "field_overrides", "{}")
        try:
            overrides = json.loads(raw) if ok and raw else {}
        except ValueError:
            overrides = {}
        config.field_overrides = {str(k): str(v) for k, v in overrides.items()} if isinstance(overrides, dict) else {}
        pack, _ok = project.readEntry(SCOPE, "rule_pack", "national")
        config.rule_pack = pack or "national"
        config.tbmj_in_mu, _ok = project.readBoolEntry(SCOPE, "tbmj_in_mu", False)
        return config

    def as_dict(self) -> dict:
        return asdict(self)
