#!/usr/bin/env bash
# Set up (idempotent), then the main job on the bundled demo township, headless:
# build the demo data, compute the balances, export the plan GeoPackage, print the
# per-unit summary with pass/fail (Chinese on a zh locale, English otherwise).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh
QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m plugin.cli demo --out-dir demo_output "$@"
