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
  start_sandbox
  stop_bg worker
  start_bg worker "$ROOT/bin/worker"
  say "stack is up: Temporal Web http://127.0.0.1:8233, sandbox http://$(sandbox_addr), logs in .qbosync/"
  say "try: bin/starter demo   |   bin/starter status --firm 1   |   make down"
  ;;
down)
  # The worker first: it talks to the other two.
  stop_bg worker
  stop_sandbox
  "$ROOT/scripts/temporal.sh" stop
  ;;
status)
  "$ROOT/scripts/temporal.sh" status
  addr=$(sandbox_addr)
  if running_bg sandbox; then
    echo "sandbox: running on $addr"
  elif listening "$addr"; then
    echo "sandbox: something these scripts did not start listens on $addr: $(port_holder "$addr")"
  else
    echo "sandbox: stopped"
  fi
  if running_bg worker; then echo "worker: running"; else echo "worker: stopped"; fi
  ;;
*) die "usage: $0 up|down|status" ;;
esac
