"""Normalisation of parcel columns: :func:`~.fields.normalize_parcel` for a million rows at once.

The rules have one home, ``core/fields.py``: the area rules (:func:`~.fields.area_rules`) run here
element-wise on numpy arrays; the text rules (cleaning, survey ids, grades, PBF spellings, 二调 and
working codes) run once per distinct value of a column and are spread back by index — never a
Python call per row. The result equals ``normalize_parcel`` row by row, issues included
(tests/core/test_fields_columns.py).

Raw columns are what a reader got, by canonical name: numpy arrays (numbers, or ``object`` arrays
of whatever the source held: str, int, float, None…), numpy masked arrays (masked = NULL) or
pandas Series. A value is NULL only when it is ``None`` or masked; a float NaN is a value read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .areas import MU_M2
from .fields import (
    NO_GRADE,
    NUMBER_FIELDS,
    _bsm,
    _grade,
    _pbf_action,
    _text,
    _upper,
    area_rules,
    grade_from,
    grade_to,
    legacy_issue,
    no_grade,
    with_area_rule,
    working_issue,
)
from .landclasses import RIDGE
from .record_columns import NUMBER_SLOTS, RecordColumns
from .validation import finite


def _yncz(value: Any) -> str | None:
    text = _text(value)
    return _pbf_action(text) if text else None


#: text slot <- (canonical field, its rule in core/fields.py)
TEXT_RULES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "dlbm": ("DLBM", _text), "kcdlbm": ("KCDLBM", _text), "zzlx": ("ZZLX", _text), "ghdlbm": ("GHDLBM", _text),
    "yncz": ("YNCZ", _yncz), "bsm": ("BSM", _bsm), "gdpdjb": ("GDPDJB", _grade), "gdlx": ("GDLX", _upper),
    "zldwdm": ("ZLDWDM", _text),
}

#: text slots whose rule runs on every row: nearly one value per parcel (the survey id), so finding the
#: distinct values first would cost more than the rule (the results are the same: a rule sees one value)
PER_ROW = frozenset({"bsm"})


@dataclass
class ColumnIssues:
    """The unusable values of n rows: ``entries`` [(issue, row indices)] in the order
    ``normalize_parcel`` notes them (so :meth:`per_row` gives its lists exactly)."""

    n: int
    entries: list[tuple[str, np.ndarray]] = field(default_factory=list)

    def add(self, name: str, mask_or_rows) -> None:
        rows = np.asarray(mask_or_rows)
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64)
        if len(rows):
            self.entries.append((name, rows))

    def rows_by_name(self) -> dict[str, np.ndarray]:
        """issue -> the sorted distinct rows noting it."""
        out: dict[str, list] = {}
        for name, rows in self.entries:
            out.setdefault(name, []).append(rows)
        return {name: np.unique(np.concatenate(parts)) for name, parts in out.items()}

    def per_row(self) -> list[list[str]]:
        """The issue list of every row, as ``normalize_parcel(…, issues)`` gives it (for tests)."""
        out: list[list[str]] = [[] for _ in range(self.n)]
        for name, rows in self.entries:
            for r in rows.tolist():
                out[r].append(name)
        return out


# --------------------------------------------------------------------------- distinct values
def _as_array(col) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, NULL mask or None) of a raw column."""
    if isinstance(col, pd.Series):
        if isinstance(col.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(col.dtype, pd.CategoricalDtype):
            mask = col.isna().to_numpy()
            return col.to_numpy(dtype=object, na_value=None), (mask if mask.any() else None)
        col = col.to_numpy()
    if isinstance(col, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(col)
        return np.asarray(col.data), (mask if mask.any() else None)
    if isinstance(col, np.ndarray):
        return col, None
    arr = np.empty(len(col), dtype=object)  # a list: its values as they are (np.asarray would cast them)
    arr[:] = list(col)
    return arr, None


def _factorize_floats(values: np.ndarray) -> tuple[np.ndarray, list]:
    """By bit pattern: -0.0 and 0.0 stay apart (``str`` tells them apart)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    codes, ubits = pd.factorize(bits)
    return codes, np.asarray(ubits, dtype=np.int64).view(np.float64).tolist()


def _factorize_one_type(values: np.ndarray, kind: type) -> tuple[np.ndarray, list]:
    if kind is float:
        return _factorize_floats(values.astype(np.float64))
    if kind in (str, bytes):
        return factorize_exact(values)
    if kind in (int, bool):  # equal values of one of these types are the same value
        codes, uniques = pd.factorize(values)
        return codes, [kind(u) for u in uniques]
    if kind is type(None):
        return np.zeros(len(values), dtype=np.intp), [None]
    return np.arange(len(values), dtype=np.intp), values.tolist()  # others: no two rows assumed alike


def factorize_exact(values: np.ndarray, none_code: bool = False) -> tuple[np.ndarray, list]:
    """``pandas.factorize`` of text, checked: pandas hashes strings as C strings, so "a" and "a\\x00b"
    would share a code; where the check finds such a row, a plain dict does it exactly.

    ``none_code``: None gets the code -1 and is not among the values (the engine's store)."""
    if none_code:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        back = np.empty(len(uniques) + 1, dtype=object)  # the last one, None, for the code -1
        back[:-1] = list(uniques)
        if len(values) and not bool(np.all(back[codes] == values)):
            index: dict = {}
            codes = np.fromiter((-1 if v is None else index.setdefault(v, len(index)) for v in values.tolist()),
                                dtype=np.intp, count=len(values))
            return codes, list(index)
        return codes, list(uniques)
    codes, uniques = pd.factorize(values)
    if len(values) and not bool(np.all(np.asarray(uniques, dtype=values.dtype)[codes] == values)):
        index: dict = {}
        codes = np.fromiter((index.setdefault(v, len(index)) for v in values.tolist()), dtype=np.intp,
                            count=len(values))
        return codes, list(index)
    return codes, list(uniques)


def distinct(col) -> tuple[np.ndarray, list]:
    """(codes, values) of a raw column: row i holds ``values[codes[i]]``, the same Python value of
    the same type as read (an int 1, a float 1.0 and True are three values; masked is None).
    A ``pandas.Categorical`` (a reader's text decoded once per distinct value) is taken as it is:
    its categories, and None for its missing rows."""
    if isinstance(col, pd.Series) and isinstance(col.dtype, pd.CategoricalDtype):
        col = col.array
    if isinstance(col, pd.Categorical):
        codes = np.asarray(col.codes, dtype=np.intp)
        uniques = list(col.categories)
        return np.where(codes < 0, len(uniques), codes), [*uniques, None]
    arr, mask = _as_array(col)
    kind = arr.dtype.kind
    if kind == "f":
        codes, uniques = _factorize_floats(arr)
    elif kind in "iu":
        codes, u = pd.factorize(arr)
        uniques = u.tolist()
    elif kind == "b":
        codes, uniques = arr.astype(np.intp), [False, True]
    elif kind in "SU":
        codes, uniques = factorize_exact(arr.astype(object))
    elif kind == "O":
        codes, uniques = _distinct_objects(arr)
    else:
        codes, uniques = np.arange(len(arr), dtype=np.intp), arr.tolist()
    if mask is not None:
        codes = np.where(mask, len(uniques), codes)
        uniques = [*uniques, None]
    return np.asarray(codes, dtype=np.intp), uniques


def _distinct_objects(arr: np.ndarray) -> tuple[np.ndarray, list]:
    none = np.equal(arr, None)
    rest = arr if not none.any() else arr[~none]
    inferred = pd.api.types.infer_dtype(rest, skipna=False) if len(rest) else "empty"
    one = {"string": str, "integer": int, "floating": float, "bytes": bytes, "empty": type(None)}
    if inferred in one:
        codes_rest, uniques = _factorize_one_type(rest, one[inferred])
    else:  # mixed types: one group per type (map(type) runs in C)
        types = np.fromiter(map(type, rest), dtype=object, count=len(rest))
        tcodes, tkinds = pd.factorize(types)
        codes_rest = np.empty(len(rest), dtype=np.intp)
        uniques = []
        for t, kind in enumerate(tkinds):
            rows = np.flatnonzero(tcodes == t)
            c, u = _factorize_one_type(rest[rows], kind)
            codes_rest[rows] = np.asarray(c, dtype=np.intp) + len(uniques)
            uniques.extend(u)
    if rest is arr:
        return np.asarray(codes_rest, dtype=np.intp), uniques
    codes = np.full(len(arr), len(uniques), dtype=np.intp)
    codes[~none] = codes_rest
    return codes, [*uniques, None]


def _categorical(col) -> bool:
    return isinstance(col, pd.Categorical) or isinstance(getattr(col, "dtype", None), pd.CategoricalDtype)


def _per_row(col, rule: Callable[[Any], Any]) -> np.ndarray:
    """``rule`` of every row's value as :func:`distinct` would give it (a Python value of the type read;
    None where NULL), without finding the distinct values."""
    values, mask = _as_array(col)
    out = np.empty(len(values), dtype=object)
    out[:] = [rule(v) for v in values.tolist()]
    if mask is not None:
        out[mask] = rule(None)
    return out


def _mapped(codes: np.ndarray, uniques: list, rule: Callable[[Any], Any], dtype=object) -> np.ndarray:
    """``rule`` of every row, computed once per distinct value."""
    out = np.empty(len(uniques), dtype=dtype)
    out[:] = [rule(u) for u in uniques]
    return out[codes]


# --------------------------------------------------------------------------- numbers
def _numbers(col, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(finite value or NaN, present) of a raw number column (validation.finite of every value)."""
    if col is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    if isinstance(col, pd.Categorical) or isinstance(getattr(col, "dtype", None), pd.CategoricalDtype):
        codes, uniques = distinct(col)
        return (_mapped(codes, uniques, lambda u: np.nan if finite(u) is None else finite(u), np.float64),
                _mapped(codes, uniques, lambda u: u is not None, bool))
    arr, mask = _as_array(col)
    kind = arr.dtype.kind
    if kind in "fiu":
        values = arr.astype(np.float64)
        values[~np.isfinite(values)] = np.nan
    elif kind == "b":
        values = np.full(n, np.nan)  # finite(True) is None
    else:
        codes, uniques = distinct(arr)
        present = _mapped(codes, uniques, lambda u: u is not None, bool)
        values = _mapped(codes, uniques, lambda u: np.nan if finite(u) is None else finite(u), np.float64)
        if mask is not None:
            values[mask] = np.nan
            present &= ~mask
        return values, present
    present = np.ones(n, dtype=bool) if mask is None else ~mask
    if mask is not None:
        values[mask] = np.nan
    return values, present


# --------------------------------------------------------------------------- the whole row
def normalize_columns(raw: Mapping[str, Any], tbmj_in_mu: bool = False, n: int | None = None
                      ) -> tuple[RecordColumns, ColumnIssues]:
    """Raw columns by canonical name (DLBM, TBMJ, …; missing names are NULL) -> the records as
    :class:`RecordColumns` and their issues: ``normalize_parcel`` of every row."""
    if n is None:
        n = len(next(iter(raw.values()))) if raw else 0
    v, present = {}, {}
    for name in NUMBER_FIELDS:
        v[name], present[name] = _numbers(raw.get(name), n)
    with np.errstate(all="ignore"):
        areas, found = area_rules(v, present, MU_M2 if tbmj_in_mu else 1.0, np.where)
    issues = ColumnIssues(n)
    for name, mask in found:
        issues.add(name, mask)
    data: dict[str, np.ndarray] = {s: np.asarray(areas[s], dtype=np.float64) for s in NUMBER_SLOTS}
    is_text: dict[str, np.ndarray] = {}
    for slot, (name, rule) in TEXT_RULES.items():
        col = raw.get(name)
        if col is None:
            data[slot] = np.full(n, None, dtype=object)
            is_text[slot] = np.zeros(n, dtype=bool)
            continue
        if slot in PER_ROW and not _categorical(col):
            data[slot] = _per_row(col, rule)
            continue
        codes, uniques = distinct(col)
        data[slot] = _mapped(codes, uniques, rule)
        if slot in ("dlbm", "kcdlbm"):
            is_text[slot] = _mapped(codes, uniques, lambda u: isinstance(u, str), bool)
    ridge = np.asarray(areas["ridge"], dtype=bool) & np.equal(data["kcdlbm"], None)
    data["kcdlbm"][ridge] = RIDGE
    _codes(data, is_text, issues)
    return RecordColumns(data), issues


def _codes(data: dict, is_text: dict, issues: ColumnIssues) -> None:
    """fields._legacy_codes on columns: 二调 codes (read as text), working codes, new farmland without grade."""
    for slot in ("dlbm", "kcdlbm"):
        codes, uniques = distinct(data[slot])
        found = [legacy_issue(u) for u in uniques]
        issue = _take([f[0] for f in found], codes)
        hit = is_text[slot] & ~np.equal(issue, None)
        if hit.any():
            data[slot] = np.where(hit, _take([f[1] for f in found], codes), data[slot])
            for name in dict.fromkeys(issue[hit].tolist()):
                issues.add(name, hit & (issue == name))
    codes, uniques = distinct(data["dlbm"])
    working = _take([working_issue(u) for u in uniques], codes)
    for name in dict.fromkeys(working[~np.equal(working, None)].tolist()):
        issues.add(name, working == name)
    from_ok = _take([grade_from(u) for u in uniques], codes, bool)
    codes, uniques = distinct(data["ghdlbm"])
    to_ok = _take([grade_to(u) for u in uniques], codes, bool)
    issues.add(NO_GRADE, no_grade(from_ok, to_ok, np.isnan(data["ghkcxs"]), np.equal(data["gdpdjb"], None)))


def _take(values: list, codes: np.ndarray, dtype=object) -> np.ndarray:
    out = np.empty(len(values), dtype=dtype)
    out[:] = values
    return out[codes]


def with_area_columns(columns: RecordColumns, rows: np.ndarray, areas: np.ndarray, issues: ColumnIssues) -> None:
    """``fields.with_area`` of the rows ``rows`` (TBMJ read as NULL) with their measured ``areas``, in place."""
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return
    d = columns.data
    tbmj = np.asarray(areas, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = with_area_rule(tbmj, d["kcmj"][rows], d["kcxs"][rows], d["tbdlmj"][rows], True, True, np.where)
    d["tbmj"][rows] = tbmj
    for s in ("kcmj", "kcxs", "tbdlmj"):
        d[s][rows] = out[s]
    ridge = rows[np.asarray(out["ridge"], dtype=bool) & np.equal(d["kcdlbm"][rows], None)]
    d["kcdlbm"][ridge] = RIDGE
    issues.add("KCMJ", rows[out["bad_kcmj"]])
    issues.add("TBDLMJ", rows[out["bad_tbdlmj"]])
