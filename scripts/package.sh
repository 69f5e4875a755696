#!/usr/bin/env bash
# Build dist/land_consolidation.zip: the folder QGIS's "Install from ZIP" expects, with LICENSE and
# a changelog made from the git history. `--release` builds the plugins.qgis.org upload and refuses
# while the metadata is not publishable (docs/release.md). All the work is in scripts/package.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec python3 "$here/scripts/package.py" "$@"
