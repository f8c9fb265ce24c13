#!/usr/bin/env bash
# Runs the whole system natively: PostgreSQL, RabbitMQ (installed and started
# by scripts/setup-test-env.sh when missing), the database migrated, and the
# three services. Without STRIPE_SECRET_KEY it also starts the localstripe
# emulator and points the services at it; without SALESFORCE_LOGIN_URL, the
# Salesforce double (testkit's salesforce-double binary), so the three-way
# sync (SYNC_INTEGRATIONS=stripe,salesforce by default here) runs offline.
# Logs go to ./logs/<name>.log.
# Ctrl-C (or SIGTERM) stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "run-local: $*" >&2; }
die() { log "$*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

scripts/setup-test-env.sh

# --- Settings: the environment wins over .env, .env over our defaults --------
if [ -f .env ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    case "$line" in '' | '#'*) continue ;; esac
    line="${line#export }"
    key="${line%%=*}"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && [ "$key" != "$line" ] || continue
    value="${line#*=}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    if [ -z "${!key+set}" ]; then export "$key=$value"; fi
  done < .env
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/catalog_sync}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
# This machine only, unless .env says otherwise; and a key for this run.
export BIND_ADDRESS="${BIND_ADDRESS:-127.0.0.1}"
if [ -z "${API_BOOTSTRAP_KEY:-}" ]; then
  API_BOOTSTRAP_KEY="csk_local_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  export API_BOOTSTRAP_KEY
fi
API_PORT="${API_PORT:-8080}"
WEBHOOK_PORT="${WEBHOOK_PORT:-8081}"
LOCALSTRIPE_PORT="${LOCALSTRIPE_PORT:-8420}"
SALESFORCE_DOUBLE_PORT="${SALESFORCE_DOUBLE_PORT:-8430}"
# All three sides unless .env says otherwise (the services alone default to
# stripe): Salesforce is the double below when no org is configured.
export SYNC_INTEGRATIONS="${SYNC_INTEGRATIONS:-stripe,salesforce}"
bin_dir="${CARGO_TARGET_DIR:-target}/debug"
mkdir -p logs

# --- Children and how they stop ------------------------------------------------
service_pids=()
localstripe_pid=""
salesforce_double_pid=""
cleanup() {
  trap - INT TERM EXIT
  if [ "${#service_pids[@]}" -gt 0 ]; then
    log "stopping the services"
    kill -TERM "${service_pids[@]}" 2>/dev/null || true
    # They finish what they hold (actix waits up to 10 s), then are killed.
    for _ in $(seq 1 60); do
      alive=0
      for pid in "${service_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.25
    done
    kill -KILL "${service_pids[@]}" 2>/dev/null || true
  fi
  # localstripe takes long to stop on SIGTERM and holds nothing worth keeping.
  if [ -n "$localstripe_pid" ]; then
    { kill -KILL "$localstripe_pid" && wait "$localstripe_pid"; } 2>/dev/null || true
  fi
  # The double stops at once on SIGTERM (it may have had Ctrl-C's SIGINT already).
  if [ -n "$salesforce_double_pid" ]; then
    { kill -TERM "$salesforce_double_pid"; wait "$salesforce_double_pid"; } 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'status=$?; cleanup; exit $status' EXIT

for port in "$API_PORT" "$WEBHOOK_PORT"; do
  port_open "$port" && die "port $port is already in use (API_PORT=$API_PORT, WEBHOOK_PORT=$WEBHOOK_PORT); stop what uses it or choose other ports"
done

# --- Database ---------------------------------------------------------------------
# The services migrate at start too (under an advisory lock); the database
# itself must exist first.
db_url="${DATABASE_URL%%\?*}"
db_name="${db_url##*/}"
if [[ "$db_name" =~ ^[A-Za-z0-9_]+$ ]]; then
  admin_url="${db_url%/*}/postgres"
  if [ "$(psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" != "1" ]; then
    log "creating database $db_name"
    psql "$admin_url" -q -c "CREATE DATABASE \"$db_name\""
  fi
else
  log "cannot tell the database name from DATABASE_URL; not creating it"
fi

# --- Stripe: the real one when a key is set, else the emulator --------------------
if [ -z "${STRIPE_SECRET_KEY:-}" ]; then
  port_open "$LOCALSTRIPE_PORT" && die "port $LOCALSTRIPE_PORT (localstripe) is already in use; stop what uses it or set LOCALSTRIPE_PORT"
  log "STRIPE_SECRET_KEY is not set: using the localstripe emulator on port $LOCALSTRIPE_PORT (nothing reaches the real Stripe)"
  .venv/bin/localstripe --port "$LOCALSTRIPE_PORT" --from-scratch >logs/localstripe.log 2>&1 &
  localstripe_pid=$!
  export STRIPE_SECRET_KEY=sk_test_local
  export STRIPE_API_BASE="http://127.0.0.1:$LOCALSTRIPE_PORT"
  export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_local}"
else
  log "using Stripe at ${STRIPE_API_BASE:-https://api.stripe.com/}"
fi

# --- Salesforce: a real org when SALESFORCE_LOGIN_URL names one, else the double ---
# As in docker-compose.yml: an empty login URL, or one of the double's, means
# the double, and its credentials replace whatever .env holds.
salesforce_double=""
salesforce_shown="not synced (SYNC_INTEGRATIONS=$SYNC_INTEGRATIONS)"
integrations=",${SYNC_INTEGRATIONS// /},"
if [[ "${integrations,,}" == *,salesforce,* ]]; then
  login_url="${SALESFORCE_LOGIN_URL:-}"
  login_url="${login_url%/}"
  case "$login_url" in
    "" | "http://127.0.0.1:$SALESFORCE_DOUBLE_PORT" | "http://localhost:$SALESFORCE_DOUBLE_PORT") salesforce_double=1 ;;
    *)
      log "using Salesforce at $login_url"
      salesforce_shown="$login_url"
      ;;
  esac
fi
if [ -n "$salesforce_double" ]; then
  port_open "$SALESFORCE_DOUBLE_PORT" && die "port $SALESFORCE_DOUBLE_PORT (salesforce-double) is already in use; stop what uses it or set SALESFORCE_DOUBLE_PORT"
  log "SALESFORCE_LOGIN_URL names no org: using the Salesforce double on port $SALESFORCE_DOUBLE_PORT (nothing reaches a real org)"
fi

# --- Build, migrate, start ---------------------------------------------------------
cargo build --workspace --bins

if [ -n "$salesforce_double" ]; then
  "$bin_dir/salesforce-double" --bind 127.0.0.1 --port "$SALESFORCE_DOUBLE_PORT" >logs/salesforce-double.log 2>&1 &
  salesforce_double_pid=$!
  # It prints the settings that point the services at it once it listens;
  # every service needs them at start, even `migrate`.
  for _ in $(seq 1 100); do
    grep -q '^SALESFORCE_CLIENT_SECRET=' logs/salesforce-double.log && break
    kill -0 "$salesforce_double_pid" 2>/dev/null || die "salesforce-double stopped; see logs/salesforce-double.log"
    sleep 0.1
  done
  printed=$(grep -E '^SALESFORCE_(LOGIN_URL|CLIENT_ID|CLIENT_SECRET)=' logs/salesforce-double.log) \
    || die "salesforce-double printed no settings; see logs/salesforce-double.log"
  while IFS= read -r setting; do export "${setting?}"; done <<<"$printed"
  salesforce_shown="$SALESFORCE_LOGIN_URL (the double; a person's edits: curl below)"
fi

"$bin_dir/api-service" migrate

if [ -n "$localstripe_pid" ]; then
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null -H "Authorization: Bearer $STRIPE_SECRET_KEY" "$STRIPE_API_BASE/v1/customers?limit=1" 2>/dev/null && break
    kill -0 "$localstripe_pid" 2>/dev/null || die "localstripe stopped; see logs/localstripe.log"
    sleep 0.2
  done
  # The emulator delivers its events to webhook-service like Stripe would.
  curl -fsS -o /dev/null -X POST "$STRIPE_API_BASE/_config/webhooks/catalog-sync" \
    --data-urlencode "url=http://127.0.0.1:$WEBHOOK_PORT/webhooks/stripe" \
    --data-urlencode "secret=${STRIPE_WEBHOOK_SECRET%%,*}" || die "cannot register the webhook with localstripe"
fi

declare -A service_of=()
for name in api-service sync-worker webhook-service; do
  "$bin_dir/$name" >"logs/$name.log" 2>&1 &
  service_pids+=("$!")
  service_of[$!]=$name
done

# Wait until both HTTP services answer, or tell which service gave up.
answering=""
for _ in $(seq 1 120); do
  for pid in "${service_pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      name="${service_of[$pid]}"
      tail -n 20 "logs/$name.log" >&2 || true
      die "$name stopped during start; see logs/$name.log"
    fi
  done
  if curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT/health" 2>/dev/null && curl -fsS -o /dev/null "http://127.0.0.1:$WEBHOOK_PORT/health" 2>/dev/null; then
    answering=1
    break
  fi
  sleep 0.25
done
[ -n "$answering" ] || log "the HTTP services do not answer /health after 30 s; see ./logs"

cat <<EOF

catalog-sync is running (logs in ./logs; Ctrl-C stops everything).
  API key          $API_BOOTSTRAP_KEY
                   (every scope, for this run; keep one with: api-service keys create <name>)
  API              http://localhost:$API_PORT/customers   (docs: http://localhost:$API_PORT/docs/)
  health / ready   http://localhost:$API_PORT/health  http://localhost:$API_PORT/ready
  webhook-service  http://localhost:$WEBHOOK_PORT/health  (Stripe webhooks: POST /webhooks/stripe)
  RabbitMQ         amqp://localhost:5672 (management UI on http://localhost:15672 once
                   'rabbitmq-plugins enable rabbitmq_management' was run)
  Stripe           $STRIPE_API_BASE
  Salesforce       $salesforce_shown

Create a customer, then GET it to watch its sync.<integration>.status turn "synced":
  export KEY=$API_BOOTSTRAP_KEY
  curl -s -X POST http://localhost:$API_PORT/customers -H "Authorization: Bearer \$KEY" \\
       -H 'content-type: application/json' -d '{"name":"Ada Lovelace","email":"ada@example.com"}'
EOF
if [ -n "$salesforce_double" ]; then
  cat <<EOF

Edit it "in Salesforce" (the double; README.md, Salesforce Contacts, has more),
then GET it again within 10 s (SALESFORCE_POLL_INTERVAL_MS):
  curl -s $SALESFORCE_LOGIN_URL/_control/contacts      # every Contact, with its Id
  curl -s -X PATCH $SALESFORCE_LOGIN_URL/_control/contacts/<Id> -d '{"LastName":"Byron"}'
EOF
fi
echo

# Runs until a signal arrives or a service exits (then everything stops).
# On Ctrl-C the services get SIGINT too and stop by themselves; bash then
# lets them, and the first one to exit ends up here.
status=0
exited=""
wait -n -p exited "${service_pids[@]}" || status=$?
name="${service_of[${exited:-0}]:-a service}"
if [ "$status" -eq 0 ]; then
  log "$name stopped; stopping the rest"
  exit 0
fi
log "$name exited with status $status; stopping the rest (see logs/$name.log)"
exit 1
