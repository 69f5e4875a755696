"""The peak memory of ``plugin.cli balance`` as a whole process, with other CPU-bound processes beside it.

    .venv/bin/python -m bench.cli_memory [--gpkg bench/data/bulk_1000000.gpkg] [--runs 3] [--burners 2] \\
        [--code DIR] [--timeline out.json]

Each run: wall and CPU time (user + system) and the peak RSS from ``wait4`` (``ru_maxrss``, printed in
MiB and in MB = 10⁶ bytes), and, sampled from ``/proc/<pid>/status`` every 10 ms, the largest RSS, its
anonymous and file-backed parts at that moment and the most the process had in transparent huge pages
(``AnonHugePages``, from ``smaps_rollup`` every 100 ms). ``--burners N`` starts N ``nice`` Python loops
beside the runs (load); ``--code DIR`` runs the CLI of another checkout (``git archive main | tar -x -C
DIR``); the runs themselves are ``nice``. bench/README.md, "Peak memory of the CLI at 1 M parcels".
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.engine_bench import DATA, ROOT
from bench.pipelines_bench import _env, _loadavg, cli_cmd


def _field(text: str, name: str) -> int:
    return int(text.split(name + ":")[1].split()[0]) if name + ":" in text else 0


def one_run(gpkg: Path, code: Path) -> dict:
    """Wall, CPU, ``ru_maxrss`` and the sampled RSS of one ``balance`` run."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["nice", "-n", "10", *cli_cmd(gpkg, Path(tmp) / "b.gpkg", False)]
        load, t0 = _loadavg(), time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=code, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples: list = []  # (seconds, RSS, anonymous, file-backed, huge) in KiB
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                try:
                    status = Path(f"/proc/{proc.pid}/status").read_text()
                    huge = (_field(Path(f"/proc/{proc.pid}/smaps_rollup").read_text(), "AnonHugePages")
                            if len(samples) % 10 == 0 else 0)
                    samples.append((time.perf_counter() - t0, _field(status, "VmRSS"), _field(status, "RssAnon"),
                                    _field(status, "RssFile"), huge))
                except (OSError, IndexError, ValueError):
                    pass
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    top = max(samples, key=lambda s: s[1], default=(0.0, 0, 0, 0, 0))
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_MiB": round(usage.ru_maxrss / 1024, 1), "peak_MB": round(usage.ru_maxrss * 1024 / 1e6, 1),
            "sampled_peak_at_s": round(top[0], 2),
            "sampled_peak_anon_file_MB": [round(v * 1024 / 1e6) for v in top[2:4]],
            "max_huge_pages_MB": round(max((s[4] for s in samples), default=0) * 1024 / 1e6),
            "load": [load, _loadavg()], "samples": samples}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.cli_memory")
    ap.add_argument("--gpkg", type=Path, default=DATA / "bulk_1000000.gpkg")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--burners", type=int, default=0, help="CPU-bound processes beside the runs")
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout whose CLI runs")
    ap.add_argument("--timeline", type=Path, help="write every run's samples here (JSON)")
    args = ap.parse_args(argv)
    burners = [subprocess.Popen(["nice", "-n", "10", sys.executable, "-c", "while True: pass"])
               for _ in range(args.burners)]
    runs = []
    try:
        time.sleep(3 if burners else 0)
        for _ in range(args.runs):
            runs.append(one_run(args.gpkg, args.code))
            print(json.dumps({k: v for k, v in runs[-1].items() if k != "samples"}), flush=True)
    finally:
        for b in burners:
            b.kill()
            b.wait()
    if args.timeline:
        args.timeline.write_text(json.dumps([r["samples"] for r in runs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
