# qbosync — the commands a new user needs are `make demo` and `make test`.
.PHONY: all build test demo up down status up-cluster down-cluster status-cluster chaos db temporal bench clean

all: build

build:
	go build -o bin/ ./worker ./starter

## test: everything CI runs (starts PostgreSQL, installs the Temporal CLI if missing)
test:
	scripts/test.sh

## demo: bring up the stack, seed a firm, sync it into the sandbox, print the summary, stop
demo:
	scripts/demo.sh

## up / down / status: the local stack, left running for exploring
up:
	scripts/stack.sh up

down:
	scripts/stack.sh down

status:
	scripts/stack.sh status

## up-cluster / down-cluster: the production shape on this machine (README, "The production shape")
up-cluster:
	scripts/cluster.sh up

down-cluster:
	scripts/cluster.sh down

status-cluster:
	scripts/cluster.sh status

## chaos: a backfill on the cluster shape while its parts are killed in turn (README, "Chaos run")
chaos:
	scripts/chaos.sh

db:
	scripts/postgres.sh

temporal:
	scripts/temporal.sh start

## bench: the benchmarks (README, "Benchmarks"); QBOSYNC_BENCH_SIZE=large for the full run
bench:
	scripts/bench.sh

clean:
	rm -rf bin
