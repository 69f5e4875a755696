#!/usr/bin/env bash
# Set up (idempotent) and run every test: core (no QGIS), headless QGIS, desktop QGIS under Xvfb —
# first on the host's QGIS 3.22 (Debian 12), then on QGIS 3.40 LTR in a Debian 13 chroot
# (scripts/test-qgis-3.40.sh; built once and cached, see docs/testing.md). Fails if either fails.
# LC_TEST_QGIS_340=0 runs the host suite only (quick, no root needed).
# Pytest arguments are passed to both runs. Artefacts (screenshots, exported files) go to
# ./artefacts (3.40: ./artefacts/qgis-trixie); the path is printed at the end.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh || exit 1
export QT_QPA_PLATFORM=offscreen
export LC_PLUGIN_ARTEFACTS="$here/artefacts"
mkdir -p "$LC_PLUGIN_ARTEFACTS"
.venv/bin/python -m ruff check . || { echo "ruff found problems"; exit 1; }
start=$SECONDS
.venv/bin/python -m pytest "$@"
rc=$?
echo "tests: QGIS 3.22 suite exit $rc ($((SECONDS - start)) s)"
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; rc=1; fi
if [ "${LC_TEST_QGIS_340:-1}" != "0" ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo -E); fi
  start=$SECONDS
  "${sudo[@]}" bash scripts/test-qgis-3.40.sh "$@"
  rc340=$?
  echo "tests: QGIS 3.40 suite exit $rc340 ($((SECONDS - start)) s)"
  if [ $rc340 -eq 5 ]; then echo "pytest collected no tests on 3.40: that is a failure"; rc340=1; fi
  [ $rc -eq 0 ] && rc=$rc340
fi
echo "artefacts: $LC_PLUGIN_ARTEFACTS"
exit $rc
