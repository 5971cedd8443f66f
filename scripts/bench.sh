#!/usr/bin/env bash
# Benchmarks of DESIGN.md section 6 on generated data; the figures go to docs/benchmarks.md.
# Each benchmark creates its own database (dropped at the end) on the PostgreSQL of the tests
# (TEST_PG_ADMIN_URL, default the local superuser) and uses the tests' Redis. Not part of
# `make test`: speed never fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export BENCH_DOC=${BENCH_DOC:-$ROOT/docs/benchmarks.md}

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "Go is not installed"

run() { # name, package, test pattern
  printf '\n== %s\n' "$1"
  (cd backend && go test -tags bench -count=1 -timeout "${BENCH_TIMEOUT:-40m}" -run "$3" -v "$2") || die "$1 failed"
}

start=$(date +%s)
# Access control: policy loading and decisions at 3,000 counties × 300 staff, and the cost
# of row-level security on scoped lists at 1,000,000 rows.
run "access control and row-level security" ./internal/access/ '^TestAccessBenchmarks$'
# The registry: household search at 1.5 M households / 3 M people in 30 counties (synthetic
# data; BENCH_KEEP_DB=1 keeps the database for the next run) and the Excel ledger import of
# 100,000 rows, both through the real server binary.
run "household search and ledger import" ./internal/ledger/ '^TestRegistryBenchmarks$'
printf '\nbench: done in %ss; figures in %s\n' "$(( $(date +%s) - start ))" "$BENCH_DOC"
