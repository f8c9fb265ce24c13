#!/usr/bin/env bash
# The test command: prepares the environment, then runs every test of the
# workspace against real PostgreSQL, RabbitMQ, localstripe and wiremock.
# Extra arguments go to cargo test (e.g. scripts/test.sh -p sync-worker).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-test-env.sh
output=$(mktemp)
trap 'rm -f "$output"' EXIT
status=0
cargo test --workspace --locked "$@" 2>&1 | tee "$output" || status=$?
# cargo prints one result line per test binary; add them up in one line.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "summary: %d passed, %d failed, %d skipped\n", p, f, s }' "$output"
exit "$status"
