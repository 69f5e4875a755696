#!/usr/bin/env python3
"""Build the plugin zip QGIS's "Install from ZIP" and plugins.qgis.org take.

    python3 scripts/package.py [--out DIR] [--release]

The zip holds one folder, ``land_consolidation/``, with metadata.txt, LICENSE, README.md,
__init__.py, plugin/, ui/, resources/ and i18n/ (the .ts and the compiled .qm). The tests,
benchmarks and scripts stay out.

The changelog in the zip's metadata.txt is made from the git history at packaging time (the
repository's metadata.txt keeps only a pointer): one entry per ``vX.Y.Z`` tag (its annotation,
or the subjects of the commits since the previous tag), and for an untagged version the subjects
of the commits since the last tag, marked "unreleased". Without git (e.g. in the test chroot,
where the worktree's git directory is not mounted) the files are taken from the folders and the
changelog says where to find the history.

``--release`` builds the upload for plugins.qgis.org and refuses (exit 2) while the metadata is
not publishable: repository/tracker/homepage/email unset or on example.org, the version not
tagged ``v<version>`` at HEAD, or uncommitted changes.
Only the standard library: it runs in any Python 3.9+, QGIS's included.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "land_consolidation"
CONTENT = ["metadata.txt", "LICENSE", "README.md", "__init__.py", "plugin", "ui", "resources", "i18n"]
SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".orig", ".rej", ".swp"}
RELEASE_KEYS = ("repository", "tracker", "homepage", "email")
MAX_SUBJECTS = 12


class PackageError(Exception):
    pass


def _git(*args: str) -> str | None:
    try:
        run = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return run.stdout if run.returncode == 0 else None


def plugin_files() -> list[Path]:
    """Paths (relative to the repository) that go into the zip: files git does not ignore, plus built .qm."""
    tracked = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *CONTENT)
    if tracked is not None:
        files = {Path(p) for p in tracked.split("\0") if p}
    else:
        files = set()
        for entry in CONTENT:
            path = ROOT / entry
            if path.is_file():
                files.add(Path(entry))
            elif path.is_dir():
                files.update(p.relative_to(ROOT) for p in path.rglob("*") if p.is_file())
    files.update(p.relative_to(ROOT) for p in (ROOT / "i18n").glob("*.qm"))  # built, maybe untracked
    keep = [p for p in files if (ROOT / p).is_file() and not SKIP_PARTS.intersection(p.parts)
            and p.suffix not in SKIP_SUFFIXES]
    missing = [name for name in ("metadata.txt", "LICENSE", "__init__.py") if Path(name) not in keep]
    if missing:
        raise PackageError(f"missing from the plugin: {', '.join(missing)}")
    if not any(p.suffix == ".qm" for p in keep):
        raise PackageError("no compiled translation (i18n/*.qm): run `bash scripts/setup.sh` or lrelease first")
    return sorted(keep)


def _version_key(tag: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", tag))


def _subjects(rev_range: str) -> list[str]:
    out = _git("log", "--no-merges", "--format=%s", rev_range) or ""
    return [s.strip() for s in out.splitlines() if s.strip()]


def _entry(version: str, date: str, subjects: list[str]) -> list[str]:
    lines = [f"{version} ({date})" if date else version]
    shown = subjects[:MAX_SUBJECTS]
    lines += [f"- {s if len(s) <= 160 else s[:157] + '...'}" for s in shown]
    if len(subjects) > len(shown):
        lines.append(f"- … and {len(subjects) - len(shown)} more changes (git log)")
    return lines


def changelog(version: str) -> list[str] | None:
    """Changelog lines (newest first) from git tags vX.Y.Z and the log; None without git history."""
    if _git("rev-parse", "HEAD") is None:
        return None
    tags = sorted((t for t in (_git("tag", "--list", "v[0-9]*") or "").split() if t), key=_version_key)
    entries: list[list[str]] = []
    previous = None
    for tag in tags:
        note = (_git("tag", "-l", "--format=%(contents:subject)", tag) or "").strip()
        rev_range = f"{previous}..{tag}" if previous else tag
        subjects = [note] if note and _git("cat-file", "-t", tag) == "tag\n" else _subjects(rev_range)
        date = (_git("log", "-1", "--format=%cs", tag) or "").strip()
        entries.append(_entry(tag[1:], date, subjects))
        previous = tag
    if f"v{version}" not in tags:
        pending = _subjects(f"{previous}..HEAD" if previous else "HEAD")
        if pending:
            entries.append(_entry(f"{version} (unreleased)", "", pending))
    return [line for entry in reversed(entries) for line in entry]


def metadata_text() -> tuple[str, configparser.ConfigParser]:
    text = (ROOT / "metadata.txt").read_text(encoding="utf-8")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return text, parser


def with_changelog(text: str, lines: list[str]) -> str:
    """metadata.txt with its ``changelog=`` value (and continuation lines) replaced."""
    body = "changelog=" + "\n    ".join(["", *lines] if lines else ["see the project's git history"])
    pattern = re.compile(r"^changelog=.*?(?=^\S|\Z)", re.M | re.S)
    if pattern.search(text):
        return pattern.sub(lambda _m: body + "\n", text, count=1)
    return text.rstrip("\n") + "\n" + body + "\n"


def release_problems(meta: configparser.ConfigParser) -> list[str]:
    general = meta["general"]
    problems = []
    for key in RELEASE_KEYS:
        value = general.get(key, "").strip()
        if not value:
            problems.append(f"metadata.txt: {key}= is empty (see docs/release.md)")
        elif "example.org" in value or "example.com" in value:
            problems.append(f"metadata.txt: {key}= points to {value} (see docs/release.md)")
    version = general.get("version", "").strip()
    head_tags = (_git("tag", "--points-at", "HEAD") or "").split()
    if f"v{version}" not in head_tags:
        problems.append(f"HEAD is not tagged v{version}: tag the release (git tag -a v{version}) first")
    if _git("status", "--porcelain", "--untracked-files=no"):
        problems.append("uncommitted changes: a release is built from a clean checkout")
    return problems


def build(out_dir: Path, release: bool = False) -> Path:
    text, meta = metadata_text()
    version = meta["general"]["version"].strip()
    if release:
        problems = release_problems(meta)
        if problems:
            raise PackageError("not building a release zip for plugins.qgis.org:\n  " + "\n  ".join(problems))
    lines = changelog(version)
    if lines is None and release:
        raise PackageError("a release needs the git history (for the changelog)")
    files = plugin_files()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (f"{NAME}.{version}.zip" if release else f"{NAME}.zip")
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in files:
            arcname = f"{NAME}/{rel.as_posix()}"
            if rel == Path("metadata.txt"):
                archive.writestr(arcname, with_changelog(text, lines or []))
            else:
                archive.write(ROOT / rel, arcname)
    os.replace(tmp, target)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "dist"), help="folder for the zip (default dist/)")
    parser.add_argument("--release", action="store_true", help="the upload for plugins.qgis.org (strict)")
    args = parser.parse_args(argv)
    try:
        path = build(Path(args.out), args.release)
    except PackageError as error:
        print(f"package: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
