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


NUMBER_FIELDS = ("TBMJ", "KCMJ", "TBDLMJ", "KCXS", "GHKCXS", "XZDWMJ", "LXDWMJ")
NAN = float("nan")


def _pick(cond, a, b):
    """``a if cond else b`` of one value: the ``where`` of :func:`area_rules` on scalars."""
    return a if cond else b


def _no(cond):
    return cond ^ True  # not, for a bool and element-wise for a numpy bool array


def area_rules(v: Mapping[str, Any], present: Mapping[str, Any], scale: float, where=_pick) -> tuple[dict, list]:
    """The area rules of a parcel, once for one value and for columns (core/fields_columns.py).

    ``v``: the finite value of each of :data:`NUMBER_FIELDS` (NaN for none: NULL, not a number,
    not finite); ``present``: whether the field held a value at all (not NULL). Floats and bools
    for one parcel, numpy arrays for many (``where=numpy.where``). Returns the areas in m²
    (``tbmj kcmj tbdlmj kcxs ghkcxs``, NaN for none, ``ridge``: KCDLBM defaults to 田坎) and the
    issues ``[(field, mask)]`` in the order :func:`normalize_parcel` notes them.

    Unusable values (validation.py: TBMJ ≤ 0, not finite or absurd; KCXS/GHKCXS ∉ [0, 1);
    KCMJ < 0 or > TBMJ; TBDLMJ < 0 or > TBMJ) are treated as missing, never used.
    """
    tbmj, kcmj, tbdlmj = v["TBMJ"] * scale, v["KCMJ"] * scale, v["TBDLMJ"] * scale
    bad_t = present["TBMJ"] & _no(valid_area(tbmj))
    tbmj = where(bad_t, NAN, tbmj)
    kcxs, ghkcxs = v["KCXS"], v["GHKCXS"]
    bad_kx = present["KCXS"] & _no(valid_coefficient(kcxs))
    kcxs = where(bad_kx, NAN, kcxs)
    bad_gx = present["GHKCXS"] & _no(valid_coefficient(ghkcxs))
    ghkcxs = where(bad_gx, NAN, ghkcxs)
    has_t = tbmj == tbmj
    # no TBMJ: values that only make sense against one wait for the measured area (with_area)
    bad_ka = _no(has_t) & present["KCMJ"] & _no(kcmj >= 0.0)
    bad_da = _no(has_t) & present["TBDLMJ"] & _no(tbdlmj >= 0.0)
    net = _net_of_linear(v, tbmj, kcmj, kcxs, scale, where)
    full = with_area_rule(tbmj, kcmj, kcxs, where(tbdlmj == tbdlmj, tbdlmj, net), present["KCMJ"],
                          present["TBDLMJ"], where)
    out = {"tbmj": tbmj, "kcxs": where(has_t, full["kcxs"], kcxs), "ghkcxs": ghkcxs,
           "kcmj": where(has_t, full["kcmj"], where(bad_ka, NAN, kcmj)),
           "tbdlmj": where(has_t, full["tbdlmj"], where(bad_da, NAN, tbdlmj)),
           "ridge": has_t & full["ridge"]}
    issues = [("TBMJ", bad_t), ("KCXS", bad_kx), ("GHKCXS", bad_gx),
              ("KCMJ", where(has_t, full["bad_kcmj"], bad_ka)), ("TBDLMJ", where(has_t, full["bad_tbdlmj"], bad_da))]
    return out, issues


def _net_of_linear(v: Mapping[str, Any], tbmj, kcmj, kcxs, scale: float, where):
    """二调 TBDLMJ = TBMJ − TKMJ − XZDWMJ − LXDWMJ: the areas of the linear and point features (线状地物,
    零星地物) crossing the parcel count in their own classes (the survey's XZDW layer), not in the
    parcel's (docs/domain.md §4). NaN without either field (TBDLMJ is then TBMJ − KCMJ)."""
    xz, lx = v["XZDWMJ"], v["LXDWMJ"]
    linear = where(xz > 0.0, xz * scale, 0.0) + where(lx > 0.0, lx * scale, 0.0)
    ridge = where(kcmj == kcmj, kcmj, where(kcxs == kcxs, tbmj * kcxs, 0.0))
    net = tbmj - where((ridge >= 0.0) & (ridge <= tbmj), ridge, 0.0) - linear
    return where(((xz > 0.0) | (lx > 0.0)) & (net >= 0.0), net, NAN)


def with_area_rule(tbmj, kcmj, kcxs, tbdlmj, had_kcmj, had_tbdlmj, where=_pick) -> dict:
    """The derived areas against a usable TBMJ (read, or measured from the geometry), NaN for none:
    KCMJ < 0 or > TBMJ and TBDLMJ < 0 or > TBMJ are missing (``bad_*`` where the field was read);
    missing KCMJ = TBMJ × KCXS; missing KCXS = KCMJ / TBMJ; missing TBDLMJ = TBMJ − KCMJ;
    ``ridge``: a KCMJ ≠ 0 whose KCDLBM is missing is 田坎."""
    bad_k = (kcmj == kcmj) & _no((kcmj >= 0.0) & (kcmj <= tbmj))
    kcmj = where(bad_k, NAN, kcmj)
    kcmj = where((kcmj != kcmj) & (kcxs == kcxs), tbmj * kcxs, kcmj)
    kcxs = where((kcxs != kcxs) & (kcmj == kcmj) & (tbmj != 0.0), kcmj / where(tbmj != 0.0, tbmj, NAN), kcxs)
    bad_d = (tbdlmj == tbdlmj) & _no((tbdlmj >= 0.0) & (tbdlmj <= tbmj))
    tbdlmj = where(bad_d | (tbdlmj != tbdlmj), tbmj - where(kcmj == kcmj, kcmj, 0.0), tbdlmj)
    return {"kcmj": kcmj, "kcxs": kcxs, "tbdlmj": tbdlmj, "ridge": (kcmj == kcmj) & (kcmj != 0.0),
            "bad_kcmj": bad_k & had_kcmj, "bad_tbdlmj": bad_d & had_tbdlmj}


def _none(x: float) -> float | None:
    return None if x != x else x


def _nan(x: float | None) -> float:
    return NAN if x is None else x


def normalize_parcel(values: Mapping[str, Any], tbmj_in_mu: bool = False, issues: list | None = None) -> ParcelRecord:
    """Canonical raw values (keys DLBM, TBMJ, …) -> a clean record with derived areas (:func:`area_rules`).

    A NULL TBMJ stays None: the adapter fills it from the ellipsoidal geometry area. The canonical
    names of unusable values are appended to ``issues`` when given. core/fields_columns.py does the
    same for columns.
    """
    bad = issues if issues is not None else []
    raw = {k: values.get(k) for k in NUMBER_FIELDS}
    num = {k: NAN if (x := finite(r)) is None else x for k, r in raw.items()}
    areas, found = area_rules(num, {k: r is not None for k, r in raw.items()}, MU_M2 if tbmj_in_mu else 1.0)
    bad.extend(name for name, hit in found if hit)
    kcdlbm = _text(values.get("KCDLBM"))
    if kcdlbm is None and areas["ridge"]:
        kcdlbm = RIDGE
    rec = _record(values, _none(areas["tbmj"]), _none(areas["kcxs"]), _none(areas["kcmj"]), kcdlbm,
                  _none(areas["tbdlmj"]), _none(areas["ghkcxs"]))
    return _legacy_codes(rec, values, bad)


def legacy_issue(code: str | None) -> tuple[str | None, str | None]:
    """(issue, code to count) of a class code read as text: a 二调 code is noted ``2D:<code>`` (``2D:``
    when one-to-one) and read as its 三调 class where it has one; (None, code) otherwise."""
    entry = legacy(code) if code is not None else None
    if entry is None:
        return None, code
    target = translate(code)
    return ISSUE_PREFIX + ("" if entry.one_to_one else entry.code), (target if target is not None else code)


def working_issue(dlbm: str | None) -> str | None:
    """``WC:<code>`` of a working code of a known class with an unlisted letter suffix, else None."""
    table = default_table()
    if dlbm is not None and working_code_base(dlbm, table.is_known) is not None and not table.is_known(dlbm):
        return WORKING_PREFIX + dlbm.strip().upper()
    return None


def grade_from(dlbm: str | None) -> bool:
    """A known class that is no farmland: turned into farmland, its 田坎 needs a slope grade."""
    table = default_table()
    return table.is_known(dlbm) and not table.is_farmland(table.resolve(dlbm))


def grade_to(ghdlbm: str | None) -> bool:
    table = default_table()
    return ghdlbm is not None and table.is_farmland(table.resolve(ghdlbm))


def no_grade(from_ok, to_ok, ghkcxs_missing, gdpdjb_missing):
    """New farmland whose 田坎 no table can give (docs/domain.md §6): for one parcel or element-wise."""
    return from_ok & to_ok & ghkcxs_missing & gdpdjb_missing


def _legacy_codes(rec: ParcelRecord, values: Mapping[str, Any], bad: list) -> ParcelRecord:
    """Second-survey (二调) codes read as their third-survey class; each is noted as ``2D:<code>``.

    Only codes stored as text: a number 101 is a 三调 0101 that lost its leading zero, not 二调 101
    铁路用地 (validation refuses a layer whose codes are all unknown, and says so)."""
    for name in ("dlbm", "kcdlbm"):
        if isinstance(values.get(name.upper()), str):
            issue, code = legacy_issue(getattr(rec, name))
            if issue is not None:
                bad.append(issue)
                setattr(rec, name, code)
    working = working_issue(rec.dlbm)
    if working is not None:
        bad.append(working)
    if no_grade(grade_from(rec.dlbm), grade_to(rec.ghdlbm), rec.ghkcxs is None, rec.gdpdjb is None):
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
    """``rec`` with TBMJ set (read, or measured from the geometry) and the derived areas filled
    (:func:`with_area_rule`); KCMJ / TBDLMJ out of range are listed in ``issues``."""
    bad = issues if issues is not None else []
    areas = with_area_rule(tbmj, _nan(rec.kcmj), _nan(rec.kcxs), _nan(rec.tbdlmj), had_kcmj is not False,
                           had_tbdlmj is not False)
    if areas["bad_kcmj"]:
        bad.append("KCMJ")
    if areas["bad_tbdlmj"]:
        bad.append("TBDLMJ")
    kcdlbm = rec.kcdlbm
    if kcdlbm is None and areas["ridge"]:
        kcdlbm = RIDGE
    return ParcelRecord(dlbm=rec.dlbm, tbmj=tbmj, kcxs=_none(areas["kcxs"]), kcmj=_none(areas["kcmj"]),
                        kcdlbm=kcdlbm, tbdlmj=_none(areas["tbdlmj"]), zzlx=rec.zzlx, ghdlbm=rec.ghdlbm,
                        ghkcxs=rec.ghkcxs, yncz=rec.yncz, bsm=rec.bsm, gdpdjb=rec.gdpdjb, gdlx=rec.gdlx,
                        zldwdm=rec.zldwdm)


# the text rules above, for adapters that apply them to a database's distinct values (postgis)
text_value = _text
survey_bsm = _bsm
pbf_action = _pbf_action
slope_grade = _grade
