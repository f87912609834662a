#!/usr/bin/env bash
# make demo: bring up what is not already running (PostgreSQL, Temporal, the sandbox, a
# worker), seed a demo firm, connect it to the sandbox, sync once, print the summary,
# and stop what this script started. Run it twice: the second run creates nothing new.
source "$(dirname "$0")/lib.sh"

started=()
cleanup() {
  local s
  for s in "${started[@]}"; do
    case $s in
      temporal) "$ROOT/scripts/temporal.sh" stop ;;
      *) stop_bg "$s" ;;
    esac
  done
}
trap cleanup EXIT

"$ROOT/scripts/postgres.sh"
build_bins
if ! port_open 127.0.0.1 7233; then
  "$ROOT/scripts/temporal.sh" start
  started+=(temporal)
fi
addr=$(sandbox_addr)
if ! port_open "${addr%:*}" "${addr#*:}"; then
  start_bg sandbox "$ROOT/bin/starter" sandbox
  started+=(sandbox)
  wait_port "${addr%:*}" "${addr#*:}" 30 "the QBO sandbox"
fi
# A worker of this build, even when another one runs: the demo must run today's code.
start_bg demo-worker "$ROOT/bin/worker"
started+=(demo-worker)

"$ROOT/bin/starter" demo "$@"

echo
echo "Temporal Web: http://127.0.0.1:8233 (workflow qbosync-sync-*). The runs are kept in"
echo ".qbosync/temporal.db: \`make up\` brings the server back to look at them."
