#!/usr/bin/env bash
# make test: everything CI runs. It starts PostgreSQL and installs the Temporal CLI when
# they are missing, then runs the checks and every test: unit tests, workflow tests in
# the SDK's test environment, and integration tests against real PostgreSQL, a real
# Temporal dev server (started by the tests) and the QBO sandbox over HTTP.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/postgres.sh"
TEMPORAL_CLI=$(temporal_bin)
export TEMPORAL_CLI

say "checking formatting and vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || die "gofmt would change: $unformatted (run gofmt -w)"
go vet ./...

say "running the tests"
# -p 2: two cores; the integration tests start their own servers.
go test -count=1 -p 2 -timeout 12m ./... "$@"
