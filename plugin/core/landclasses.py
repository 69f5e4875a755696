"""The 三调 land-class table (docs/domain.md §4), loaded from ``resources/land_classes.csv``.

Real data carries suffixed variants (``0201K`` 即可恢复, ``1104A`` 养殖坑塘 …) that count
with a base class; ``resources/land_class_variants.csv`` lists them (``*K`` = any code
with a K suffix). Codes are strings. An unknown code resolves to ``UNKNOWN`` so it is
counted and reported, never dropped.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .resources import resource_path

UNKNOWN = "unknown"
RIDGE = "1203"  # 田坎, the class of deducted field ridges (KCDLBM)
FARMLAND_PREFIX = "01"


@dataclass(frozen=True)
class LandClass:
    code: str
    name_zh: str
    name_en: str
    group_zh: str
    group_en: str
    category_zh: str  # 三大类: 农用地 / 建设用地 / 未利用地
    category_en: str

    def name(self, chinese: bool) -> str:
        return self.name_zh if chinese else self.name_en


UNKNOWN_CLASS = LandClass(UNKNOWN, "未知地类", "Unknown class", "未知", "Unknown", "未知", "Unknown")


class LandClassTable:
    """Lookup of land classes by code, with variant codes resolved to their base."""

    def __init__(self, classes: list[LandClass], variants: dict[str, str], suffixes: list[str],
                 variant_names: dict[str, str] | None = None):
        self.classes: dict[str, LandClass] = {c.code: c for c in classes}
        self.variants = dict(variants)
        self.suffixes = list(suffixes)
        # Chinese name of a variant ('1104A' -> 养殖坑塘) or of a suffix ('K' -> '{base}（即可恢复）')
        self.variant_names = dict(variant_names or {})
        self._resolved: dict[str | None, str] = {}

    @classmethod
    def load(cls, classes_csv: Path | None = None, variants_csv: Path | None = None) -> LandClassTable:
        classes_csv = classes_csv or resource_path("land_classes.csv")
        variants_csv = variants_csv or resource_path("land_class_variants.csv")
        with open(classes_csv, encoding="utf-8-sig", newline="") as f:
            classes = [LandClass(**{k: (v or "").strip() for k, v in row.items()}) for row in csv.DictReader(f)]
        variants: dict[str, str] = {}
        suffixes: list[str] = []
        names: dict[str, str] = {}
        if variants_csv.exists():
            with open(variants_csv, encoding="utf-8-sig", newline="") as f:
                for row in csv.DictReader(f):
                    code, base = row["code"].strip(), row["base"].strip()
                    if code.startswith("*") and base == "*":
                        suffixes.append(code[1:])
                        names[code[1:]] = (row.get("name_zh") or "").strip()
                    else:
                        variants[code] = base
                        names[code] = (row.get("name_zh") or "").strip()
        return cls(classes, variants, suffixes, names)

    def resolve(self, code: str | None) -> str:
        """Base class code for ``code`` (variants and suffixes stripped) or ``UNKNOWN``."""
        try:
            return self._resolved[code]
        except KeyError:
            pass
        result = UNKNOWN
        if code is not None:
            c = str(code).strip().upper()
            if c in self.classes:
                result = c
            elif c in self.variants and self.variants[c] in self.classes:
                result = self.variants[c]
            else:
                for suffix in self.suffixes:
                    if suffix and c.endswith(suffix.upper()) and c[: -len(suffix)] in self.classes:
                        result = c[: -len(suffix)]
                        break
        self._resolved[code] = result
        return result

    def get(self, code: str) -> LandClass:
        """The class of a resolved code; UNKNOWN_CLASS for anything not in the table."""
        return self.classes.get(code, UNKNOWN_CLASS)

    def name_zh(self, code: str) -> str:
        """The Chinese name of a code as written in DLMC: a class's own name, a variant's name
        ('1104A' 养殖坑塘) or its base's name with the suffix's wording ('0201K' 旱地（即可恢复）);
        '' for a code the table does not know."""
        c = str(code).strip().upper()
        if c in self.classes:
            return self.classes[c].name_zh
        if self.variant_names.get(c) and self.variants.get(c) in self.classes:
            return self.variant_names[c]
        for suffix in self.suffixes:
            base = c[: -len(suffix)] if suffix and c.endswith(suffix.upper()) else None
            if base in self.classes and self.variant_names.get(suffix):
                return self.variant_names[suffix].format(base=self.classes[base].name_zh)
        return ""

    def is_known(self, code: str | None) -> bool:
        return self.resolve(code) != UNKNOWN

    @staticmethod
    def is_farmland(code: str) -> bool:
        """耕地 (01xx) — the classes that carry a 田坎 deduction."""
        return code.startswith(FARMLAND_PREFIX)

    def sort_key(self, code: str) -> tuple[int, str]:
        """Table order of the CSV (三调 order); unknown codes last."""
        order = self._order()
        return (order.get(code, len(order)), code)

    @lru_cache(maxsize=1)  # noqa: B019 (one table per process, lives as long as it)
    def _order(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.classes)}


@lru_cache(maxsize=1)
def default_table() -> LandClassTable:
    """The bundled table, loaded once."""
    return LandClassTable.load()
