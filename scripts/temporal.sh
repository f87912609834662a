#!/usr/bin/env bash
# scripts/temporal.sh start|stop|status — the Temporal dev server for local runs, on
# temporal.address (QBOSYNC_TEMPORAL_ADDRESS, default 127.0.0.1:7233) with its Web UI
# 1000 ports up (:8233); state is kept in .qbosync/temporal.db across restarts.
source "$(dirname "$0")/lib.sh"

addr=$(temporal_addr)
ui=${addr%:*}:$((${addr##*:} + 1000))

# ready: does a Temporal server on addr serve the default namespace? The frontend
# answers before the namespace is ready.
ready() { "$bin" operator namespace describe default --address "$addr" --command-timeout 2s >/dev/null 2>&1; }

case "${1:-}" in
start)
  bin=$(temporal_bin)
  started=
  if ! running_bg temporal; then
    forget_stale temporal
    if listening "$addr"; then
      # Not ours, but a working Temporal server (docker compose's, say) will do.
      ready || die "$addr is taken by something that does not answer as a Temporal server: $(port_holder "$addr")"
      say "using the Temporal server on $addr (these scripts did not start it): $(port_holder "$addr") if it is a leftover"
      exit 0
    fi
    if listening "$ui"; then die "the Temporal Web UI's port $ui is taken by $(port_holder "$ui")"; fi
    say "starting the Temporal dev server (UI http://$ui)"
    start_bg temporal "$bin" server start-dev --ip "${addr%:*}" --port "${addr##*:}" --ui-port "${ui##*:}" \
      --db-filename "$HOME_DIR/temporal.db" --log-level warn "${SEARCH_ATTRIBUTES[@]}"
    started=1
    wait_port "${addr%:*}" "${addr##*:}" 60 "the Temporal dev server" temporal
  fi
  deadline=$((SECONDS + 30))
  until ready; do
    if ((SECONDS >= deadline)); then
      if [ -n "$started" ]; then "$0" stop; fi
      die "the Temporal server on $addr has not served its default namespace within 30s; see $HOME_DIR/temporal.log"
    fi
    sleep 0.5
  done
  ;;
stop)
  stop_bg temporal "$addr" "$ui"
  ;;
status)
  if running_bg temporal; then
    echo "Temporal: running on $addr (pid $(head -n1 "$HOME_DIR/temporal.pid")), UI http://$ui"
  elif listening "$addr"; then
    echo "Temporal: a server these scripts did not start listens on $addr: $(port_holder "$addr")"
  else
    echo "Temporal: stopped"
  fi
  ;;
*) die "usage: $0 start|stop|status" ;;
esac
