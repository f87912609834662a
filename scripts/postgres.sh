#!/usr/bin/env bash
# Makes sure PostgreSQL is reachable. With DATABASE_URL (or QBOSYNC_DATABASE_URL) set it
# only checks that server; otherwise it starts this machine's PostgreSQL, installing
# Debian's package first if it is absent, and creates the qbosync database.
source "$(dirname "$0")/lib.sh"

url=${QBOSYNC_DATABASE_URL:-${DATABASE_URL:-}}
if [ -n "$url" ]; then
  command -v psql >/dev/null || die "psql is missing; install postgresql-client"
  psql "$url" -Atc 'select 1' >/dev/null || die "cannot reach the database at DATABASE_URL"
  say "PostgreSQL reachable at DATABASE_URL"
  exit 0
fi

if ! port_open 127.0.0.1 5432; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    say "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  fi
  version=$(ls /etc/postgresql | sort -n | tail -1)
  [ -n "$version" ] || die "no PostgreSQL cluster found under /etc/postgresql"
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  wait_port 127.0.0.1 5432 30 PostgreSQL
fi

# Local clusters here use trust auth for the postgres user over TCP; make sure the
# application database exists.
psql_local() { psql -h 127.0.0.1 -U postgres -d postgres -Atc "$1"; }
if ! psql_local 'select 1' >/dev/null 2>&1; then
  die "PostgreSQL is listening on 127.0.0.1:5432 but user postgres cannot log in; set DATABASE_URL"
fi
if [ "$(psql_local "select 1 from pg_database where datname = 'qbosync'")" != 1 ]; then
  psql_local 'create database qbosync' >/dev/null
  say "created database qbosync"
fi
say "PostgreSQL ready on 127.0.0.1:5432"
