"""Kill test: ``kill -9`` at random moments of ``export`` and ``balance``; nothing is lost.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.kill_test [--kills 24] [--parcels 3000] [--seed 1]

Each round starts ``python -m plugin.cli export|balance … --overwrite --out TARGET`` over an
existing target, kills it with SIGKILL after a random time within the command's normal run time,
and checks:

* the input GeoPackage is byte-identical (SHA-256) after every kill;
* the target is byte-identical to what it was, or (the kill came after the atomic rename) a
  complete new file — a valid GeoPackage that GDAL's validator accepts;
* temporary leftovers of the killed runs (``.<stem>.lctmp<pid>…partial…``) are removed by the next
  run, and after a last normal run of each command none is left in the folder.

Prints the numbers (kills, kills during the write, leftovers seen and removed) and exits 1 if a
check failed. ``tests/qgis/test_output_safety.py`` runs a smaller round.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEFTOVER = re.compile(r"^\..+\.partial")


def sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def leftovers(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if LEFTOVER.match(p.name)}


def command(kind: str, demo: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "plugin.cli", kind, "--parcels", f"{demo}|layername=DLTB",
            "--units", f"{demo}|layername=ZZDY", "--pbf", f"{demo}|layername=YJJBNTTB", "--overwrite",
            "--out", str(out)]


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _wait_for_temp(proc: subprocess.Popen, folder: Path, present: set[str], timeout: float) -> float | None:
    """Seconds until the run's temporary file appears (None if it finished or timed out first)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if leftovers(folder) - present:
            return time.perf_counter() - t0
        if proc.poll() is not None:
            return None
        time.sleep(0.003)
    return None


def run(kind: str, demo: Path, out: Path) -> tuple[float, float]:
    """A normal run: (total seconds, seconds of the write phase — from the temporary file to the end)."""
    folder = out.parent
    present = leftovers(folder)
    t0 = time.perf_counter()
    proc = subprocess.Popen(command(kind, demo, out), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    start = _wait_for_temp(proc, folder, present, 600)
    _out, err = proc.communicate()
    total = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} failed: {err[-2000:]}")
    return total, (total - start) if start is not None else 0.0


def complete(kind: str, path: Path) -> bool:
    """A whole, valid result file (what a finished run writes)."""
    from osgeo_utils.samples import validate_gpkg

    try:
        errors = validate_gpkg.check(str(path), abort_at_first_error=False, warning_msg=False)
    except Exception:  # any failure to read is "not complete"
        return False
    if errors:
        return False
    from osgeo import ogr

    ds = ogr.Open(str(path))
    wanted = ("balance", "indicators") + (("units", "parcels", "rule_pack") if kind == "export" else ())
    return ds is not None and all(ds.GetLayerByName(n) is not None for n in wanted)


def kill_rounds(folder: Path, demo: Path, kills: int, seed: int = 1, log=print) -> dict:
    """The rounds; returns the numbers and the list of failed checks (empty = all passed)."""
    rng = random.Random(seed)
    targets = {"export": folder / "plan.gpkg", "balance": folder / "balance.gpkg"}
    timing = {kind: run(kind, demo, target) for kind, target in targets.items()}
    durations = {kind: t[0] for kind, t in timing.items()}
    writing = {kind: t[1] for kind, t in timing.items()}
    input_hash = sha(demo)
    stats = {"kills": 0, "finished_before_kill": 0, "kept_identical": 0, "replaced_before_kill": 0,
             "kills_with_leftovers": 0, "leftovers_seen": 0, "leftovers_removed_by_next_run": 0,
             "leftovers_after_last_run": 0, "durations_s": {k: round(v, 2) for k, v in durations.items()},
             "write_phase_s": {k: round(v, 2) for k, v in writing.items()}, "kills_in_write_phase": 0}
    failures: list[str] = []
    seen: set[str] = set()
    rounds = 0
    while stats["kills"] < kills and rounds < kills * 3:
        rounds += 1
        kind = ("export", "balance")[rounds % 2]
        target = targets[kind]
        before = sha(target)
        present = leftovers(folder)
        proc = subprocess.Popen(command(kind, demo, target), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # three kills in four while the output is being written (from the temporary file on), the
        # others anywhere in the run (start-up, reading, engine build)
        in_write = rng.random() < 0.75 and writing[kind] > 0
        if in_write:
            started = _wait_for_temp(proc, folder, present, durations[kind] * 3)
            delay = rng.uniform(0.0, writing[kind])
        else:
            started, delay = 0.0, rng.uniform(0.0, durations[kind])
        killed = False
        try:
            if started is None:
                raise subprocess.TimeoutExpired(proc.args, 0) if proc.poll() is None else RuntimeError
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
            stats["kills"] += 1
            stats["kills_in_write_phase"] += int(in_write and started is not None)
        except RuntimeError:
            pass
        if not killed:
            stats["finished_before_kill"] += 1
        now = leftovers(folder)
        gone = present - now
        stats["leftovers_removed_by_next_run"] += len(gone & seen)
        new = now - present
        if new:
            stats["kills_with_leftovers"] += 1
            stats["leftovers_seen"] += len(new)
            seen |= new
        if sha(demo) != input_hash:
            failures.append(f"round {rounds}: the input changed")
        after = sha(target)
        if after == before:
            stats["kept_identical"] += int(killed)
        elif complete(kind, target):
            stats["replaced_before_kill"] += int(killed)
        else:
            failures.append(f"round {rounds} ({kind}, killed after {delay:.2f} s): target damaged")
        log(f"round {rounds:>3} {kind:<7} after {delay:5.2f} s: "
            f"{'target kept' if after == before else 'target replaced'}, leftovers now {len(now)}")
    present = leftovers(folder)
    for kind, target in targets.items():  # the next runs clean up
        run(kind, demo, target)
    remaining = leftovers(folder)
    stats["leftovers_removed_by_next_run"] += len((present - remaining) & seen)
    stats["leftovers_after_last_run"] = len(remaining)
    if remaining:
        failures.append(f"leftovers after the next run: {sorted(remaining)}")
    for kind, target in targets.items():
        if not complete(kind, target):
            failures.append(f"{target.name} is not complete after the last run")
    stats["failures"] = failures
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=24)
    ap.add_argument("--parcels", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="lc-kill-") as tmp:
        folder = Path(tmp)
        demo = folder / "township.gpkg"
        subprocess.run([sys.executable, "-c", "from plugin.cli.common import start_qgis; start_qgis();"
                        "from plugin.demo.writer import write_demo_gpkg;"
                        f"write_demo_gpkg({str(demo)!r}, n_parcels={args.parcels}, seed=3)"],
                       cwd=ROOT, env=_env(), check=True)
        stats = kill_rounds(folder, demo, args.kills, args.seed)
    for key, value in stats.items():
        print(f"{key}: {value}")
    return 1 if stats["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
