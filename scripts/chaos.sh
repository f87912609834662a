#!/usr/bin/env bash
# make chaos: a seeded firm backfilled on the production shape (scripts/cluster_lib.sh)
# while its parts fail in turn, ending with every record checked in QuickBooks.
#
# Everything runs in a folder of its own, on ports of its own and on a PostgreSQL
# cluster of its own (initdb into that folder), so nothing else on the machine is
# disturbed. Every 15-30 s one of the two workers is SIGKILLed and restarted; every
# third time the Temporal server is SIGKILLed too, and the time after that PostgreSQL
# is stopped the hard way (immediate) and started again. Meanwhile the QuickBooks
# sandbox answers 2% of requests 500/503, loses the answer to 2% of writes it performed,
# throttles a burst of requests (429) every round and expires the access tokens every
# other round. At the end: `starter audit` (duplicates, missing, the books reconciled),
# the time taken, and what was done to the run.
#
# Settings: QBOSYNC_CHAOS_SIZE (small, medium or large; default medium, some 10 minutes
# on 2 cores), QBOSYNC_CHAOS_SEED (default 1), QBOSYNC_CHAOS_PORT (first port, default
# 19500: the cluster's ports from there, PostgreSQL 50 up), QBOSYNC_CHAOS_TIMEOUT
# (seconds for the backfill, default 3600), QBOSYNC_CHAOS_KEEP=1 keeps the folder.
set -euo pipefail
SIZE=${QBOSYNC_CHAOS_SIZE:-medium}
SEED=${QBOSYNC_CHAOS_SEED:-1}
CHAOS_PORT=${QBOSYNC_CHAOS_PORT:-19500}
TIMEOUT=${QBOSYNC_CHAOS_TIMEOUT:-3600}
RUN=$(mktemp -d /tmp/qbosync-chaos.XXXXXX)
export QBOSYNC_CLUSTER_HOME=$RUN/cluster QBOSYNC_CLUSTER_PORT=$CHAOS_PORT
export QBOSYNC_CLUSTER_PG=127.0.0.1:$((CHAOS_PORT + 50)) QBOSYNC_CLUSTER_DB=qbosync_chaos
source "$(dirname "$0")/cluster_lib.sh"

PGBIN=${QBOSYNC_CHAOS_PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA=$RUN/pg
# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
pg_ctl_run() { "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" "$@" >>"$RUN/pg_ctl.log" 2>&1; }

start_postgres() {
  pg_ctl_run -w -t 60 -l "$RUN/postgres.log" start \
    -o "-p ${PG##*:} -c listen_addresses=127.0.0.1 -k $PGDATA -c max_connections=200" ||
    die "the chaos run's PostgreSQL did not start; see $RUN/postgres.log"
}

# new_postgres: a cluster of the run's own, trust auth for user postgres.
new_postgres() {
  [ -x "$PGBIN/initdb" ] || die "no $PGBIN/initdb: install Debian's postgresql, or set QBOSYNC_CHAOS_PGBIN"
  if listening "$PG"; then die "the chaos run's PostgreSQL port $PG is taken by $(port_holder "$PG")"; fi
  mkdir -p "$PGDATA"
  if [ ${#as_pg[@]} -gt 0 ]; then chown postgres "$RUN" "$PGDATA"; fi
  "${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust >"$RUN/initdb.log" 2>&1 ||
    die "initdb failed; see $RUN/initdb.log"
  start_postgres
}

# teardown: stop what the run started, then remove its folder unless told to keep it
# or the run failed.
teardown() {
  local rc=$?
  if [ -n "${chaos_pid:-}" ]; then kill "$chaos_pid" 2>/dev/null || true; wait "$chaos_pid" 2>/dev/null || true; fi
  if [ -n "${backfill_pid:-}" ]; then kill "$backfill_pid" 2>/dev/null || true; fi
  cluster_down >/dev/null 2>&1 || true
  pg_ctl_run -m fast stop || true
  if [ "$rc" = 0 ] && [ -z "${QBOSYNC_CHAOS_KEEP:-}" ]; then
    rm -rf "$RUN"
  else
    say "the run's logs are in $RUN"
  fi
}
trap teardown EXIT

starter() { "$ROOT/bin/starter" "$@"; }
sql() { psql_pg -d "$DB_PREFIX" -c "$1"; }
faults() { curl -fsS -X POST "http://$SANDBOX/admin/faults?realm=$REALM" -d "$1" >/dev/null || true; }
log() { printf '%4ds  %s\n' $((SECONDS - T0)) "$*" | tee -a "$RUN/chaos.log" >&2; }

# chaos: the failures, in turn, until killed. Every step waits for what it restarts.
chaos() {
  local round=0 w
  while :; do
    sleep $((15 + RANDOM % 16))
    round=$((round + 1))
    faults "{\"serverErrorRate\":0.02,\"loseResponseRate\":0.02,\"throttleBurst\":10,\"expireAccessTokens\":$([ $((round % 2)) = 0 ] && echo true || echo false)}"
    w=${WORKERS[$((round % 2))]}
    log "round $round: SIGKILL $w; 10 answers 429$([ $((round % 2)) = 0 ] && echo '; access tokens expired')"
    kill_bg "$w"
    case $((round % 6)) in
    3)
      log "round $round: SIGKILL the Temporal server"
      kill_server
      sleep 3
      start_server >/dev/null 2>&1
      log "round $round: the Temporal server is back"
      ;;
    0)
      log "round $round: PostgreSQL stopped (immediate) and started"
      pg_ctl_run -m immediate stop || true
      sleep 3
      start_postgres
      log "round $round: PostgreSQL is back"
      ;;
    esac
    sleep 2
    revive "$w"
  done
}

# revive starts again whatever of the cluster is down, saying so when it was not this
# script's doing: a part that exits on its own under the faults is a finding.
revive() {
  local w
  if ! running_bg temporal-server; then
    log "the Temporal server is not running; starting it"
    start_server >/dev/null 2>&1
  fi
  for w in "${WORKERS[@]}"; do
    running_bg "$w" && continue
    [ "$w" = "${1:-}" ] || log "$w had exited by itself (see its log); starting it"
    start_worker "$w"
  done
}

say "chaos run in $RUN: a $SIZE firm (seed $SEED), PostgreSQL on $PG, Temporal on $FRONTEND"
new_postgres
cluster_up
starter seed --size "$SIZE" --seed "$SEED" >"$RUN/seed.log"
FIRM=$(sed -n 's/^firm \([0-9]*\) .*/\1/p' "$RUN/seed.log")
# Records that existed before qbosync was installed: nothing in the change feed, so the
# backfill brings them all.
sql "delete from pms_changes where firm_id = $FIRM" >/dev/null
starter connect --firm "$FIRM" --approve >"$RUN/connect.log"
REALM=$(sql "select realm_id from qbo_connections where firm_id = $FIRM")
starter sync --firm "$FIRM" >"$RUN/sync.log"

T0=$SECONDS
faults '{"serverErrorRate":0.02,"loseResponseRate":0.02}'
chaos &
chaos_pid=$!
timeout "$TIMEOUT" "$ROOT/bin/starter" backfill --firm "$FIRM" --since 2000-01-01 --unpaid >"$RUN/backfill.log" 2>&1 &
backfill_pid=$!
if ! wait "$backfill_pid"; then
  backfill_pid=
  tail -n 5 "$RUN/backfill.log" >&2
  die "the backfill did not finish (see above)"
fi
backfill_pid=
ELAPSED=$((SECONDS - T0))
kill "$chaos_pid" 2>/dev/null || true
wait "$chaos_pid" 2>/dev/null || true
chaos_pid=
faults '{}'
# The last round may have been cut short: everything up again for the audit.
listening "$PG" || start_postgres
revive

STATS=$(curl -fsS "http://$SANDBOX/admin/stats?realm=$REALM")
echo
echo "chaos run: firm $FIRM ($SIZE, seed $SEED) backfilled in $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
tail -n 1 "$RUN/backfill.log" | tr '\r' '\n' | tail -n 1
echo "done to it: $(grep -c 'SIGKILL worker' "$RUN/chaos.log" || true) workers SIGKILLed," \
  "$(grep -c 'SIGKILL the Temporal' "$RUN/chaos.log" || true) Temporal server kills," \
  "$(grep -c 'PostgreSQL stopped' "$RUN/chaos.log" || true) PostgreSQL restarts," \
  "$(grep -c 'tokens expired' "$RUN/chaos.log" || true) token expiries"
echo "QuickBooks sandbox: $STATS"
starter audit --firm "$FIRM"
