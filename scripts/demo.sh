#!/usr/bin/env bash
# make demo: bring up what is not already running (PostgreSQL, Temporal, the sandbox, a
# worker), seed a demo firm, connect it to the sandbox, sync once, print the summary,
# and stop what this script started. Run it twice: the second run creates nothing new.
source "$(dirname "$0")/lib.sh"

# Only what this run started is stopped at the end, last started first (the worker
# before the servers it talks to); a stack left up by `make up` stays up.
started=()
cleanup() {
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    case ${started[i]} in
      temporal) "$ROOT/scripts/temporal.sh" stop ;;
      sandbox) stop_sandbox ;;
      *) stop_bg "${started[i]}" ;;
    esac
  done
}
trap cleanup EXIT

# up NAME CMD...: unless NAME runs, run CMD to start it, and remember it if it did.
up() {
  local name=$1; shift
  running_bg "$name" && return 0
  "$@"
  if running_bg "$name"; then started+=("$name"); fi
}

"$ROOT/scripts/postgres.sh"
build_bins
up temporal "$ROOT/scripts/temporal.sh" start
up sandbox start_sandbox
# A worker of this build, even when another one runs: the demo must run today's code.
stop_bg demo-worker
start_bg demo-worker "$ROOT/bin/worker"
started+=(demo-worker)

"$ROOT/bin/starter" demo "$@"

echo
echo "Temporal Web: http://127.0.0.1:8233 (workflow qbosync-sync-*). The runs are kept in"
echo ".qbosync/temporal.db: \`make up\` brings the server back to look at them."
