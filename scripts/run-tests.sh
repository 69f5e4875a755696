#!/usr/bin/env bash
# Set up (idempotent) and run every test: core (no QGIS), headless QGIS, desktop QGIS under Xvfb.
# Artefacts (screenshots, exported files) go to ./artefacts; the path is printed at the end.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh || exit 1
export QT_QPA_PLATFORM=offscreen
export LC_PLUGIN_ARTEFACTS="$here/artefacts"
mkdir -p "$LC_PLUGIN_ARTEFACTS"
.venv/bin/python -m ruff check . || { echo "ruff found problems"; exit 1; }
.venv/bin/python -m pytest "$@"
rc=$?
echo "artefacts: $LC_PLUGIN_ARTEFACTS"
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi
exit $rc
