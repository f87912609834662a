#!/usr/bin/env bash
# make test: everything CI runs. It starts PostgreSQL and installs the Temporal CLI when
# they are missing, then runs the checks and every test: unit tests, workflow tests in
# the SDK's test environment, and integration tests against real PostgreSQL, a real
# Temporal dev server (started by the tests) and the QBO sandbox over HTTP.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/postgres.sh"
# The browser tests drive Debian's Chromium, headless; install it when absent (they
# skip without it, except in CI, where a missing browser fails them).
if ! command -v chromium >/dev/null 2>&1; then
  say "installing Chromium from Debian's packages (for the browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq chromium >&2
fi
TEMPORAL_CLI=$(temporal_bin)
export TEMPORAL_CLI

say "checking formatting, vet and workflow determinism"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || die "gofmt would change: $unformatted (run gofmt -w)"
go vet ./...
# workflowcheck flags non-deterministic code reachable from workflow functions
# (time.Now, map iteration, goroutines, I/O): the replay tests catch changes to
# recorded histories, this catches the rest before a workflow ever runs.
gobin=$(go env GOBIN); [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if [ ! -x "$gobin/workflowcheck" ]; then
  say "installing workflowcheck v0.6.0"
  (cd /tmp && GOFLAGS= go install go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0)
fi
"$gobin/workflowcheck" ./...

say "running the tests"
# -p 2: two cores; the integration tests start their own servers.
go test -count=1 -p 2 -timeout 12m ./... "$@"
