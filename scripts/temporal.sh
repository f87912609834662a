#!/usr/bin/env bash
# scripts/temporal.sh start|stop|status — the Temporal dev server (with its Web UI on
# :8233) for local runs; state is kept in .qbosync/temporal.db across restarts.
source "$(dirname "$0")/lib.sh"

pidfile=$HOME_DIR/temporal.pid
case "${1:-}" in
start)
  if port_open 127.0.0.1 7233; then say "Temporal already running on 127.0.0.1:7233"; exit 0; fi
  bin=$(temporal_bin)
  say "starting the Temporal dev server (UI http://127.0.0.1:8233)"
  nohup "$bin" server start-dev --ip 127.0.0.1 --port 7233 --ui-port 8233 \
    --db-filename "$HOME_DIR/temporal.db" --log-level warn "${SEARCH_ATTRIBUTES[@]}" \
    >"$HOME_DIR/temporal.log" 2>&1 &
  echo $! >"$pidfile"
  wait_port 127.0.0.1 7233 60 "the Temporal dev server"
  # The frontend answers before the default namespace is ready; wait for it.
  for _ in $(seq 1 100); do
    "$bin" operator namespace describe default --address 127.0.0.1:7233 >/dev/null 2>&1 && break
    sleep 0.2
  done
  ;;
stop)
  if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; say "stopped Temporal"; fi
  ;;
status)
  port_open 127.0.0.1 7233 && echo "Temporal: running on 127.0.0.1:7233, UI http://127.0.0.1:8233" || echo "Temporal: stopped"
  ;;
*) die "usage: $0 start|stop|status" ;;
esac
