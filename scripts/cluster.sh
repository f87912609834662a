#!/usr/bin/env bash
# scripts/cluster.sh up|down|status — the production shape on one machine, without
# Docker: a real Temporal server (go.temporal.io/server, all services in one process) on
# PostgreSQL databases of its own, its Web UI, the default namespace and qbosync's search
# attributes, the QBO sandbox, two qbosync workers and the setup wizard. Ports and
# databases: scripts/cluster_lib.sh. `up` is safe to run again: it sets up and migrates
# the schema only as far as needed and starts only what is not running.
source "$(dirname "$0")/cluster_lib.sh"

status_of() {
  if running_bg "$1"; then echo "$1: running (pid $(head -n1 "$HOME_DIR/$1.pid"))${2:+ on $2}"; else echo "$1: stopped"; fi
}

case "${1:-}" in
up)
  "$ROOT/scripts/postgres.sh"
  cluster_up
  ui=http://$UI
  if ! start_ui_or_explain; then ui="not running (see above)"; fi
  say "the cluster is up: Temporal $FRONTEND, Web UI $ui, wizard http://$WIZARD, sandbox http://$SANDBOX"
  say "metrics and health: curl $(admin_of worker-1)/metrics, $(admin_of worker-2)/readyz, $WIZARD_ADMIN/readyz"
  say "logs and pid files in $HOME_DIR; qbosync's settings in $QBOSYNC_CONFIG"
  say "try: QBOSYNC_CONFIG=$QBOSYNC_CONFIG bin/starter demo   |   make down-cluster"
  ;;
down)
  cluster_down
  ;;
status)
  status_of temporal-server "$FRONTEND"
  status_of temporal-ui "$UI"
  status_of sandbox "$SANDBOX"
  for w in "${WORKERS[@]}"; do status_of "$w" "admin $(admin_of "$w")"; done
  status_of wizard "$WIZARD, admin $WIZARD_ADMIN"
  ;;
*) die "usage: $0 up|down|status" ;;
esac
