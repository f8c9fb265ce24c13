//! The default of every setting that has one (`.env.sample` documents each).

pub(super) fn default_salesforce_version() -> String {
    "62.0".into()
}
pub(super) fn default_salesforce_poll_ms() -> u64 {
    10_000
}
pub(super) fn default_salesforce_overlap() -> i64 {
    660
}
pub(super) fn default_external_id_field() -> String {
    "Catalog_Sync_Id__c".into()
}
pub(super) fn default_version_field() -> String {
    "Catalog_Sync_Version__c".into()
}
pub(super) fn default_quota_reserve() -> u64 {
    10
}
pub(super) fn default_quota_wait() -> u64 {
    300
}
pub(super) fn default_duplicate_rule() -> String {
    "respect".into()
}
pub(super) fn default_request_timeout() -> u64 {
    30
}
pub(super) fn default_api_auth() -> String {
    "on".into()
}
pub(super) fn default_pool_size() -> u32 {
    10
}
pub(super) fn default_prefix() -> String {
    "catalog_sync".into()
}
pub(super) fn default_integrations() -> String {
    "stripe".into()
}
pub(super) fn default_bind() -> String {
    "0.0.0.0".into()
}
pub(super) fn default_api_port() -> u16 {
    8080
}
pub(super) fn default_webhook_port() -> u16 {
    8081
}
pub(super) fn default_worker_metrics_port() -> u16 {
    9090
}
pub(super) fn default_stripe_base() -> String {
    "https://api.stripe.com/".into()
}
pub(super) fn default_rate_limit() -> u32 {
    20
}
pub(super) fn default_stripe_timeout_ms() -> u64 {
    10_000
}
pub(super) fn default_prefetch() -> u16 {
    8
}
pub(super) fn default_max_attempts() -> u32 {
    6
}
pub(super) fn default_retry_base_ms() -> u64 {
    1_000
}
pub(super) fn default_retry_max_ms() -> u64 {
    60_000
}
pub(super) fn default_blocked_retry_seconds() -> u64 {
    600
}
pub(super) fn default_guard_max() -> i64 {
    50
}
pub(super) fn default_guard_window() -> u64 {
    600
}
pub(super) fn default_guard_percent() -> i64 {
    10
}
pub(super) fn default_relay_poll_ms() -> u64 {
    500
}
pub(super) fn default_relay_batch() -> i64 {
    100
}
pub(super) fn default_outbox_retention_hours() -> u64 {
    72
}
pub(super) fn default_inward_mode() -> String {
    "both".into()
}
pub(super) fn default_webhook_tolerance() -> u64 {
    300
}
pub(super) fn default_poll_interval_ms() -> u64 {
    5_000
}
pub(super) fn default_inbox_retention_hours() -> u64 {
    720
}
