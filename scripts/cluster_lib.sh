# The production shape's parts, for scripts/cluster.sh (make up-cluster) and
# scripts/chaos.sh (make chaos). Source it; do not run it.
#
# One run directory holds everything of one cluster: the Temporal server's config, the
# qbosync config file every qbosync process reads (QBOSYNC_CONFIG), pid files, logs, the
# sandbox's companies and the encryption key. Settings, from the environment:
#
#   QBOSYNC_CLUSTER_HOME  the run directory (default .qbosync/cluster)
#   QBOSYNC_CLUSTER_PORT  the first of its ports (default 19400; see the port map below)
#   QBOSYNC_CLUSTER_PG    host:port of the PostgreSQL holding its databases (default
#                         127.0.0.1:5432), user postgres
#   QBOSYNC_CLUSTER_DB    the prefix of its databases (default qbosync_cluster): the
#                         Temporal server's <prefix>_temporal and <prefix>_visibility, and
#                         qbosync's own <prefix>
CLUSTER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QBOSYNC_HOME=${QBOSYNC_CLUSTER_HOME:-$CLUSTER_ROOT/.qbosync/cluster}
mkdir -p "$QBOSYNC_HOME"
QBOSYNC_HOME=$(cd "$QBOSYNC_HOME" && pwd)
# Every qbosync process reads the run's config file and keeps its state in the run
# directory; the QBOSYNC_* settings of the caller's shell must not point it elsewhere.
while IFS= read -r var; do unset "$var"; done < <(compgen -e QBOSYNC_ | grep -Ev '^QBOSYNC_(CLUSTER|CHAOS)_')
export QBOSYNC_HOME
unset DATABASE_URL
source "$CLUSTER_ROOT/scripts/lib.sh"

TEMPORAL_SERVER_VERSION=v1.29.1
UI_SERVER_VERSION=v2.42.1 # the version the Temporal CLI v1.5.1 embeds
TOOLS=${XDG_CACHE_HOME:-$HOME/.cache}/qbosync/tools

# The port map: BASE the frontend (what qbosync and the CLI talk to), then the server's
# other services, their membership ports, its metrics, and the Web UI, the QBO sandbox,
# the setup wizard, the CLI's sign-in callback and qbosync's admin listeners.
BASE=${QBOSYNC_CLUSTER_PORT:-19400}
PG=${QBOSYNC_CLUSTER_PG:-127.0.0.1:5432}
DB_PREFIX=${QBOSYNC_CLUSTER_DB:-qbosync_cluster}
FRONTEND=127.0.0.1:$BASE
UI=127.0.0.1:$((BASE + 20))
SANDBOX=127.0.0.1:$((BASE + 21))
WIZARD=127.0.0.1:$((BASE + 22))
CLI_CALLBACK=127.0.0.1:$((BASE + 23))
# Each qbosync process's admin listener (/metrics, /healthz, /readyz): worker-N on
# BASE+29+N, the wizard on BASE+32.
WIZARD_ADMIN=127.0.0.1:$((BASE + 32))
admin_of() { echo "127.0.0.1:$((BASE + 29 + ${1#worker-}))"; }
SERVER_PORTS=("$FRONTEND" 127.0.0.1:$((BASE + 1)) 127.0.0.1:$((BASE + 2)) 127.0.0.1:$((BASE + 3))
  127.0.0.1:$((BASE + 4)) 127.0.0.1:$((BASE + 5)))
WORKERS=(worker-1 worker-2)
# lib.sh's sandbox helpers, on the run's sandbox.
sandbox_addr() { echo "$SANDBOX"; }
export QBOSYNC_CONFIG=$QBOSYNC_HOME/qbosync.yaml

psql_pg() { psql -h "${PG%:*}" -p "${PG##*:}" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }

# go_tool NAME PACKAGE@VERSION prints the path of a Go-installed tool, installing it
# first into a folder of its own under $TOOLS (the Temporal server and the UI server
# are both called `server`).
go_tool() {
  local dir=$TOOLS/$1-${2##*@} bin=${2%@*}
  bin=$dir/${bin##*/}
  if [ ! -x "$bin" ]; then
    say "installing $2 with go install (the Temporal server takes about 5 minutes, once)"
    mkdir -p "$dir"
    (cd /tmp && GOFLAGS= GOBIN=$dir go install "$2") >&2 || die "go install $2 failed"
  fi
  echo "$bin"
}

server_bin() { go_tool temporal-server "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION"; }
sql_tool() { go_tool temporal-sql-tool "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"; }

# schema_dir KIND: the server module's versioned PostgreSQL schema (temporal or visibility).
schema_dir() {
  local mod
  mod=$(cd /tmp && GOFLAGS= go mod download -json "go.temporal.io/server@$TEMPORAL_SERVER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod/schema/postgresql/v12/$1/versioned" ] || die "no PostgreSQL schema in the Temporal server module ($mod)"
  echo "$mod/schema/postgresql/v12/$1/versioned"
}

# setup_database NAME KIND: create the database unless it exists, put the schema
# versioning tables in place on a new one, and migrate it to the module's newest schema.
# Each step is a no-op when already done, so `up` can run again and again.
setup_database() {
  local tool db=$1 kind=$2
  tool=$(sql_tool)
  local sql=("$tool" --plugin postgres12 --ep "${PG%:*}" -p "${PG##*:}" -u postgres --db "$db")
  if [ "$(psql_pg -d postgres -c "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    "${sql[@]}" create-database >>"$QBOSYNC_HOME/schema.log" 2>&1 || die "cannot create database $db; see $QBOSYNC_HOME/schema.log"
  fi
  if [ "$(psql_pg -d "$db" -c "select to_regclass('schema_version') is not null")" != t ]; then
    "${sql[@]}" setup-schema -v 0.0 >>"$QBOSYNC_HOME/schema.log" 2>&1 || die "cannot set up $db; see $QBOSYNC_HOME/schema.log"
  fi
  "${sql[@]}" update-schema -d "$(schema_dir "$kind")" >>"$QBOSYNC_HOME/schema.log" 2>&1 ||
    die "cannot migrate $db; see $QBOSYNC_HOME/schema.log"
}

setup_databases() {
  say "setting up the Temporal server's databases on $PG (${DB_PREFIX}_temporal, ${DB_PREFIX}_visibility)"
  setup_database "${DB_PREFIX}_temporal" temporal
  setup_database "${DB_PREFIX}_visibility" visibility
  if [ "$(psql_pg -d postgres -c "select 1 from pg_database where datname = '$DB_PREFIX'")" != 1 ]; then
    psql_pg -d postgres -c "create database $DB_PREFIX" >/dev/null
    say "created qbosync's database $DB_PREFIX"
  fi
}

# write_server_config: the Temporal server's config for this run, from the port map:
# all four services in one process, on the run's PostgreSQL databases.
write_server_config() {
  local dir=$QBOSYNC_HOME/temporal store
  mkdir -p "$dir/config"
  store() {
    printf '    %s:\n      sql:\n        pluginName: postgres12\n        databaseName: %s\n' "$1" "$2"
    printf '        connectAddr: "%s"\n        connectProtocol: tcp\n        user: postgres\n' "$PG"
    printf '        maxConns: %s\n        maxIdleConns: %s\n        maxConnLifetime: 1h\n' "$3" "$3"
  }
  {
    echo "# Written by scripts/cluster_lib.sh on every start; edit the script, not this file."
    echo "log: {stdout: true, level: warn}"
    echo "persistence:"
    echo "  defaultStore: default"
    echo "  visibilityStore: visibility"
    echo "  numHistoryShards: 4 # fixed once the database holds histories"
    echo "  datastores:"
    store default "${DB_PREFIX}_temporal" 20
    store visibility "${DB_PREFIX}_visibility" 4
    echo "global:"
    echo "  membership: {maxJoinDuration: 30s, broadcastAddress: 127.0.0.1}"
    echo "  metrics: {prometheus: {framework: tally, timerType: histogram, listenAddress: \"127.0.0.1:$((BASE + 5))\"}}"
    echo "services:"
    echo "  frontend: {rpc: {grpcPort: $BASE, httpPort: $((BASE + 1)), membershipPort: $((BASE + 10)), bindOnLocalHost: true}}"
    echo "  history: {rpc: {grpcPort: $((BASE + 2)), membershipPort: $((BASE + 11)), bindOnLocalHost: true}}"
    echo "  matching: {rpc: {grpcPort: $((BASE + 3)), membershipPort: $((BASE + 12)), bindOnLocalHost: true}}"
    echo "  worker: {rpc: {grpcPort: $((BASE + 4)), membershipPort: $((BASE + 13)), bindOnLocalHost: true}}"
    echo "clusterMetadata:"
    echo "  enableGlobalNamespace: false"
    echo "  failoverVersionIncrement: 10"
    echo "  masterClusterName: active"
    echo "  currentClusterName: active"
    echo "  clusterInformation: {active: {enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: \"$FRONTEND\"}}"
    echo "dcRedirectionPolicy: {policy: noop}"
    echo "dynamicConfigClient: {filepath: \"$dir/dynamicconfig.yaml\", pollInterval: 10s}"
  } >"$dir/config/development.yaml"
  # The same limit as the dev server: qbosync's workflow ids are long.
  printf 'limit.maxIDLength:\n  - value: 255\n    constraints: {}\n' >"$dir/dynamicconfig.yaml"
}

# write_qbosync_config: the config files the run's qbosync processes read. The wizard
# receives QuickBooks' sign-in callback on its own address; the CLI's `connect` and
# `demo` listen for theirs on another (CLI_CALLBACK), so that they work beside it.
write_qbosync_config() {
  qbosync_config "$QBOSYNC_CONFIG" "$CLI_CALLBACK"
  qbosync_config "$QBOSYNC_HOME/wizard.yaml" "$WIZARD"
}

# qbosync_config FILE CALLBACK-HOST:PORT
qbosync_config() {
  local sandbox=http://$SANDBOX
  cat >"$1" <<YAML
# Written by scripts/cluster_lib.sh on every start: qbosync's settings for the cluster in
# this folder. Use it with QBOSYNC_CONFIG=$1 bin/starter ...
home: $QBOSYNC_HOME
database:
  url: postgres://postgres@$PG/$DB_PREFIX?sslmode=disable
temporal:
  address: $FRONTEND
  web_url: http://$UI
qbo:
  api_base_url: $sandbox
  auth_url: $sandbox/connect/oauth2
  token_url: $sandbox/oauth2/v1/tokens/bearer
  revoke_url: $sandbox/v2/oauth2/tokens/revoke
  redirect_url: http://$2/oauth/callback
sandbox:
  listen: $SANDBOX
YAML
}

# start_server starts the Temporal server unless ours runs, and waits for its frontend.
start_server() {
  local bin
  running_bg temporal-server && return 0
  forget_stale temporal-server
  for addr in "${SERVER_PORTS[@]}"; do
    if listening "$addr"; then die "port $addr, of the Temporal server, is taken by $(port_holder "$addr")"; fi
  done
  bin=$(server_bin)
  write_server_config
  say "starting the Temporal server on $FRONTEND"
  start_bg temporal-server "$bin" --root "$QBOSYNC_HOME/temporal" --config config --env development --allow-no-auth start
  wait_port "${FRONTEND%:*}" "${FRONTEND##*:}" 120 "the Temporal server" temporal-server
}

stop_server() { stop_bg temporal-server "${SERVER_PORTS[@]}"; }

# kill_server: SIGKILL, as a crash; nothing is flushed or handed over.
kill_server() { kill_bg temporal-server "${SERVER_PORTS[@]}"; }

# kill_bg NAME HOST:PORT...: SIGKILL what start_bg started as NAME and wait until it has
# gone and freed its ports.
kill_bg() {
  local name=$1
  if running_bg "$name"; then kill -KILL "$(head -n1 "$HOME_DIR/$name.pid")" 2>/dev/null || true; fi
  wait_stopped 30 "$@" || die "$name is still running after SIGKILL: $(still_taken "${@:2}")"
  rm -f "$HOME_DIR/$name.pid"
}

# ready_namespace: does the server serve the default namespace?
ready_namespace() {
  "$(temporal_bin)" operator namespace describe default --address "$FRONTEND" --command-timeout 3s >/dev/null 2>&1
}

# register: the default namespace and qbosync's search attributes, each only if absent.
register() {
  local cli sa name deadline=$((SECONDS + 90)) have
  cli=$(temporal_bin)
  until ready_namespace; do
    "$cli" operator namespace create default --address "$FRONTEND" --retention 72h >/dev/null 2>&1 || true
    ((SECONDS < deadline)) || die "the Temporal server on $FRONTEND has not served the default namespace within 90s; see $HOME_DIR/temporal-server.log"
    sleep 1
  done
  have=$("$cli" operator search-attribute list --address "$FRONTEND" --namespace default 2>/dev/null || true)
  # lib.sh's list, as the dev server's flags: --search-attribute NAME=TYPE ...
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    [ "$sa" != --search-attribute ] || continue
    name=${sa%=*}
    grep -qw "$name" <<<"$have" && continue
    "$cli" operator search-attribute create --address "$FRONTEND" --namespace default --name "$name" --type "${sa#*=}" >/dev/null ||
      die "cannot register the search attribute $name"
    say "registered the search attribute $name"
  done
}

# start_ui starts Temporal's Web UI server (the ui-server Go module) unless ours runs.
start_ui() {
  local bin dir=$QBOSYNC_HOME/ui
  running_bg temporal-ui && return 0
  forget_stale temporal-ui
  if listening "$UI"; then die "the Web UI's port $UI is taken by $(port_holder "$UI")"; fi
  bin=$(go_tool temporal-ui-server "github.com/temporalio/ui-server/v2/cmd/server@$UI_SERVER_VERSION")
  mkdir -p "$dir/config"
  printf 'temporalGrpcAddress: %s\nhost: 127.0.0.1\nport: %s\nenableUi: true\ndefaultNamespace: default\n' \
    "$FRONTEND" "${UI##*:}" >"$dir/config/development.yaml"
  start_bg temporal-ui "$bin" --root "$dir" --config config --env development start
  wait_port "${UI%:*}" "${UI##*:}" 30 "the Temporal Web UI" temporal-ui
}

# start_worker NAME: a qbosync worker of the run, unless it runs. The log of its last
# life is kept in NAME.earlier.log: after a crash it says what the worker was doing.
start_worker() {
  running_bg "$1" && return 0
  forget_stale "$1"
  if [ -f "$HOME_DIR/$1.log" ]; then cat "$HOME_DIR/$1.log" >>"$HOME_DIR/$1.earlier.log"; fi
  start_bg "$1" "$ROOT/bin/worker" --admin-listen "$(admin_of "$1")"
}

start_wizard() {
  running_bg wizard && return 0
  forget_stale wizard
  if listening "$WIZARD"; then die "the wizard's port $WIZARD is taken by $(port_holder "$WIZARD")"; fi
  start_bg wizard "$ROOT/bin/starter" serve --config "$QBOSYNC_HOME/wizard.yaml" --admin-listen "$WIZARD_ADMIN"
  wait_port "${WIZARD%:*}" "${WIZARD##*:}" 30 "the setup wizard" wizard
}

# cluster_up: everything, in order; what already runs is left as it is.
cluster_up() {
  setup_databases
  write_qbosync_config
  start_server
  register
  build_bins
  start_sandbox
  local w
  for w in "${WORKERS[@]}"; do start_worker "$w"; done
  start_wizard
}

# cluster_down: the qbosync processes first (they talk to the rest), the server last.
cluster_down() {
  local w
  stop_bg wizard "$WIZARD" "$WIZARD_ADMIN"
  for w in "${WORKERS[@]}"; do stop_bg "$w" "$(admin_of "$w")"; done
  stop_sandbox
  stop_bg temporal-ui "$UI"
  stop_server
}

# start_ui_or_explain starts the Web UI; when it cannot (the module does not install,
# say), it says how an operator attaches one, and the rest of the cluster stays up.
start_ui_or_explain() {
  (start_ui) && return 0
  say "no Web UI: attach Temporal's UI to the frontend $FRONTEND, e.g."
  say "  docker run -p ${UI##*:}:8080 -e TEMPORAL_ADDRESS=host.docker.internal:${FRONTEND##*:} temporalio/ui:${UI_SERVER_VERSION#v}"
  say "  or: GOBIN=\$PWD go install github.com/temporalio/ui-server/v2/cmd/server@$UI_SERVER_VERSION, then ./server start with temporalGrpcAddress: $FRONTEND in config/development.yaml"
  return 1
}
