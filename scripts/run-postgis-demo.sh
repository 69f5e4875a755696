#!/usr/bin/env bash
# The demo township on PostGIS (issue 12, docs/postgis.md): a throw-away local PostgreSQL/PostGIS
# cluster (never the system's), the planning schema (db init), the demo loaded (db load), then the
# balance computed inside the database (balance --in-database) and, for comparison, by the
# in-process engine reading the same tables. Headless; the cluster is removed at the end.
# Writes demo_output/postgis_balance.gpkg and demo_output/postgis_balance_in_process.gpkg.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
py=.venv/bin/python
out=demo_output
mkdir -p "$out"
if [ ! -f "$out/demo_township.gpkg" ]; then
  $py -m plugin.demo.writer --out "$out/demo_township.gpkg" --parcels 3500 --seed 42
fi
cluster=$($py -m plugin.adapters.postgis.local_cluster start)
trap '$py -m plugin.adapters.postgis.local_cluster stop "$cluster"' EXIT
# The connection is named by a service (pg_service.conf): no password on a command line or in a log.
export PGSERVICEFILE="$cluster/pg_service.conf"
db="service=lc_demo"
schema=land_consolidation
demo="$out/demo_township.gpkg"
echo "== db init"
$py -m plugin.cli db init --db "$db" --schema "$schema"
$py -m plugin.cli db init --db "$db" --schema "$schema"   # a second run: nothing to do
echo "== db load"
$py -m plugin.cli db load --db "$db" --schema "$schema" --parcels "$demo|layername=DLTB" \
  --units "$demo|layername=ZZDY" --pbf "$demo|layername=YJJBNTTB"
src=(--parcels "PG:$db|layername=$schema.parcels" --units "PG:$db|layername=$schema.plan_unit"
     --pbf "PG:$db|layername=$schema.pbf")
echo "== balance --in-database (SQL on the server; only sums leave it)"
time $py -m plugin.cli balance --in-database "${src[@]}" --overwrite --out "$out/postgis_balance.gpkg"
echo "== balance in-process (every row read into the engine), for comparison"
time $py -m plugin.cli balance "${src[@]}" --overwrite --out "$out/postgis_balance_in_process.gpkg" >/dev/null
$py - "$out/postgis_balance.gpkg" "$out/postgis_balance_in_process.gpkg" <<'PY'
import sqlite3, sys
rows = [dict(((u, d), (b, a)) for u, d, b, a in sqlite3.connect(p).execute(
    "SELECT unit_code, dlbm, area_before_m2, area_after_m2 FROM balance")) for p in sys.argv[1:]]
diff = max(max(abs(x - y) for x, y in zip(rows[0][k], rows[1][k])) for k in rows[1])
print(f"in-database vs in-process: {len(rows[0])} rows, same keys: {set(rows[0]) == set(rows[1])}, "
      f"largest difference {diff:.2g} m²")
PY
