"""Hand computation of areas for the validation tests: axis-aligned boxes, inclusion–exclusion,
and the value rules of validation.py written out again (no shapely, no plugin code)."""
from __future__ import annotations

import math
from itertools import combinations


def inter(a, b):
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def area(b):
    return 0.0 if b is None else (b[2] - b[0]) * (b[3] - b[1])


def union_area(boxes):
    """Area of a union of boxes by inclusion–exclusion."""
    total = 0.0
    for k in range(1, len(boxes) + 1):
        for combo in combinations(boxes, k):
            cur = combo[0]
            for b in combo[1:]:
                cur = inter(cur, b) if cur is not None else None
            total += (-1) ** (k + 1) * area(cur)
    return total


def area_in(parts, units):
    """Area of (∪ parts) ∩ (∪ units)."""
    pieces = [inter(p, u) for p in parts for u in units]
    return union_area([q for q in pieces if q is not None])


def effective(raw, geo_area):
    """(TBMJ, KCMJ) the rules give a parcel (validation.py), computed by hand."""
    def num(v):
        try:
            f = float(v)
        except (TypeError, ValueError):
            return None
        return f if math.isfinite(f) else None

    t = num(raw.get("TBMJ"))
    tbmj = t if t is not None and 0 < t <= 1e12 else geo_area
    kcxs = num(raw.get("KCXS"))
    kcxs = kcxs if kcxs is not None and 0 <= kcxs < 1 else None
    kcmj = num(raw.get("KCMJ"))
    kcmj = kcmj if kcmj is not None and 0 <= kcmj <= tbmj else None
    if kcmj is None:
        kcmj = tbmj * kcxs if kcxs is not None else 0.0
    return tbmj, kcmj


def run_limited(code: str, timeout: float = 120.0, memory: int = 2 << 30) -> str:
    """Run Python ``code`` in a child process limited to ``memory`` bytes of address space and
    ``timeout`` seconds (from the repository root); its stdout. A MemoryError, a hang or an
    exception fails the calling test with the child's stderr."""
    import subprocess
    import sys
    from pathlib import Path

    head = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    out = subprocess.run([sys.executable, "-c", head + code], cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout
