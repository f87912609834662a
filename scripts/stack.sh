#!/usr/bin/env bash
# scripts/stack.sh up|down|status — the whole local stack: PostgreSQL, the Temporal dev
# server (Web UI on :8233), the QBO sandbox (:8089) and a worker. `up` leaves them
# running for exploring; logs are in .qbosync/*.log.
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
up)
  "$ROOT/scripts/postgres.sh"
  "$ROOT/scripts/temporal.sh" start
  build_bins
  addr=$(sandbox_addr)
  if ! port_open "${addr%:*}" "${addr#*:}"; then
    start_bg sandbox "$ROOT/bin/starter" sandbox
    wait_port "${addr%:*}" "${addr#*:}" 30 "the QBO sandbox"
  fi
  stop_bg worker
  start_bg worker "$ROOT/bin/worker"
  say "stack is up: Temporal Web http://127.0.0.1:8233, sandbox http://$addr, logs in .qbosync/"
  say "try: bin/starter demo   |   bin/starter status --firm 1   |   make down"
  ;;
down)
  stop_bg worker
  stop_bg sandbox
  "$ROOT/scripts/temporal.sh" stop
  ;;
status)
  "$ROOT/scripts/temporal.sh" status
  addr=$(sandbox_addr)
  port_open "${addr%:*}" "${addr#*:}" && echo "sandbox: running on $addr" || echo "sandbox: stopped"
  [ -f "$HOME_DIR/worker.pid" ] && kill -0 "$(cat "$HOME_DIR/worker.pid")" 2>/dev/null && echo "worker: running" || echo "worker: stopped"
  ;;
*) die "usage: $0 up|down|status" ;;
esac
