"""What the command line's process loads before QGIS (only what its commands use), and how it ends.

``import qgis`` (even ``qgis.core``) imports ``qgis.gui`` — the map canvas, every widget, half a
second or more — only to register QGIS's widgets with Qt Designer's loader. No command draws a
widget; :func:`defer_qgis_gui` puts a stand-in for ``qgis.gui`` in its place, which loads the real
module the first time anything asks it for a name (a command that does get the real thing, later).
Measured in bench/README.md ("The whole process").

:func:`leave` ends the process without the interpreter's teardown: once a command has returned, its
files are written, closed and moved into place; freeing the engine object by object (hundreds of
thousands of arrays, geometries and dicts) and QGIS's shutdown would only cost time (~0.2–0.5 s
at 200 000 parcels) before the operating system takes the memory back anyway.

:func:`start_qgis` starts the GUI-less QgsApplication; ``python -m plugin.cli`` starts it before it
imports the commands, while :func:`preload` imports what they share (pandas, numpy, shapely, the
engine and the report: ~0.5 s) on a worker thread: ``initQgis`` (loading QGIS's providers, its CRS
database…) runs in C++ without holding the GIL, so the two overlap.
"""
from __future__ import annotations

import atexit
import importlib
import importlib.abc
import importlib.machinery
import os
import shutil
import sys
import tempfile
import threading
import types

_NAME = "qgis.gui"
#: what every command imports, in the order they need it: imported by :func:`preload`
_CORE = __name__.split(".")[0] + ".core"
SHARED = ("numpy", "pandas", "shapely", f"{_CORE}.engine", f"{_CORE}.fields_columns", f"{_CORE}.report")
_app = None


class _DeferredGui(types.ModuleType):
    """``qgis.gui`` until it is used: the first name asked of it loads the real module."""

    def __getattr__(self, name: str):
        if name.startswith("__") and name != "__all__":
            raise AttributeError(name)
        real = _load()
        self.__dict__.update({k: v for k, v in vars(real).items() if not k.startswith("__")})
        return getattr(real, name)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers the import of ``qgis.gui`` with the stand-in (so ``qgis`` gets it as an attribute)."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.machinery.ModuleSpec(fullname, self) if fullname == _NAME else None

    def create_module(self, spec):
        return _DeferredGui(_NAME, "qgis.gui, loaded on first use (plugin/cli/startup.py)")

    def exec_module(self, module) -> None:
        pass


_FINDER = _Finder()


def _load() -> types.ModuleType:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    stand_in = sys.modules.get(_NAME)
    if not isinstance(stand_in, _DeferredGui):
        return stand_in
    del sys.modules[_NAME]
    real = importlib.import_module(_NAME)
    qgis = sys.modules.get("qgis")
    if qgis is not None:
        qgis.gui = real
    return real


def defer_qgis_gui() -> bool:
    """Install the stand-in, if ``qgis`` is not imported yet (True when installed)."""
    if "qgis" in sys.modules or _NAME in sys.modules or _FINDER in sys.meta_path:
        return False
    sys.meta_path.insert(0, _FINDER)
    return True


def _observed() -> bool:
    """True under a profiler, tracer or debugger: ``sys.setprofile`` / ``sys.settrace``, or, from
    Python 3.12, a tool of ``sys.monitoring`` (cProfile on 3.12+, coverage's sysmon core)."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))


def leave(code: int) -> None:
    """Exit with ``code`` once the output is flushed and the ``atexit`` functions have run, without
    the interpreter's teardown (:mod:`plugin.cli.startup`). Where the output cannot be flushed (a
    closed pipe) the interpreter ends as usual, and reports it as usual; so it does under a profiler
    or a tracer (``python -m cProfile``, coverage), which write their results after the program."""
    if _observed():
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    atexit._run_exitfuncs()  # what the interpreter would run at exit: the runtime folder, logging's flush
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(int(code))


def start_qgis():
    """A GUI-less QgsApplication, once per process (kept referenced so Qt doesn't free it)."""
    global _app
    if _app is not None:
        return _app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        # Without it Qt prints a warning on every start of a headless run.
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="lc-runtime-")
        atexit.register(shutil.rmtree, os.environ["XDG_RUNTIME_DIR"], True)
    from qgis.core import QgsApplication

    if QgsApplication.instance() is not None:
        _app = QgsApplication.instance()
        return _app
    QgsApplication.setPrefixPath(os.environ.get("QGIS_PREFIX_PATH", "/usr"), True)
    _app = QgsApplication([], False)
    _app.initQgis()
    return _app


def no_huge_pages() -> None:
    """Ask numpy not to back its big arrays with transparent huge pages (``NUMPY_MADVISE_HUGEPAGE=0``,
    read when numpy is imported; a value already set is kept). With them, the kernel's khugepaged may,
    at moments of its own, fill 2 MB pages around freed parts of the heap: the peak memory of a
    million-parcel run then depends on timing (bench/README.md, session 10)."""
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


def preload(names: tuple = SHARED) -> threading.Thread:
    """Import ``names`` on a daemon thread (the modules of :mod:`plugin.core` are pure Python: none
    imports QGIS, so the two threads never wait for each other's imports). A module that fails to
    import here is left out: the command's own import then fails with its usual message."""

    def work() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:  # the main thread's own import reports it
                return

    thread = threading.Thread(target=work, name="lc-preload", daemon=True)
    thread.start()
    return thread
