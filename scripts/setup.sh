#!/usr/bin/env bash
# Idempotent set-up of everything the plugin, its demo and its tests need on Debian 12.
# - Debian packages (QGIS from Debian, Xvfb, CJK fonts, ImageMagick, Qt translation tools)
# - .venv at the repository root, made from /usr/bin/python3 with the system site packages
#   (QGIS's Python bindings live there), with the pinned pip dependencies.
# - compiled translations (i18n/*.qm).
# A second run on a set-up machine only checks and returns in seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

apt_packages=(qgis python3-qgis qgis-providers python3-gdal gdal-bin python3-venv python3-pip
              xvfb xauth fonts-noto-cjk imagemagick qttools5-dev-tools pyqt5-dev-tools make
              postgresql-15-postgis-3 python3-psycopg2)
# PostgreSQL/PostGIS: only the binaries; the tests and scripts/run-postgis-demo.sh start their own
# throw-away cluster (plugin/adapters/postgis/local_cluster.py), Debian's own cluster is left alone.
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "setup: need root to run: apt-get install -y ${missing[*]}" >&2; exit 1; fi
  else SUDO=""; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv from /usr/bin/python3 (with system site packages for QGIS)"
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi

# Translations: build .qm from .ts when the source is newer.
for ts in i18n/*.ts; do
  [ -e "$ts" ] || continue
  qm="${ts%.ts}.qm"
  if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then
    lrelease -silent "$ts" -qm "$qm" >/dev/null
  fi
done
echo "setup: ready ($(.venv/bin/python -c 'import qgis.core as q, shapely, pandas; print("QGIS", q.Qgis.QGIS_VERSION, "shapely", shapely.__version__, "pandas", pandas.__version__)'))"
