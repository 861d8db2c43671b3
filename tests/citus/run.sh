#!/usr/bin/env bash
# The suite (or the paths given) against a local Citus cluster (docs/scale.md): builds Citus
# from the kit once, starts a fresh coordinator and two workers, runs pytest on the
# coordinator, and stops the cluster. `make test-citus` calls it.
#   CITUS_KIT   the kit's directory (build.sh, cluster.sh); default ../shared/citus
#   CITUS_DIR   the cluster's data (wiped first); default /tmp/crm-citus-$CITUS_PORT
#   CITUS_PORT  the coordinator's port, workers the next two; default 9710
set -euo pipefail
cd "$(dirname "$0")/../.."

KIT="${CITUS_KIT:-../shared/citus}"
if [ ! -f "$KIT/cluster.sh" ] || [ ! -f "$KIT/build.sh" ]; then
  echo "The Citus kit is not at $KIT: set CITUS_KIT to the directory with build.sh and cluster.sh." >&2
  exit 2
fi
KIT="$(cd "$KIT" && pwd)"
PORT="${CITUS_PORT:-9710}"
DIR="${CITUS_DIR:-/tmp/crm-citus-$PORT}"

bash "$KIT/build.sh"
bash "$KIT/cluster.sh" stop "$DIR" >/dev/null 2>&1 || true
rm -rf "$DIR"
# pytest-django's database is "test_" + the URL's name; a coordinator cannot create a
# database on its workers, so the kit creates it on every node and pytest reuses it.
CITUS_DB=test_crm_citus bash "$KIT/cluster.sh" start "$DIR" "$PORT"
trap 'bash "$KIT/cluster.sh" stop "$DIR" >/dev/null' EXIT
# Four shards per distributed table (two per worker) instead of Citus' 32: enough to put
# members on both workers and prove the plans, and Django's flush after each transactional
# test truncates 4 shards of a table instead of 32 (docs/scale.md sizes production's).
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d test_crm_citus \
  -c "ALTER DATABASE test_crm_citus SET citus.shard_count = 4"

DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/crm_citus" \
  .venv/bin/pytest -p no:cacheprovider --reuse-db "$@"
