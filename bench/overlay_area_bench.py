"""area(unit ∩ parcel): GEOS's overlay against the engine's own (``overlay_area.intersection_areas``), per pair.

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python -m bench.overlay_area_bench [--size 200000]

On the township's inputs (``bench/data/inputs_<n>.pkl`` of ``engine_build_bench``):

* the cut pairs: unit × parcel, boxes meeting, the parcel not properly inside the unit but meeting it
  (those the build overlays), by parcel as the build has them, in calls of 10 000 (the build's pieces)
  and one unit a call (an edit's size);
* the overlap pairs: every unit moved by up to 10 m (bench edit (d)), its overlaps with the units it
  meets, × the parcels meeting an overlap (the parts counted twice).

Prints µs of process CPU a pair (``time.process_time``, one thread) for both, the share of pairs left to
GEOS (special position), and the largest difference |ours − GEOS| / the parcel's area, against GEOS as the
engine called it (absolute coordinates, x ~ 3.85·10⁷ m) and against a near-exact reference: GEOS on the
unit clipped to the parcel's box grown by 1 m, everything moved to the box's centre (coordinates ~30 m).
"""
from __future__ import annotations

import argparse
import pickle
import time

import numpy as np
import shapely
import shapely.affinity


def _moved(geoms: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    out = np.empty(len(geoms), dtype=object)
    out[:] = [shapely.transform(g, lambda c, x=x, y=y: c - np.array([x, y])) for g, x, y in zip(geoms, dx, dy)]
    return out


def _reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bb = shapely.bounds(b)
    cx, cy = (bb[:, 0] + bb[:, 2]) / 2, (bb[:, 1] + bb[:, 3]) / 2
    am, bm = _moved(a, cx, cy), _moved(b, cx, cy)
    hw, hh = (bb[:, 2] - bb[:, 0]) / 2 + 1, (bb[:, 3] - bb[:, 1]) / 2 + 1
    return shapely.area(shapely.intersection(shapely.intersection(am, shapely.box(-hw, -hh, hw, hh)), bm))


def compare(name: str, calls: list, sample: int = 7) -> None:
    from plugin.core.engine import overlay_area

    n = sum(len(a) for a, _ in calls)
    t = time.process_time()
    geos = [shapely.area(shapely.intersection(a, b)) for a, b in calls]
    t_geos = time.process_time() - t
    t = time.process_time()
    ours = [overlay_area.intersection_areas(a, b) for a, b in calls]
    t_ours = time.process_time() - t
    special, start = [], 0
    for a, b in calls:
        ua, inv = overlay_area._distinct(a, len(b))
        special.append(start + overlay_area._green(ua, inv, b, np.zeros(len(b)), np.arange(len(b))))
        start += len(a)
    special = np.concatenate(special)
    back = len(special)
    a = np.concatenate([c[0] for c in calls])
    b = np.concatenate([c[1] for c in calls])
    g, m = np.concatenate(geos), np.concatenate(ours)
    area = shapely.area(b)
    idx = np.arange(0, n, sample)
    ref = _reference(a[idx], b[idx])
    own = ~np.isin(idx, special)  # computed by ours, not left to GEOS
    print(f"{name}: {n} pairs in {len(calls)} calls; GEOS {t_geos / n * 1e6:.2f} µs a pair, "
          f"ours {t_ours / n * 1e6:.2f} "
          f"(×{t_geos / t_ours:.2f}); left to GEOS {back} ({back / n:.2%}); |ours − GEOS| / parcel ≤ "
          f"{np.max(np.abs(m - g) / area):.2g}; against the reference (1 pair in {sample}): ours ≤ "
          f"{np.max(np.abs(m[idx] - ref) / area[idx]):.2g} (those not left to GEOS ≤ "
          f"{np.max(np.abs(m[idx][own] - ref[own]) / area[idx][own]):.2g}), GEOS ≤ "
          f"{np.max(np.abs(g[idx] - ref) / area[idx]):.2g}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=200_000)
    args = ap.parse_args()
    from bench.engine_build_bench import cache_inputs

    with open(cache_inputs(args.size), "rb") as f:
        _ids, wkbs, _records, units, _pbf = pickle.load(f)
    parcels = shapely.from_wkb(np.array([w for w in wkbs if w is not None], dtype=object))
    unit_geoms = shapely.from_wkb(np.array([u[2] for u in units if u[2] is not None], dtype=object))
    shapely.prepare(unit_geoms)
    ui, pi = shapely.STRtree(parcels).query(unit_geoms)
    keep = ~shapely.contains_properly(unit_geoms[ui], parcels[pi])
    ui, pi = ui[keep], pi[keep]
    keep = shapely.intersects(unit_geoms[ui], parcels[pi])
    ui, pi = ui[keep], pi[keep]
    order = np.lexsort((ui, pi))
    ui, pi = ui[order], pi[order]
    a, b = unit_geoms[ui], parcels[pi]
    compare("cut pairs, calls of 10 000", [(a[s:s + 10_000], b[s:s + 10_000]) for s in range(0, len(a), 10_000)])
    one = [(unit_geoms[ui[k]], parcels[pi[k]]) for k in (np.flatnonzero(ui == u) for u in range(0, len(unit_geoms), 5))]
    compare("cut pairs, one unit a call (1 unit in 5)", one)
    rng = np.random.default_rng(1)
    moved = np.array([shapely.affinity.translate(u, *rng.uniform(-10, 10, 2)) for u in unit_geoms], dtype=object)
    mi, oi = shapely.STRtree(unit_geoms).query(moved, predicate="intersects")
    keep = mi != oi
    both = shapely.intersection(moved[mi[keep]], unit_geoms[oi[keep]])
    both = both[np.isin(shapely.get_type_id(both), (3, 6)) & (shapely.area(both) > 0)]
    shapely.prepare(both)
    bi, pj = shapely.STRtree(parcels).query(both, predicate="intersects")
    compare("overlap pairs (overlap, parcel), calls of 10 000",
            [(both[bi[s:s + 10_000]], parcels[pj[s:s + 10_000]]) for s in range(0, len(bi), 10_000)])


if __name__ == "__main__":
    main()
