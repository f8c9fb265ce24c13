#!/usr/bin/env bash
# Makes sure what the tests talk to is there: PostgreSQL on 127.0.0.1:5432
# (trust auth for user postgres), RabbitMQ on 127.0.0.1:5672 (guest/guest),
# the localstripe emulator in ./.venv, and docker-compose (shared-models/tests/
# compose.rs validates docker-compose.yml with it). Installs and starts what is
# missing (Debian packages need root, or sudo), and is quick when all is
# already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup-test-env: $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_updated=""
as_root=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then as_root=(sudo); fi
apt_install() {
  if [ -z "$apt_updated" ]; then "${as_root[@]}" apt-get update -qq; apt_updated=1; fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
wait_port() {
  for _ in $(seq 1 120); do port_open "$1" && return 0; sleep 0.5; done
  log "nothing listens on port $1 after 60 s"; return 1
}

# --- PostgreSQL ---------------------------------------------------------------
if ! port_open 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Local test clusters only: let user postgres in over loopback without a password.
  if ! grep -q "catalog-sync tests" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust # catalog-sync tests\nhost all all ::1/128 trust # catalog-sync tests' "$hba"
  fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  wait_port 5432
fi

# --- RabbitMQ -----------------------------------------------------------------
if ! port_open 5672; then
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    log "installing RabbitMQ"
    apt_install rabbitmq-server
  fi
  log "starting RabbitMQ"
  rabbitmq-server -detached || true
  wait_port 5672
  rabbitmqctl await_startup >/dev/null 2>&1 || true
fi

# --- localstripe (the Stripe emulator) ------------------------------------------
if [ ! -x .venv/bin/localstripe ]; then
  log "installing localstripe into .venv"
  if ! python3 -m venv .venv 2>/dev/null; then
    apt_install python3-venv
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check localstripe==1.15.10
fi
# --- docker-compose (no Docker engine needed: the tests only run `config`) --------
if ! command -v docker-compose >/dev/null 2>&1; then
  log "installing docker-compose"
  # Without the recommended docker.io: the tests need no engine.
  apt_install --no-install-recommends docker-compose
fi
log "PostgreSQL, RabbitMQ, localstripe and docker-compose are ready"
