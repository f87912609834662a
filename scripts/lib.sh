# Shared helpers for the scripts in this folder. Source it; do not run it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOME_DIR=${QBOSYNC_HOME:-$ROOT/.qbosync}
TEMPORAL_VERSION=v1.5.1
mkdir -p "$HOME_DIR"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT: is something listening there?
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port HOST PORT SECONDS WHAT
wait_port() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.1
  done
  die "$4 did not start listening on $1:$2 within $3s"
}

# temporal_bin prints the path of the Temporal CLI, installing the pinned version with
# `go install` when it is missing (newer versions cannot be go-installed).
temporal_bin() {
  local gobin
  gobin=$(go env GOBIN); [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
  if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; return; fi
  if [ -x "$gobin/temporal" ]; then echo "$gobin/temporal"; return; fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  say "installing the Temporal CLI $TEMPORAL_VERSION with go install (a few minutes, once)"
  (cd /tmp && GOFLAGS= go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION") >&2
  echo "$gobin/temporal"
}

# Search attributes operators filter runs by in Temporal Web (see internal/temporalx).
SEARCH_ATTRIBUTES=(--search-attribute QbosyncFirm=Keyword --search-attribute QbosyncRealm=Keyword
  --search-attribute QbosyncStatus=Keyword --search-attribute QbosyncSetupStep=Keyword)

# start_bg NAME CMD...: run CMD in the background, logging to .qbosync/NAME.log.
start_bg() {
  local name=$1; shift
  nohup "$@" >"$HOME_DIR/$name.log" 2>&1 &
  echo $! >"$HOME_DIR/$name.pid"
}

# stop_bg NAME: stop what start_bg started, if it still runs.
stop_bg() {
  local pidfile=$HOME_DIR/$1.pid
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    say "stopped $1"
  fi
  rm -f "$pidfile"
}

build_bins() {
  say "building bin/worker and bin/starter"
  (cd "$ROOT" && go build -o bin/ ./worker ./starter)
}

sandbox_addr() { echo "${QBOSYNC_SANDBOX_LISTEN:-127.0.0.1:8089}"; }
