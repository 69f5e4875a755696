"""Remediation types (整治类型): the one home of ``resources/remediation_types.json``.

The tagging panel, the checks, the renderer by type (styles) and the export read the types
through ``remediation_types()``; docs/domain.md describes the fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from .resources import resource_path

UNTAGGED_COLOUR = "#eeeeee"


@dataclass(frozen=True)
class RemediationType:
    code: str
    zh: str
    en: str
    targets: tuple[str, ...]  # land-class prefixes the type may produce ('*' = any)
    linkage: str | None = None  # 'demolish' (增减挂钩拆旧) | 'build' (建新) | None
    sources: tuple[str, ...] = ("*",)  # land-class prefixes the type may start from (class before)
    sources_reason_zh: str = ""
    sources_reason_en: str = ""
    colour: str = UNTAGGED_COLOUR
    domain_zh: str = ""
    domain_en: str = ""

    def name(self, chinese: bool) -> str:
        return (self.zh if chinese else self.en) or self.code

    def allows(self, code: str | None) -> bool:
        """True when class ``code`` is one the type may produce (class after)."""
        return code is None or matches(code, self.targets)

    def allows_source(self, code: str | None, resolved: str | None = None) -> bool:
        """True when the class before (raw code, or its resolved base class) is an allowed source."""
        if code is None or "*" in self.sources:
            return True
        codes = {str(code).strip().upper()} | ({str(resolved).upper()} if resolved else set())
        return any(c.startswith(s.upper()) for c in codes for s in self.sources)


def matches(code: str, prefixes: Sequence[str]) -> bool:
    """True when land-class ``code`` starts with one of ``prefixes`` (any case; ``*`` = any class)."""
    if "*" in prefixes:
        return True
    c = str(code).strip().upper()
    return any(c.startswith(p.upper()) for p in prefixes)


def parse_types(data: Mapping) -> dict[str, RemediationType]:
    """Types of a remediation_types.json document by upper-case code, in the file's order."""
    return {t["code"].upper(): RemediationType(
        t["code"], t.get("zh", ""), t.get("en", ""), tuple(t.get("targets") or ("*",)), t.get("linkage"),
        tuple(t.get("sources") or ("*",)), t.get("sources_reason_zh", ""), t.get("sources_reason_en", ""),
        t.get("colour", UNTAGGED_COLOUR), t.get("domain_zh", ""), t.get("domain_en", ""))
        for t in data.get("types", [])}


@lru_cache(maxsize=1)
def remediation_types() -> dict[str, RemediationType]:
    """Bundled remediation types by upper-case code."""
    with open(resource_path("remediation_types.json"), encoding="utf-8") as f:
        return parse_types(json.load(f))
