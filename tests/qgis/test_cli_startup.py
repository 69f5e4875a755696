"""The command line's process defers qgis.gui (cli/startup.py) and still gives it to whoever asks."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import sys
from plugin.cli.startup import defer_qgis_gui
assert defer_qgis_gui()
import qgis.core
assert "qgis._gui" not in sys.modules, "qgis.gui was loaded by import qgis"
from qgis.gui import QgsMapCanvas
import qgis.gui
assert "qgis._gui" in sys.modules and qgis.gui.QgsMapCanvas is QgsMapCanvas
assert type(sys.modules["qgis.gui"]).__name__ == "module"
print("ok")
"""


def test_qgis_gui_is_loaded_only_when_used():
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def _balance_saying(tmp_path, at_exit: str, env: dict | None = None, n_parcels: int = 300) -> str:
    """The last line printed by ``python -m plugin.cli balance`` on a demo township, where ``at_exit`` (an
    expression) is printed when the process ends."""
    from plugin.demo.writer import write_demo_gpkg

    gpkg = tmp_path / "demo.gpkg"
    if not gpkg.exists():
        write_demo_gpkg(str(gpkg), n_parcels=n_parcels, seed=3)
    probe = ("import runpy, sys, atexit\n"
             f"atexit.register(lambda: print({at_exit}))\n"
             "sys.argv = ['plugin.cli'] + sys.argv[1:]\n"
             "runpy.run_module('plugin.cli', run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", probe, "balance", "--parcels", f"{gpkg}|layername=DLTB",
                           "--units", f"{gpkg}|layername=ZZDY", "--out", str(tmp_path / "b.gpkg"), "--overwrite"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", **(env or {})})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "b.gpkg").exists()
    return proc.stdout.strip().splitlines()[-1]


def test_the_balance_command_does_not_load_qgis_gui(tmp_path):
    assert _balance_saying(tmp_path, "'GUI' if 'qgis._gui' in sys.modules else 'NOGUI'") == "NOGUI"


def test_the_process_ends_with_its_code_its_output_and_its_exit_functions_run(tmp_path):
    """``python -m plugin.cli`` leaves without the interpreter's teardown (startup.leave): the exit
    code is the command's, everything printed arrives (also through a pipe), and what the process
    registered for its exit still runs (the runtime folder it made for Qt is removed)."""
    from plugin.demo.writer import write_demo_gpkg

    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=300, seed=3)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)}
    sources = ["--parcels", f"{gpkg}|layername=DLTB", "--units", f"{gpkg}|layername=ZZDY"]
    done = subprocess.run([sys.executable, "-m", "plugin.cli", "balance", *sources, "--out", str(tmp_path / "b.gpkg")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Rule pack:") and lines[-1] == f"Written: {(tmp_path / 'b.gpkg').resolve()}"
    assert any(line.startswith("Whole project: ") for line in lines)
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("lc-runtime-")]
    again = subprocess.run([sys.executable, "-m", "plugin.cli", "balance", *sources, "--out", str(tmp_path / "b.gpkg")],
                           cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert again.returncode == 2 and again.stderr.startswith("Error: ") and "exists already" in again.stderr
    assert "--overwrite" in again.stderr  # the option that replaces it, named
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("lc-runtime-")]


def test_a_profiled_run_still_writes_its_profile(tmp_path):
    """Under ``python -m cProfile`` the process ends as usual, so the profiler can write its file."""
    from plugin.demo.writer import write_demo_gpkg

    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=300, seed=3)
    prof = tmp_path / "run.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "plugin.cli", "balance",
                           "--parcels", f"{gpkg}|layername=DLTB", "--units", f"{gpkg}|layername=ZZDY",
                           "--out", str(tmp_path / "b.gpkg")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    import pstats

    assert any("summary_lines" in name for _f, _l, name in pstats.Stats(str(prof)).stats)


_PRELOAD = """
import sys
from plugin.cli import startup
assert "pandas" not in sys.modules and "qgis.core" not in sys.modules
startup.preload().join()
assert all(name in sys.modules for name in startup.SHARED), [n for n in startup.SHARED if n not in sys.modules]
assert "qgis.core" not in sys.modules, "the preloaded modules must not import QGIS (the main thread starts it)"
startup.preload(("no_such_module_lc", "wave")).join()
assert "no_such_module_lc" not in sys.modules and "wave" not in sys.modules
try:
    import no_such_module_lc
except ModuleNotFoundError as exc:
    print("ok", exc)
"""


def test_preload_imports_the_shared_modules_without_qgis_and_leaves_failures_to_the_command():
    """``python -m plugin.cli`` imports what the commands share on a thread while QGIS starts
    (startup.preload): none of it imports QGIS, and a module that fails to import is left for the
    command's own import to report as usual."""
    proc = subprocess.run([sys.executable, "-c", _PRELOAD], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok No module named 'no_such_module_lc'"


def test_the_command_line_asks_numpy_for_no_huge_pages_unless_told(tmp_path):
    """``python -m plugin.cli`` runs numpy without transparent huge pages (startup.no_huge_pages: with them
    the peak memory of a big run can depend on the kernel's timing); a user's own
    ``NUMPY_MADVISE_HUGEPAGE`` is kept."""
    numpy_core = "(getattr(sys.modules['numpy'], '_core', None) or sys.modules['numpy'].core)"  # numpy 2: _core
    huge = f"'HUGE', {numpy_core}.multiarray._get_madvise_hugepage()"
    assert _balance_saying(tmp_path, huge, n_parcels=200) == "HUGE False"
    assert _balance_saying(tmp_path, huge, {"NUMPY_MADVISE_HUGEPAGE": "1"}) == "HUGE True"
