"""Field mapping: from whatever a bureau's DLTB calls its fields to the canonical 三调 names.

Mappings are data (``resources/field_mapping.json``). Real files have lower-case names,
no TBDLMJ, TBMJ in 亩; :func:`normalize_parcel` turns one row of raw values into a
:class:`ParcelRecord` with every area in m² and the derived fields filled.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

from .areas import MU_M2
from .landclasses import RIDGE, default_table
from .legacy_codes import ISSUE_PREFIX, WORKING_PREFIX, legacy, translate, working_code_base
from .resources import resource_path
from .validation import finite, valid_area, valid_coefficient

PARCEL_FIELDS_REQUIRED = ("DLBM",)
PLAN_FIELDS = ("ZZLX", "GHDLBM", "GHKCXS", "YNCZ")
# the canonical fields a ParcelRecord is made of (what normalize_parcel reads): the adapters fetch only these
RECORD_FIELDS = ("BSM", "DLBM", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "ZZLX", "GHDLBM", "GHKCXS", "YNCZ",
                 "GDPDJB", "GDLX", "ZLDWDM", "XZDWMJ", "LXDWMJ")
PBF_OUT, PBF_IN = "OUT", "IN"
NO_GRADE = "NEW_FARMLAND_NO_GRADE"  # issue noted by normalize_parcel (validation.sanitised_warnings words it)


@lru_cache(maxsize=1)
def default_mapping() -> dict:
    with open(resource_path("field_mapping.json"), encoding="utf-8") as f:
        return json.load(f)


@dataclass
class FieldMap:
    """Canonical name -> the layer's actual field name (None when the layer lacks it)."""

    parcels: dict[str, str | None] = field(default_factory=dict)
    plan: dict[str, str | None] = field(default_factory=dict)
    tbmj_in_mu: bool = False

    def missing_required(self) -> list[str]:
        return [name for name in PARCEL_FIELDS_REQUIRED if not self.parcels.get(name)]

    def source_fields(self) -> list[str]:
        """Every layer field this map reads, in a stable order."""
        names = [n for n in list(self.parcels.values()) + list(self.plan.values()) if n]
        return list(dict.fromkeys(names))


def _match(candidates: Iterable[str], available: Mapping[str, str]) -> str | None:
    for cand in candidates:
        hit = available.get(cand.upper())
        if hit:
            return hit
    return None


def resolve_parcel_fields(
    layer_fields: Iterable[str], overrides: Mapping[str, str] | None = None, tbmj_in_mu: bool = False
) -> FieldMap:
    """Match the layer's field names (case-insensitively) to the canonical ones."""
    available = {name.upper(): name for name in layer_fields}
    mapping = default_mapping()
    fm = FieldMap(tbmj_in_mu=tbmj_in_mu)
    for canonical, candidates in mapping["parcels"].items():
        fm.parcels[canonical] = _match(candidates, available)
    for canonical, spec in mapping["plan"].items():
        fm.plan[canonical] = _match(spec["names"], available)
    for canonical, actual in (overrides or {}).items():
        target = fm.plan if canonical in fm.plan else fm.parcels
        target[canonical] = available.get(actual.upper(), actual) if actual else None
    return fm


def resolve_unit_fields(layer_fields: Iterable[str], code_field: str | None = None) -> dict[str, str | None]:
    available = {name.upper(): name for name in layer_fields}
    result = {c: _match(cands, available) for c, cands in default_mapping()["units"].items()}
    if code_field:
        result["DYBH"] = available.get(code_field.upper())
    return result


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.upper() in ("NULL", "NONE"):
        return None
    return text


def _bsm(value: Any) -> str | None:
    """A parcel's survey id; placeholders ("0", "000…", "-") are no id: features carrying one are
    not pieces of one survey parcel (docs/domain-area-rules.md)."""
    text = _text(value)
    if text is None or not text.strip("0-_. "):
        return None
    return text


def _number(value: Any) -> float | None:
    return finite(value)


@lru_cache(maxsize=64)
def _pbf_action(raw: str) -> str | None:
    values = default_mapping()["plan"]["YNCZ"]["values"]
    for action, spellings in values.items():
        if raw.upper() in (s.upper() for s in spellings):
            return action
    return None


class ParcelRecord:
    """One parcel's attributes as the engine needs them; areas in m²."""

    __slots__ = ("bsm", "dlbm", "gdlx", "gdpdjb", "ghdlbm", "ghkcxs", "kcdlbm", "kcmj", "kcxs", "tbdlmj", "tbmj",
                 "yncz", "zldwdm", "zzlx")

    def __init__(self, dlbm=None, tbmj=None, kcxs=None, kcmj=None, kcdlbm=None, tbdlmj=None,
                 zzlx=None, ghdlbm=None, ghkcxs=None, yncz=None, bsm=None, gdpdjb=None, gdlx=None, zldwdm=None):
        self.dlbm: str | None = dlbm
        self.tbmj: float | None = tbmj
        self.kcxs: float | None = kcxs
        self.kcmj: float | None = kcmj
        self.kcdlbm: str | None = kcdlbm
        self.tbdlmj: float | None = tbdlmj
        self.zzlx: str | None = zzlx
        self.ghdlbm: str | None = ghdlbm
        self.ghkcxs: float | None = ghkcxs
        self.yncz: str | None = yncz
        self.bsm: str | None = bsm
        self.gdpdjb: str | None = gdpdjb  # 耕地坡度级别 "1"…"5" (docs/domain.md §6: 田坎 of new farmland)
        self.gdlx: str | None = gdlx  # 耕地类型 "TT" 梯田 / "PD" 坡地
        self.zldwdm: str | None = zldwdm  # 坐落单位代码; its first 9 digits are the township

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, s) for s in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParcelRecord) and self.as_tuple() == other.as_tuple()

    def __repr__(self) -> str:
        body = ", ".join(f"{s}={getattr(self, s)!r}" for s in self.__slots__ if getattr(self, s) is not None)
        return f"ParcelRecord({body})"

    @property
    def planned(self) -> bool:
        """A parcel is part of the plan once any plan field is set; untagged parcels keep their class."""
        return self.zzlx is not None or self.ghdlbm is not None or self.ghkcxs is not None


def normalize_parcel(values: Mapping[str, Any], tbmj_in_mu: bool = False, issues: list | None = None) -> ParcelRecord:
    """Canonical raw values (keys DLBM, TBMJ, …) -> a clean record with derived areas.

    Missing KCMJ = TBMJ × KCXS; missing KCXS = KCMJ / TBMJ; missing TBDLMJ = TBMJ − KCMJ.
    A NULL TBMJ stays None: the adapter fills it from the ellipsoidal geometry area.
    Unusable values (validation.py: TBMJ ≤ 0, not finite or absurd; KCXS/GHKCXS ∉ [0, 1);
    KCMJ < 0 or > TBMJ; TBDLMJ < 0 or > TBMJ) are treated as missing, never used; their
    canonical names are appended to ``issues`` when given.
    """
    scale = MU_M2 if tbmj_in_mu else 1.0
    bad = issues if issues is not None else []
    tbmj = _number(values.get("TBMJ"))
    kcmj = _number(values.get("KCMJ"))
    tbdlmj = _number(values.get("TBDLMJ"))
    if tbmj is not None:
        tbmj *= scale
    if kcmj is not None:
        kcmj *= scale
    if tbdlmj is not None:
        tbdlmj *= scale
    if values.get("TBMJ") is not None and not valid_area(tbmj):
        tbmj = None
        bad.append("TBMJ")
    kcxs = _number(values.get("KCXS"))
    if values.get("KCXS") is not None and not valid_coefficient(kcxs):
        kcxs = None
        bad.append("KCXS")
    ghkcxs = _number(values.get("GHKCXS"))
    if values.get("GHKCXS") is not None and not valid_coefficient(ghkcxs):
        ghkcxs = None
        bad.append("GHKCXS")
    if tbmj is None:  # values that only make sense against a TBMJ wait for the measured area
        if values.get("KCMJ") is not None and (kcmj is None or kcmj < 0):
            kcmj = None
            bad.append("KCMJ")
        if values.get("TBDLMJ") is not None and (tbdlmj is None or tbdlmj < 0):
            tbdlmj = None
            bad.append("TBDLMJ")
        kcdlbm = _text(values.get("KCDLBM"))
        return _legacy_codes(_record(values, None, kcxs, kcmj, kcdlbm, tbdlmj, ghkcxs), values, bad)
    had_kcmj, had_tbdlmj = values.get("KCMJ") is not None, values.get("TBDLMJ") is not None
    if tbdlmj is None:
        tbdlmj = _net_of_linear(values, tbmj, kcmj, kcxs, scale)
    rec = with_area(_record(values, None, kcxs, kcmj, _text(values.get("KCDLBM")), tbdlmj, ghkcxs), tbmj, bad,
                    had_kcmj, had_tbdlmj)
    return _legacy_codes(rec, values, bad)


def _net_of_linear(values: Mapping[str, Any], tbmj: float, kcmj, kcxs, scale: float) -> float | None:
    """二调 TBDLMJ = TBMJ − TKMJ − XZDWMJ − LXDWMJ: the areas of the linear and point features (线状地物,
    零星地物) crossing the parcel count in their own classes (the survey's XZDW layer), not in the
    parcel's (docs/domain.md §4). None without either field (TBDLMJ is then TBMJ − KCMJ)."""
    linear = [_number(values.get(k)) for k in ("XZDWMJ", "LXDWMJ")]
    linear = [v * scale for v in linear if v is not None and v > 0]
    if not linear:
        return None
    ridge = kcmj if kcmj is not None else (tbmj * kcxs if kcxs is not None else 0.0)
    net = tbmj - (ridge if 0.0 <= ridge <= tbmj else 0.0) - sum(linear)
    return net if net >= 0.0 else None


def _legacy_codes(rec: ParcelRecord, values: Mapping[str, Any], bad: list) -> ParcelRecord:
    """Second-survey (二调) codes read as their third-survey class; each is noted as ``2D:<code>``.

    Only codes stored as text: a number 101 is a 三调 0101 that lost its leading zero, not 二调 101
    铁路用地 (validation refuses a layer whose codes are all unknown, and says so)."""
    for name in ("dlbm", "kcdlbm"):
        code = getattr(rec, name)
        if code is not None and isinstance(values.get(name.upper()), str) and legacy(code) is not None:
            entry = legacy(code)  # one-to-one codes are listed together, the others one by one
            bad.append(ISSUE_PREFIX + ("" if entry.one_to_one else entry.code))
            target = translate(code)
            if target is not None:
                setattr(rec, name, target)
    table = default_table()
    if rec.dlbm is not None and working_code_base(rec.dlbm, table.is_known) is not None \
            and not table.is_known(rec.dlbm):
        bad.append(WORKING_PREFIX + rec.dlbm.strip().upper())
    if rec.ghdlbm is not None and rec.ghkcxs is None and rec.gdpdjb is None and table.is_known(rec.dlbm) \
            and table.is_farmland(table.resolve(rec.ghdlbm)) and not table.is_farmland(table.resolve(rec.dlbm)):
        bad.append(NO_GRADE)  # new farmland whose 田坎 no table can give (docs/domain.md §6)
    return rec


def _record(values: Mapping[str, Any], tbmj, kcxs, kcmj, kcdlbm, tbdlmj, ghkcxs) -> ParcelRecord:
    yncz = _text(values.get("YNCZ"))
    return ParcelRecord(
        dlbm=_text(values.get("DLBM")),
        tbmj=tbmj,
        kcxs=kcxs,
        kcmj=kcmj,
        kcdlbm=kcdlbm,
        tbdlmj=tbdlmj,
        zzlx=_text(values.get("ZZLX")),
        ghdlbm=_text(values.get("GHDLBM")),
        ghkcxs=ghkcxs,
        yncz=_pbf_action(yncz) if yncz else None,
        bsm=_bsm(values.get("BSM")),
        gdpdjb=_grade(values.get("GDPDJB")),
        gdlx=_upper(values.get("GDLX")),
        zldwdm=_text(values.get("ZLDWDM")),
    )


def _grade(value: Any) -> str | None:
    """耕地坡度级别 as "1"…"5" (read as text or as a number); anything else is no grade."""
    text = _text(value)
    if text is None:
        return None
    number = finite(text)
    if number is not None and number == int(number) and 1 <= number <= 5:
        return str(int(number))
    return None


def _upper(value: Any) -> str | None:
    text = _text(value)
    return text.upper() if text is not None else None


def with_area(rec: ParcelRecord, tbmj: float, issues: list | None = None, had_kcmj: bool | None = None,
              had_tbdlmj: bool | None = None) -> ParcelRecord:
    """``rec`` with TBMJ set (read, or measured from the geometry) and the derived areas filled.

    KCMJ < 0 or > TBMJ and TBDLMJ < 0 or > TBMJ are treated as missing (listed in ``issues``).
    """
    bad = issues if issues is not None else []
    kcmj, kcxs, tbdlmj = rec.kcmj, rec.kcxs, rec.tbdlmj
    if kcmj is not None and not 0.0 <= kcmj <= tbmj:
        kcmj = None
        if had_kcmj is not False:
            bad.append("KCMJ")
    if kcmj is None and kcxs is not None:
        kcmj = tbmj * kcxs
    if kcxs is None and kcmj is not None and tbmj:
        kcxs = kcmj / tbmj
    if tbdlmj is not None and not 0.0 <= tbdlmj <= tbmj:
        tbdlmj = None
        if had_tbdlmj is not False:
            bad.append("TBDLMJ")
    if tbdlmj is None:
        tbdlmj = tbmj - (kcmj or 0.0)
    kcdlbm = rec.kcdlbm
    if kcdlbm is None and kcmj:
        kcdlbm = RIDGE
    return ParcelRecord(dlbm=rec.dlbm, tbmj=tbmj, kcxs=kcxs, kcmj=kcmj, kcdlbm=kcdlbm, tbdlmj=tbdlmj,
                        zzlx=rec.zzlx, ghdlbm=rec.ghdlbm, ghkcxs=rec.ghkcxs, yncz=rec.yncz, bsm=rec.bsm,
                        gdpdjb=rec.gdpdjb, gdlx=rec.gdlx, zldwdm=rec.zldwdm)


# the text rules above, for adapters that apply them to a database's distinct values (postgis)
text_value = _text
survey_bsm = _bsm
pbf_action = _pbf_action
