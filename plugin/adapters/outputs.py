"""Output safety shared by every writer: never write over an input, clean up after killed runs.

* :func:`refuse_inputs` — a command must not write over one of its own inputs (the parcel
  GeoPackage, a shapefile's ``.dbf``, the rule pack…), whether the output is named by the same
  path, another spelling, a symbolic or a hard link (``os.path.samefile``: same device and
  inode), or the input is given as a source string (``file.gpkg|layername=DLTB``,
  ``GPKG:file.gpkg:DLTB``, ``/vsizip/file.zip/…``).
* :func:`temp_prefix` — every temporary file or folder is named
  ``.<stem>.lctmp<pid>x<host>-<random>.partial…`` beside its target, so that a later run can
  recognise it: :func:`remove_leftovers` deletes those whose process is gone (killed, crashed,
  power cut) and never those of a run that is still going (another QGIS, a second command).
"""
from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import re
import shutil
import socket
import sys
import time
from pathlib import Path
from typing import Iterable

from ..core.errors import PlanError
from ..core.i18n import tr

TEMP_TAG = "lctmp"
#: leftovers of a process on another machine (a shared folder) or of a pid reused since, after this long
STALE_SECONDS = 48 * 3600
#: leftovers named by earlier versions (no pid in the name): removed once this old
LEGACY_SECONDS = 3600
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".qml", ".idx")
_OURS = re.compile(r"^\..+\." + TEMP_TAG + r"(?P<pid>\d+)x(?P<host>[0-9a-f]{4})-[A-Za-z0-9_]+\.partial"
                   r"(\.[A-Za-z0-9]+)?(-wal|-shm|-journal)?$")
_LEGACY = re.compile(r"^\..+\.[a-z0-9_]{8}\.partial(\.(gpkg|pdf|png|xlsx|csv))?(-wal|-shm|-journal)?$")
#: temporary names of writes going on in this process (never removed as leftovers)
_ACTIVE: set[str] = set()


class WriteError(PlanError):
    """The output could not be written; the old file (if any) is untouched."""


class OverwritesInputError(WriteError):
    """An output names one of the command's inputs (or another output); nothing was written."""


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:4]


def temp_prefix(target: Path) -> str:
    """The prefix of a temporary name beside ``target`` (mkstemp/mkdtemp add a random part)."""
    return f".{target.stem}.{TEMP_TAG}{os.getpid()}x{_host_tag()}-"


def register(path: str | os.PathLike) -> None:
    _ACTIVE.add(os.path.basename(os.fspath(path)))


def unregister(path: str | os.PathLike) -> None:
    _ACTIVE.discard(os.path.basename(os.fspath(path)))


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie counts as gone)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: exists, not ours
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _is_leftover(name: str, mtime: float, now: float) -> bool:
    if name in _ACTIVE:
        return False
    m = _OURS.match(name)
    if m:
        pid = int(m.group("pid"))
        if now - mtime > STALE_SECONDS:
            return True
        if m.group("host") != _host_tag():
            return False  # another machine's run on a shared folder: only its age tells
        if pid == os.getpid():
            return re.sub(r"(-wal|-shm|-journal)$", "", name) not in _ACTIVE
        return not pid_alive(pid)
    return bool(_LEGACY.match(name)) and now - mtime > LEGACY_SECONDS


def remove_leftovers(folder: str | os.PathLike) -> list[Path]:
    """Delete the temporary files/folders of killed or crashed runs in ``folder``; returns them.

    Only names made by :func:`temp_prefix` (or by earlier versions of the plugin) are touched.
    Errors are ignored: a leftover that cannot be removed now is tried again next time.
    """
    folder = Path(folder)
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith(".") or ".partial" not in name:
            continue
        try:
            mtime = entry.stat(follow_symlinks=False).st_mtime
            if not _is_leftover(name, mtime, now):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


# --------------------------------------------------------------------------- failures
_FULL_TEXTS = ("disk is full", "no space left", "disk full", "not enough space", "quota exceeded")


def disk_full(exc: BaseException | None, folder: str | os.PathLike | None = None) -> bool:
    """Whether a write failed because the disk (or the quota) is full.

    GDAL and SQLite report it in words ("database or disk is full") or, at times, with an empty
    message: then the free space of ``folder`` decides.
    """
    if exc is not None:
        if getattr(exc, "errno", None) in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
            return True
        text = str(exc).lower()
        if any(t in text for t in _FULL_TEXTS):
            return True
        if text.strip():
            return False
    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < (1 << 20)
    except OSError:
        return False


@contextlib.contextmanager
def collect_unraisable(collect: bool = True):
    """Errors raised while objects are destroyed (a GeoPackage or a zip closed on a full disk) are
    collected into the yielded list instead of being printed as "Exception ignored in …".

    ``collect``: also run the garbage collector (for objects held in reference cycles of a failed
    write); not on the success path, where it would cost seconds with a county in memory.
    """
    caught: list[BaseException] = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: caught.append(unraisable.exc_value)
    try:
        yield caught
    finally:
        if collect:
            gc.collect()
        sys.unraisablehook = old


def release(exc: BaseException) -> None:
    """Drop the tracebacks of a failed write (its whole chain), so that the objects they hold (an
    open dataset, a half-written zip) are closed now — call it inside :func:`collect_unraisable`."""
    todo, seen = [exc], set()
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = None
        todo += [e.__cause__, e.__context__]


# --------------------------------------------------------------------------- inputs
def source_paths(source: str | os.PathLike | None) -> list[Path]:
    """The files behind a data source string (none for a database connection or a service).

    ``file.gpkg|layername=DLTB`` → file.gpkg (and its -wal/-shm/-journal);
    ``GPKG:file.gpkg:DLTB`` → file.gpkg; ``/vsizip/a.zip/x.shp`` → a.zip;
    ``file.shp`` → file.shp, .dbf, .shx, .prj, .cpg …; ``PG:…``/``postgresql://…`` → [].
    """
    if source is None:
        return []
    text = os.fspath(source).strip()
    if not text:
        return []
    lower = text.lower()
    if lower.startswith(("pg:", "postgresql:", "postgres:", "mssql:", "oci:", "mysql:", "http:", "https:",
                         "wfs:", "memory", "virtual:")):
        return []
    text = text.split("|", 1)[0]
    if lower.startswith("file://"):
        text = text[7:]
    if text.upper().startswith("GPKG:"):
        rest = text[5:]
        # GPKG:path:layer — the path may hold a drive letter (C:\…): cut at the last colon
        text = rest.rsplit(":", 1)[0] if rest.count(":") > (1 if re.match(r"^[A-Za-z]:", rest) else 0) else rest
    m = re.match(r"^/vsi(zip|gzip|tar|7z|rar)/(.+?\.(zip|gz|tar|tgz|7z|rar))(/|$)", text, re.I)
    if m:
        text = m.group(2)
    elif text.startswith("/vsi"):
        return []
    path = Path(text).expanduser()
    out = [path] + [Path(str(path) + s) for s in _SIDE_SUFFIXES]
    if path.suffix.lower() in _SHAPEFILE_PARTS:
        out += [path.with_suffix(s) for s in _SHAPEFILE_PARTS + tuple(s.upper() for s in _SHAPEFILE_PARTS)]
    return out


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two names are the same file: same inode and device (links), else the same real path."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    try:
        ra = os.path.normcase(os.path.realpath(os.path.expanduser(os.fspath(a))))
        rb = os.path.normcase(os.path.realpath(os.path.expanduser(os.fspath(b))))
    except (OSError, ValueError):
        return False
    return ra == rb


def refuse_inputs(targets: Iterable[str | os.PathLike | None], sources: Iterable[str | os.PathLike | None]) -> None:
    """Raise :class:`OverwritesInputError` if an output is one of the inputs, or two outputs are one file."""
    targets = [Path(os.fspath(t)).expanduser() for t in targets if t]
    files = [(os.fspath(s), p) for s in sources if s for p in source_paths(s)]
    for t in targets:
        for source, p in files:
            if same_file(t, p):
                raise OverwritesInputError(
                    tr("The output {0} is the input {1}: writing it would destroy the input. Choose another "
                       "output file; nothing was written.").format(t, source))
    for i, a in enumerate(targets):
        for b in targets[i + 1:]:
            if same_file(a, b):
                raise OverwritesInputError(
                    tr("Two outputs name the same file {0}; give each its own name.").format(a))


__all__ = ["OverwritesInputError", "WriteError", "collect_unraisable", "disk_full", "pid_alive", "refuse_inputs",
           "release", "remove_leftovers", "same_file", "source_paths", "temp_prefix"]
