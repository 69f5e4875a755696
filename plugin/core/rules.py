"""Rule packs: policy thresholds as data (``resources/rule_packs/*.json``).

A pack defines land-class *categories* (sets of classes), *flows* (area that moves from
one category to another, optionally only on parcels of some remediation types) and
*rules* (a formula over the variables those give, a comparison, a threshold, a
severity and the policy text it comes from). A pack may ``extend`` another and
override or drop its rules. Formulas are evaluated by a tiny whitelist evaluator over
the Python AST — arithmetic, variables and min/max/abs only, never ``eval``.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .errors import PlanError
from .i18n import tr
from .landclasses import LandClassTable, default_table
from .resources import resource_path
from .ridges import RidgeTable, parse_ridges
from .rule_schema import (
    MAX_EXTENDS,
    MAX_FORMULA_CHARS,
    MAX_FORMULA_NODES,
    Checker,
    PackFileError,
    check_file,
    check_merged,
    read_file,
)

PACK_DIR = resource_path("rule_packs")
BUILTIN_VARIABLES = ("pbf_before", "pbf_after", "pbf_out", "pbf_in")
# a township rule (scope "township", core.townships) is evaluated over the whole parcels of a township
TOWNSHIP_VARIABLES = ("pbf_before", "pbf_after", "pbf_out", "pbf_in", "pbf_out_ugb")
_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


class RulePackError(PlanError, ValueError):
    """A rule pack that cannot be used; the message says what to fix in the file.

    ``problems`` lists every problem found (``path in the file: expected …, found …``).
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        super().__init__("\n  ".join([message, *self.problems]) if self.problems else message)


class FormulaError(RulePackError):
    pass


# --------------------------------------------------------------------------- formulas
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FUNCS: dict[str, Callable[..., float]] = {"min": min, "max": max, "abs": abs}
_MAX_FORMULA_DEPTH = 100


class Formula:
    """A parsed arithmetic formula: ``(farmland_after - farmland_before) / farmland_before``."""

    def __init__(self, text: str):
        self.text = text
        if not isinstance(text, str):
            raise FormulaError(tr("A formula must be text, not {0}").format(type(text).__name__))
        if len(text) > MAX_FORMULA_CHARS:
            raise FormulaError(tr("Formula longer than {0} characters").format(MAX_FORMULA_CHARS))
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise FormulaError(tr("Formula is not valid arithmetic: {0}").format(text[:200])) from None
        self._tree = tree.body
        self.variables: set[str] = set()
        self._nodes = 0
        self._check(self._tree, 0)

    def _check(self, node: ast.AST, depth: int) -> None:
        self._nodes += 1
        if self._nodes > MAX_FORMULA_NODES or depth > _MAX_FORMULA_DEPTH:
            # also keeps _eval's recursion far from Python's limit
            raise FormulaError(tr("Formula has more than {0} terms").format(MAX_FORMULA_NODES))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            self._check(node.left, depth + 1)
            self._check(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self._check(node.operand, depth + 1)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(
            node.value, bool
        ):
            try:
                finite = math.isfinite(float(node.value))
            except OverflowError:
                finite = False
            if not finite:
                raise FormulaError(tr("Formula holds a number that is too large: {0}").format(self.text[:200]))
        elif isinstance(node, ast.Name):
            self.variables.add(node.id)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
              and not node.keywords and node.args):
            for arg in node.args:
                self._check(arg, depth + 1)
        else:
            raise FormulaError(
                tr("Formula may only use numbers, variables, + - * / ( ) and min, max, abs: {0}").format(self.text)
            )

    def evaluate(self, variables: Mapping[str, float]) -> float | None:
        """The value, or None when the formula is not applicable (division by zero)."""
        try:
            value = self._eval(self._tree, variables)
        except (ZeroDivisionError, OverflowError):
            return None
        return value if math.isfinite(value) else None

    def _eval(self, node: ast.AST, v: Mapping[str, float]) -> float:
        if isinstance(node, ast.BinOp):
            return _BINOPS[type(node.op)](self._eval(node.left, v), self._eval(node.right, v))
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, v)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(v[node.id])
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return float(_FUNCS[node.func.id](*(self._eval(a, v) for a in node.args)))


# --------------------------------------------------------------------------- pack
@dataclass(frozen=True)
class Category:
    id: str
    zh: str
    en: str
    codes: tuple[str, ...] = ()
    categories_zh: tuple[str, ...] = ()
    groups_zh: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def contains(self, code: str, table: LandClassTable) -> bool:
        if any(code.startswith(x) for x in self.exclude):
            return False
        if any(code.startswith(p) for p in self.codes):
            return True
        cls = table.get(code)
        return cls.category_zh in self.categories_zh or cls.group_zh in self.groups_zh


@dataclass(frozen=True)
class Flow:
    id: str
    zh: str
    en: str
    source: str  # category id or "*"
    target: str
    types: tuple[str, ...] = ()
    changed_only: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    zh: str
    en: str
    formula: Formula
    op: str
    threshold: float
    severity: str  # "error" | "warning"
    source: str
    scope: str = "both"  # "unit" | "project" | "both" | "township" (core.townships)
    format: str = "area"  # "area" (m²) | "percent" | "number"
    verified: bool = True
    note: str = ""  # internal remark of the pack's author: never shown to users
    unverified_zh: str = ""  # why the rule is not verified (shown with 依据待核实)
    unverified_en: str = ""

    def name(self, chinese: bool) -> str:
        return self.zh if chinese else self.en

    def unverified_reason(self, chinese: bool) -> str:
        """Why the rule's basis still has to be checked ('' when verified or not given)."""
        if self.verified:
            return ""
        return (self.unverified_zh or self.unverified_en) if chinese else (self.unverified_en or self.unverified_zh)

    @property
    def op_symbol(self) -> str:
        """The comparison as planners write it (≥, ≤ …)."""
        return _SYMBOLS[self.op]

    def passes(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return _OPS[self.op](value, self.threshold)

    def applies_to(self, is_project: bool) -> bool:
        """Whether the engine evaluates the rule for the project (True) or a unit (False); township rules never."""
        return self.scope == "both" or self.scope == ("project" if is_project else "unit")


@dataclass
class RulePack:
    id: str
    name_zh: str
    name_en: str
    version: str
    categories: dict[str, Category]
    flows: dict[str, Flow]
    rules: list[Rule]
    path: Path | None = None
    checks: dict = field(default_factory=dict)  # tolerances of the data checks (datachecks.CheckSettings)
    ridges: RidgeTable | None = None  # 田坎系数 of new farmland (core.ridges), None: 0 as before
    suggest: dict = field(default_factory=dict)  # moves, objective, tie-breaks (suggest_settings.SuggestSettings)
    contiguity: dict = field(default_factory=dict)  # 集中连片 settings (contiguity.ContiguitySettings)
    table: LandClassTable = field(default_factory=default_table, repr=False)
    _membership: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _by_id: dict = field(default_factory=dict, repr=False)

    def name(self, chinese: bool) -> str:
        return self.name_zh if chinese else self.name_en

    def categories_of(self, code: str) -> frozenset[str]:
        """Ids of the categories a resolved land-class code belongs to (cached)."""
        hit = self._membership.get(code)
        if hit is None:
            hit = frozenset(c.id for c in self.categories.values() if c.contains(code, self.table))
            self._membership[code] = hit
        return hit

    def variable_names(self) -> list[str]:
        names = [f"{c}_{s}" for c in self.categories for s in ("before", "after", "change")]
        return names + list(self.flows) + list(BUILTIN_VARIABLES)

    def rule(self, rule_id: str) -> Rule:
        """The rule of that id (a dict lookup: packs may hold thousands of rules)."""
        key = (id(self.rules), len(self.rules))
        if self._by_id.get("\0key") != key:  # rebuilt when the list is replaced or grows
            self._by_id.clear()
            self._by_id.update((r.id, r) for r in self.rules)
            self._by_id["\0key"] = key
        hit = self._by_id.get(rule_id)
        if hit is None or isinstance(hit, tuple):
            raise KeyError(rule_id)
        return hit


def _load_json(path: Path) -> dict:
    """One pack file, read and checked (encoding, size, depth, structure); RulePackError lists the problems."""
    try:
        data = read_file(path)
    except FileNotFoundError:
        raise RulePackError(tr("Rule pack not found: {0}").format(path)) from None
    except PackFileError as exc:
        raise RulePackError(tr("Rule pack {0} cannot be used: {1}").format(path, exc)) from None
    checker = Checker()
    check_file(data, checker)
    if checker.problems:
        raise RulePackError(tr("Rule pack {0} cannot be used; fix these problems in the file:").format(path),
                            checker.lines())
    return data


def _merged(data: dict, path: Path, seen: tuple[str, ...] = ()) -> dict:
    parent_id = data.get("extends")
    if not parent_id:
        return data
    if parent_id in seen or parent_id == data.get("id"):
        raise RulePackError(tr("Rule pack {0} extends itself through {1}").format(path, parent_id))
    if len(seen) >= MAX_EXTENDS:
        raise RulePackError(tr("Rule pack {0}: more than {1} packs extend each other").format(path, MAX_EXTENDS))
    parent_path = path.parent / f"{parent_id}.json"
    if not parent_path.exists():
        parent_path = PACK_DIR / f"{parent_id}.json"
    parent = _merged(_load_json(parent_path), parent_path, (*seen, parent_id))
    merged = dict(parent)
    merged.update({k: v for k, v in data.items() if k not in ("categories", "flows", "rules", "extends")})
    merged["categories"] = {**parent.get("categories", {}), **data.get("categories", {})}
    merged["flows"] = {**parent.get("flows", {}), **data.get("flows", {})}
    merged["checks"] = {**parent.get("checks", {}), **data.get("checks", {})}
    merged["suggest"] = {**parent.get("suggest", {}), **data.get("suggest", {})}
    merged["contiguity"] = {**parent.get("contiguity", {}), **data.get("contiguity", {})}
    rules = {r["id"]: r for r in parent.get("rules", [])}
    for r in data.get("rules", []):
        if r.get("remove"):
            rules.pop(r["id"], None)
        else:
            rules[r["id"]] = {**rules.get(r["id"], {}), **r}
    merged["rules"] = list(rules.values())
    return merged


def _tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _names(value, fallback: str) -> tuple[str, str]:
    """(zh, en) of a ``name`` that is text or {"zh": …, "en": …}."""
    if isinstance(value, str) and value:
        return value, value
    value = value if isinstance(value, dict) else {}
    return value.get("zh") or fallback, value.get("en") or value.get("zh") or fallback


def parse_pack(data: dict, path: Path | None = None, table: LandClassTable | None = None) -> RulePack:
    """Build a pack from its (merged, checked) JSON; every problem names the rule and what to fix."""
    where = str(path) if path else "<rule pack>"
    checker = Checker()
    if not isinstance(data, dict):
        check_file(data, checker)
    else:
        check_merged(data, checker)
    if checker.problems:
        raise RulePackError(tr("Rule pack {0} cannot be used; fix these problems in the file:").format(where),
                            checker.lines())
    problems = checker
    categories = {
        cid: Category(cid, c.get("zh", cid), c.get("en", cid), _tuple(c.get("codes")),
                      _tuple(c.get("category_zh")), _tuple(c.get("group_zh")), _tuple(c.get("exclude")))
        for cid, c in data.get("categories", {}).items()
    }
    flows = {}
    for fid, f in data.get("flows", {}).items():
        for end in (f["from"], f["to"]):
            if end != "*" and end not in categories:
                problems.add(f"flows.{fid}", tr("names unknown category {0}").format(end))
        flows[fid] = Flow(fid, f.get("zh", fid), f.get("en", fid), f["from"], f["to"],
                          _tuple(f.get("types")), bool(f.get("changed_only", False)))
    zh, en = _names(data.get("name"), str(data["id"]))
    checks = data.get("checks")
    suggest = data.get("suggest")
    pack = RulePack(str(data["id"]), zh, en, str(data.get("version", "")), categories, flows, [], path,
                    dict(checks) if isinstance(checks, dict) else {}, table=table or default_table())
    pack.ridges = parse_ridges(data.get("ridge_coefficients"))
    pack.suggest = dict(suggest) if isinstance(suggest, dict) else {}
    contiguity = data.get("contiguity")
    pack.contiguity = dict(contiguity) if isinstance(contiguity, dict) else {}
    known = set(pack.variable_names())
    for r in data.get("rules", []):
        rid = str(r["id"])
        at = tr('rule "{0}"').format(rid)
        try:
            formula = Formula(r["formula"])
        except FormulaError as exc:
            problems.add(f"{at}.formula", str(exc))
            continue
        unknown = formula.variables - (set(TOWNSHIP_VARIABLES) if r.get("scope") == "township" else known)
        if unknown:
            problems.add(f"{at}.formula", tr("rule {0} uses unknown variables: {1}").format(
                rid, ", ".join(sorted(unknown))))
            continue
        pack.rules.append(Rule(
            id=rid, zh=r.get("zh", rid), en=r.get("en", rid), formula=formula,
            op=r.get("op", ">="), threshold=float(r["threshold"]), severity=r.get("severity", "error"),
            source=r.get("source", ""), scope=r.get("scope", "both"), format=r.get("format", "area"),
            verified=bool(r.get("verified", True)), note=str(r.get("note", "")),
            unverified_zh=str(r.get("unverified_zh", "")), unverified_en=str(r.get("unverified_en", "")),
        ))
    if problems.problems:
        raise RulePackError(tr("Rule pack {0} cannot be used; fix these problems in the file:").format(where),
                            problems.lines())
    return pack


def load_pack(name_or_path: str | Path = "national", table: LandClassTable | None = None) -> RulePack:
    """Load a bundled pack by id (``national``, ``jiangsu``, ``zhejiang``) or a JSON file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PACK_DIR / f"{name_or_path}.json"
    return parse_pack(_merged(_load_json(path), path), path, table)


def available_packs() -> list[Path]:
    return sorted(PACK_DIR.glob("*.json"))


@lru_cache(maxsize=8)
def bundled_pack(pack_id: str = "national") -> RulePack:
    return load_pack(pack_id)


def flow_areas(pack: RulePack, zzlx: str, transitions: Sequence[tuple[str, str, float]]) -> dict[str, float]:
    """m² of each of the pack's flows over ``(class before, class after, m²)`` transitions.

    The engine applies it to one parcel's transitions; ``core.aggregated`` to transitions summed
    over parcels in the database (the selection is linear in the areas).
    """
    out: dict[str, float] = {}
    cats = pack.categories_of
    for fid, flow in pack.flows.items():
        if flow.types and zzlx not in flow.types:
            continue
        total = 0.0
        for cb, ca, v in transitions:
            if flow.changed_only and cb == ca:
                continue
            if (flow.source == "*" or flow.source in cats(cb)) and (flow.target == "*" or flow.target in cats(ca)):
                total += v
        if total:
            out[fid] = total
    return out
