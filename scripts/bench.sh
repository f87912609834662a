#!/usr/bin/env bash
# make bench: the benchmarks (README, "Benchmarks"). The client's throughput, then the
# end-to-end ones through the real worker, the Temporal dev server and the sandbox under
# QuickBooks' production limits. QBOSYNC_BENCH_SIZE=large runs them on a 1,000-client
# firm (the full run takes the better part of an hour); small, the default, is a quick
# look. QBOSYNC_BENCH_IDLE_FIRMS, _IDLE_WINDOW, _SWEEP and _CHANGES tune the others.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/postgres.sh"
TEMPORAL_CLI=$(temporal_bin)
export TEMPORAL_CLI

say "client and limiter throughput"
go test -run '^$' -bench . -benchmem ./internal/qbo/
say "small-firm latency, sync idle (100 changes)"
go test -run '^$' -bench ChangeToQBOLatency -benchtime 100x -timeout 30m ./internal/e2e/
say "reconciliation, full and incremental (QBOSYNC_BENCH_SIZE=${QBOSYNC_BENCH_SIZE:-small})"
go test -run '^$' -bench Reconciliation -benchtime 3x -timeout 60m ./internal/reconcile/
say "first sync, busy latency, idle firms and two workers on one company (QBOSYNC_BENCH_SIZE=${QBOSYNC_BENCH_SIZE:-small})"
go test -run '^$' -bench 'FirstSync|BusyLatency|IdleFirms|TwoWorkersOneCompany' -benchtime 1x -timeout 5h ./internal/e2e/
