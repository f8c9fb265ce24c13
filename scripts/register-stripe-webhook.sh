#!/usr/bin/env bash
# Registers webhook-service as a webhook endpoint of your Stripe account
# (POST /v1/webhook_endpoints) for customer.created, customer.updated and
# customer.deleted, and prints the endpoint's signing secret, which Stripe
# shows only once: put it in .env as STRIPE_WEBHOOK_SECRET and restart
# webhook-service (`docker compose up -d webhook-service`).
#
#   scripts/register-stripe-webhook.sh [PUBLIC_URL]
#
# PUBLIC_URL is where Stripe can reach webhook-service, e.g.
# https://abcd-1-2-3-4.ngrok-free.app (/webhooks/stripe is appended unless it
# is there already). Without it, the URL of the ngrok tunnel is read from the
# agent's local API (NGROK_API, default http://127.0.0.1:4040, the inspector
# of `docker compose --profile tunnel up`).
#
# STRIPE_SECRET_KEY and STRIPE_API_BASE (default https://api.stripe.com/) come
# from the environment, else from .env. The localstripe emulator does not
# implement /v1/webhook_endpoints (it answers 404): there, webhooks are
# registered through its own POST /_config/webhooks/<name>, which
# docker-compose.yml (localstripe-webhook) and scripts/run-local.sh already do.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "register-stripe-webhook: $*" >&2; }
die() { log "$*"; exit 1; }
command -v curl >/dev/null 2>&1 || die "curl is needed"

# The environment wins over .env.
env_file_value() {
  [ -f .env ] || return 0
  sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1=//p" .env | tail -n 1 | sed "s/^[\"']\(.*\)[\"']$/\1/"
}
STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-$(env_file_value STRIPE_SECRET_KEY)}"
STRIPE_API_BASE="${STRIPE_API_BASE:-$(env_file_value STRIPE_API_BASE)}"
STRIPE_API_BASE="${STRIPE_API_BASE:-https://api.stripe.com/}"
STRIPE_API_BASE="${STRIPE_API_BASE%/}"
NGROK_API="${NGROK_API:-http://127.0.0.1:4040}"
[ -n "$STRIPE_SECRET_KEY" ] || die "STRIPE_SECRET_KEY is not set (in the environment or .env)"
case "$STRIPE_SECRET_KEY" in
  sk_live_* | rk_live_*) log "warning: this is a LIVE key; the endpoint is created in live mode" ;;
esac

# --- The public URL -------------------------------------------------------------
if [ $# -gt 1 ]; then die "usage: $0 [PUBLIC_URL]"; fi
public_url="${1:-}"
if [ -z "$public_url" ]; then
  tunnels=$(curl -fsS "$NGROK_API/api/tunnels" 2>/dev/null) \
    || die "no PUBLIC_URL given and no ngrok agent answers on $NGROK_API (start it with: docker compose --profile tunnel up)"
  public_url=$(printf '%s' "$tunnels" | grep -o '"public_url": *"https://[^"]*"' | head -n 1 | sed 's/.*"\(https:[^"]*\)"/\1/' || true)
  [ -n "$public_url" ] || die "the ngrok agent on $NGROK_API has no https tunnel yet; try again in a few seconds"
  log "ngrok tunnel: $public_url"
fi
case "$public_url" in
  http://* | https://*) ;;
  *) die "PUBLIC_URL must be an https:// URL (got '$public_url')" ;;
esac
public_url="${public_url%/}"
case "$public_url" in
  */webhooks/stripe) endpoint_url="$public_url" ;;
  *) endpoint_url="$public_url/webhooks/stripe" ;;
esac

# --- Stripe -----------------------------------------------------------------------
body=$(mktemp)
trap 'rm -f "$body"' EXIT
stripe() { curl -sS -o "$body" -w '%{http_code}' -u "$STRIPE_SECRET_KEY:" "$@"; }

# Stripe would accept a second endpoint for the same URL, and every event would
# then come twice (harmless here, but noisy). Its secret cannot be read back.
status=$(stripe "$STRIPE_API_BASE/v1/webhook_endpoints?limit=100") || die "cannot reach $STRIPE_API_BASE"
if [ "$status" = 404 ]; then
  die "$STRIPE_API_BASE has no /v1/webhook_endpoints (the localstripe emulator does not implement it; compose and run-local.sh register webhook-service with it already)"
fi
[ "$status" = 200 ] || die "listing webhook endpoints failed ($status): $(cat "$body")"
if grep -q "\"url\": *\"$endpoint_url\"" "$body"; then
  die "an endpoint for $endpoint_url exists already; its signing secret is in the dashboard (Developers -> Webhooks), or delete it there and run this again"
fi

status=$(stripe "$STRIPE_API_BASE/v1/webhook_endpoints" \
  --data-urlencode "url=$endpoint_url" \
  -d "enabled_events[]=customer.created" \
  -d "enabled_events[]=customer.updated" \
  -d "enabled_events[]=customer.deleted" \
  -d "description=catalog-sync webhook-service") || die "cannot reach $STRIPE_API_BASE"
[ "$status" = 200 ] || die "creating the webhook endpoint failed ($status): $(cat "$body")"
endpoint_id=$(grep -o '"id": *"we_[^"]*"' "$body" | head -n 1 | sed 's/.*"\(we_[^"]*\)"/\1/' || true)
secret=$(grep -o '"secret": *"whsec_[^"]*"' "$body" | head -n 1 | sed 's/.*"\(whsec_[^"]*\)"/\1/' || true)
[ -n "$secret" ] || die "Stripe created the endpoint ${endpoint_id:-?} but sent no secret: $(cat "$body")"

log "created webhook endpoint ${endpoint_id:-?} for $endpoint_url"
log "put this line in .env, then run: docker compose up -d webhook-service"
echo "STRIPE_WEBHOOK_SECRET=$secret"
