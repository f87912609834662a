#!/usr/bin/env bash
# make chaos: a seeded firm backfilled on the production shape (scripts/cluster_lib.sh)
# while its parts fail in turn, ending with every record checked in QuickBooks.
#
# Everything runs in a folder of its own, on ports of its own and on a PostgreSQL
# cluster of its own (initdb into that folder), so nothing else on the machine is
# disturbed. Every 15-30 s (a round) one of the two workers is SIGKILLed and
# restarted; every sixth round from the third the Temporal server is SIGKILLed too, and
# every sixth from the sixth PostgreSQL is stopped the hard way (immediate) and started
# again. Meanwhile the QuickBooks sandbox answers 2% of requests 500/503 and loses the
# answer to 2% of the writes it performed; every other round it expires the access
# tokens, and every fourth it answers a burst of five requests 429, after which qbosync
# leaves the company alone for a minute, as QuickBooks asks. At the end: `starter audit` (duplicates, missing, the books reconciled),
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
KEEP=${QBOSYNC_CHAOS_KEEP:-}
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
  if [ "$rc" = 0 ] && [ -z "$KEEP" ]; then
    rm -rf "$RUN"
  else
    say "the run's logs are in $RUN"
  fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

starter() { "$ROOT/bin/starter" "$@"; }
sql() { psql_pg -d "$DB_PREFIX" -c "$1"; }
faults() { curl -fsS -X POST "http://$SANDBOX/admin/faults?realm=$REALM" -d "$1" >/dev/null || true; }
log() { printf '%4ds  %s\n' $((SECONDS - T0)) "$*" | tee -a "$RUN/chaos.log" >&2; }

# chaos: the failures, in turn, until killed. Every step waits for what it restarts.
chaos() {
  local round=0 w burst expire
  while :; do
    sleep $((15 + RANDOM % 16))
    round=$((round + 1))
    burst=0 expire=false
    if [ $((round % 4)) = 2 ]; then burst=5; fi
    if [ $((round % 2)) = 0 ]; then expire=true; fi
    faults "{\"serverErrorRate\":0.02,\"loseResponseRate\":0.02,\"throttleBurst\":$burst,\"expireAccessTokens\":$expire}"
    w=${WORKERS[$((round % 2))]}
    log "round $round: SIGKILL $w$([ $burst = 0 ] || echo "; $burst answers 429")$([ $expire = false ] || echo '; access tokens expired')"
    echo "$w" >"$RUN/killed" # until it is started again: see revive
    kill_bg "$w" "$(admin_of "$w")"
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
    revive
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
    [ "$w" = "$(cat "$RUN/killed" 2>/dev/null)" ] || log "$w had exited by itself (see $w.earlier.log); starting it"
    start_worker "$w"
  done
  rm -f "$RUN/killed"
}

say "chaos run in $RUN: a $SIZE firm (seed $SEED), PostgreSQL on $PG, Temporal on $FRONTEND"
new_postgres
cluster_up
starter seed --size "$SIZE" --seed "$SEED" >"$RUN/seed.log"
FIRM=$(sed -n 's/^firm \([0-9]*\) .*/\1/p' "$RUN/seed.log")
# Every seeded firm has two clients QuickBooks refuses on purpose (internal/pms/seed/
# names.go: a name the sandbox's sample company gives a vendor, an e-mail address that is
# not one). Corrected first, as a bookkeeper would after `starter errors`, so that the
# books can reconcile exactly and any difference is the run's doing.
sql "update clients set name = name || ' Group', company_name = company_name || ' Group'
       where firm_id = $FIRM and name = 'Hall Properties';
     update clients set email = 'jessie.smithson@example.com' where firm_id = $FIRM and email = 'jsmith at example'" >/dev/null
# Records that existed before qbosync was installed: nothing in the change feed, so the
# backfill brings them all.
sql "delete from pms_changes where firm_id = $FIRM" >/dev/null
starter connect --firm "$FIRM" --approve >"$RUN/connect.log"
REALM=$(sql "select realm_id from qbo_connections where firm_id = $FIRM")
starter sync --firm "$FIRM" >"$RUN/sync.log"

T0=$SECONDS
: >"$RUN/chaos.log"
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
  "$(grep -c 'answers 429' "$RUN/chaos.log" || true) 429 bursts, $(grep -c 'tokens expired' "$RUN/chaos.log" || true) token expiries"
echo "QuickBooks sandbox: $STATS"
AUDIT_START=$SECONDS
status=0
starter audit --firm "$FIRM" || status=$?
echo "audit: $((SECONDS - AUDIT_START)) s; the whole run, set-up included: $((SECONDS / 60)) min $((SECONDS % 60)) s"
exit "$status"
