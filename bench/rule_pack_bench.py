"""Rule-pack load time against the number of rules (should grow linearly).

    .venv/bin/python -m bench.rule_pack_bench

Writes packs of 10, 100, 1 000 and 10 000 rules (copies of the national pack's rules with new ids)
and times ``load_pack`` (read, schema check, formulas parsed) and a lookup of every rule by id
(what the summary and reports do per indicator). Prints seconds and µs per rule.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from plugin.core.rules import PACK_DIR, load_pack


def main(counts=(10, 100, 1000, 10_000), repeat: int = 3) -> list[tuple[int, float, float]]:
    base = json.loads((PACK_DIR / "national.json").read_text(encoding="utf-8"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            data = dict(base, rules=[dict(base["rules"][i % len(base["rules"])], id=f"r{i}") for i in range(n)])
            path = Path(tmp) / f"pack_{n}.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            best_load = best_lookup = float("inf")
            for _ in range(repeat):
                t0 = time.perf_counter()
                pack = load_pack(path)
                t1 = time.perf_counter()
                for rule in pack.rules:
                    pack.rule(rule.id)
                t2 = time.perf_counter()
                best_load, best_lookup = min(best_load, t1 - t0), min(best_lookup, t2 - t1)
            rows.append((n, best_load, best_lookup))
            print(f"{n:>6} rules  {path.stat().st_size / 1024:8.0f} KiB  load {best_load * 1000:8.1f} ms "
                  f"({best_load / n * 1e6:6.1f} µs/rule)  lookup of every rule {best_lookup * 1000:6.2f} ms")
    return rows


if __name__ == "__main__":
    main()
    sys.exit(0)
