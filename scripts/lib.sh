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

# listening HOST:PORT: port_open for an address as the scripts and config write it.
listening() { port_open "${1%:*}" "${1##*:}"; }

# wait_port HOST PORT SECONDS WHAT [NAME]: wait until something listens there. With
# NAME, the process start_bg started under that name is watched: if it exits first, or
# is still not listening in time, it is stopped and its log named.
wait_port() {
  local i name=${5:-}
  for ((i = 0; i < $3 * 10; i++)); do
    port_open "$1" "$2" && return 0
    if [ -n "$name" ] && ! running_bg "$name"; then
      rm -f "$HOME_DIR/$name.pid"
      die "$4 exited before it listened on $1:$2; see $HOME_DIR/$name.log"
    fi
    sleep 0.1
  done
  if [ -n "$name" ]; then
    stop_bg "$name"
    die "$4 did not start listening on $1:$2 within $3s; see $HOME_DIR/$name.log"
  fi
  die "$4 did not start listening on $1:$2 within $3s"
}

# port_pid HOST:PORT prints the pid listening there, when this user may see it.
port_pid() {
  ss -Hltnp "sport = :${1##*:}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

# port_holder HOST:PORT names what listens there and how to stop it, for a message.
port_holder() {
  local pid; pid=$(port_pid "$1")
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
    echo "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-160 | sed 's/ *$//')); stop it with \`kill $pid\`"
  else
    echo "a process this user cannot see; \`ss -ltnp 'sport = :${1##*:}'\` as root names it"
  fi
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

# Search attributes operators filter runs by in Temporal Web (see workflows/syncapi/syncapi.go).
SEARCH_ATTRIBUTES=(--search-attribute QbosyncFirm=Keyword --search-attribute QbosyncRealm=Keyword
  --search-attribute QbosyncStatus=Keyword --search-attribute QbosyncSetupStep=Keyword)

# start_bg NAME CMD...: run CMD in the background, logging to .qbosync/NAME.log. The
# pid file .qbosync/NAME.pid holds its pid and then its command line, one argument a
# line, so that stop_bg can tell it from a process later given the same pid.
start_bg() {
  local name=$1 pid i; shift
  nohup "$@" >"$HOME_DIR/$name.log" 2>&1 &
  pid=$!
  # Not a job of this shell: stop_bg and the chaos run kill it, and the shell need not
  # report that.
  disown "$pid" 2>/dev/null || true
  printf '%s\n' "$pid" "$@" >"$HOME_DIR/$name.pid"
  # Until nohup has exec'd CMD the pid shows another command line; wait for it, so
  # that a stop_bg straight after knows the process as ours.
  for ((i = 0; i < 100; i++)); do
    running_bg "$name" || ! kill -0 "$pid" 2>/dev/null && return 0
    sleep 0.01
  done
}

# running_bg NAME: does the process start_bg started as NAME still run? Only if the pid
# in its pid file still runs the command line recorded there.
running_bg() {
  local pidfile=$HOME_DIR/$1.pid pid
  [ -f "$pidfile" ] || return 1
  pid=$(head -n1 "$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ "$(tail -n +2 "$pidfile")" = "$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline")" ]
}

# forget_stale NAME: remove a pid file whose process is no longer the one started, so
# a start does not trust it.
forget_stale() {
  local pidfile=$HOME_DIR/$1.pid
  if [ -f "$pidfile" ] && ! running_bg "$1"; then
    say "$1 is not running (pid $(head -n1 "$pidfile") is gone or runs something else); removing the stale $pidfile"
    rm -f "$pidfile"
  fi
}

# stopped NAME HOST:PORT...: has NAME's process exited and are its ports free?
stopped() {
  local name=$1 addr; shift
  running_bg "$name" && return 1
  for addr in "$@"; do ! listening "$addr" || return 1; done
}

# wait_stopped SECONDS NAME HOST:PORT...
wait_stopped() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    stopped "${@:2}" && return 0
    sleep 0.1
  done
  return 1
}

# stop_bg NAME [HOST:PORT...]: stop what start_bg started as NAME and return only once
# it has exited and nothing listens on its ports any more, so that a start straight
# after finds them free (and the Temporal dev server's SQLite database unlocked). TERM
# first; KILL if it has not gone in 30s. A pid that no longer runs the command started
# is never signalled: the system may have given it to another process since.
stop_bg() {
  local name=$1 pidfile=$HOME_DIR/$1.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(head -n1 "$pidfile")
  if running_bg "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_stopped 30 "$@"; then
      say "$name (pid $pid) has not stopped within 30s of TERM; killing it"
      if running_bg "$name"; then kill -KILL "$pid" 2>/dev/null || true; fi
      wait_stopped 10 "$@" || die "$name (pid $pid) was killed, but $(still_taken "${@:2}")"
    fi
    say "stopped $name"
  else
    forget_stale "$name"
  fi
  rm -f "$pidfile"
}

# still_taken HOST:PORT... says which of the addresses are taken, and by what.
still_taken() {
  local addr out=()
  for addr in "$@"; do
    listening "$addr" && out+=("$addr is taken by $(port_holder "$addr")")
  done
  [ ${#out[@]} -gt 0 ] || out=("it still runs")
  local IFS=';'
  echo "${out[*]}"
}

build_bins() {
  say "building bin/worker and bin/starter"
  (cd "$ROOT" && go build -o bin/ ./worker ./starter)
}

sandbox_addr() { echo "${QBOSYNC_SANDBOX_LISTEN:-127.0.0.1:8089}"; }
temporal_addr() { echo "${QBOSYNC_TEMPORAL_ADDRESS:-127.0.0.1:7233}"; }

# start_sandbox starts the QBO sandbox unless the one these scripts started runs. When
# something else listens on its address it is used as it is, and named.
start_sandbox() {
  local addr; addr=$(sandbox_addr)
  running_bg sandbox && return 0
  forget_stale sandbox
  if listening "$addr"; then
    say "using what listens on $addr as the QBO sandbox (these scripts did not start it): $(port_holder "$addr") if it is a leftover"
    return 0
  fi
  start_bg sandbox "$ROOT/bin/starter" sandbox
  wait_port "${addr%:*}" "${addr##*:}" 30 "the QBO sandbox" sandbox
}

stop_sandbox() { stop_bg sandbox "$(sandbox_addr)"; }
