#!/usr/bin/env bash
# Build dist/land_consolidation.zip: the folder QGIS's "Install from ZIP" expects.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
name=land_consolidation
rm -rf "build/$name" "dist/$name.zip"
mkdir -p "build/$name" dist
git ls-files -z -- metadata.txt __init__.py plugin ui resources i18n LICENSE README.md \
  | xargs -0 -I{} cp --parents {} "build/$name/"
# compiled translations are built, not always tracked
cp i18n/*.qm "build/$name/i18n/" 2>/dev/null || true
(cd build && python3 -m zipfile -c "../dist/$name.zip" "$name")
echo "dist/$name.zip"
