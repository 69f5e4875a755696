#!/usr/bin/env bash
# Open the demo township in the real QGIS desktop with this plugin loaded, in a throw-away
# profile (your own QGIS profile and settings are not touched). Needs a screen
# (DISPLAY or WAYLAND_DISPLAY); without one it runs under Xvfb and saves a screenshot.
# Chinese by default; LC_QGIS_LOCALE=en_US for English.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh
locale="${LC_QGIS_LOCALE:-zh-Hans}"  # QGIS's name for Simplified Chinese; en_US for English
case "$locale" in zh*) demo_lang=zh_CN.UTF-8 ;; *) demo_lang=en_US.UTF-8 ;; esac
# the plan is exported in the language QGIS will speak (layer names, legend)
LANG=$demo_lang LC_ALL=$demo_lang QT_QPA_PLATFORM=offscreen .venv/bin/python -m plugin.cli demo \
  --out-dir demo_output >/dev/null
profiles="$(mktemp -d -t lc-qgis-profile-XXXXXX)"
profile="$profiles/profiles/default"
mkdir -p "$profile/python/plugins" "$profile/QGIS"
ln -s "$here" "$profile/python/plugins/land_consolidation"
cat > "$profile/QGIS/QGIS3.ini" <<INI
[PythonPlugins]
land_consolidation=true
processing=true
[locale]
userLocale=$locale
overrideFlag=true
[qgis]
checkVersion=false
showTips=false
INI
# QGIS's own Python must see the venv's shapely >= 2 and pandas.
site="$(.venv/bin/python -c 'import shapely, os; print(os.path.dirname(os.path.dirname(shapely.__file__)))')"
export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
# The planning project: source layers, styles and the plugin's set-up; docks shown on start.
args=(--profiles-path "$profiles" --profile default --nologo --noversioncheck --lang "$locale"
      --project "$here/demo_output/demo_planning.qgz" --code "$here/scripts/qgis_show_docks.py")
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No screen: running QGIS under Xvfb for 40 s and saving artefacts/run-qgis.png"
  mkdir -p artefacts
  xvfb-run -a -s "-screen 0 1600x1000x24" bash -c "qgis ${args[*]@Q} & pid=\$!; sleep 40; import -window root artefacts/run-qgis.png; kill \$pid" || true
  exit 0
fi
exec qgis "${args[@]}"
