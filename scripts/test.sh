#!/usr/bin/env bash
# The test command: prepares the environment, then runs every test of the
# workspace against real PostgreSQL, RabbitMQ, localstripe and wiremock.
# Extra arguments go to cargo test (e.g. scripts/test.sh -p sync-worker).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-test-env.sh
cargo test --workspace --locked "$@"
