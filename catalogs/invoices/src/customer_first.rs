//! An invoice belongs to a customer, and reaches an integration only once
//! that customer is linked there: until then its change waits, using none
//! of its attempts and never dead-lettered. The wait is short while the
//! customer is on its way (an invoice made a moment after its customer goes
//! out right behind it), and longer, and said to be blocked, while the
//! customer's own sync has failed for good (a replay of the customer
//! unblocks it).

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use shared_models::db::sync_links;
use shared_models::sync::{EntityRef, SyncStatus};
use sync_core::Readiness;

use crate::InvoiceRecord;

/// How soon to look again while the customer is on its way.
const WHILE_PENDING: Duration = Duration::from_secs(1);
/// How soon to look again while the customer's sync has failed.
const WHILE_FAILED: Duration = Duration::from_secs(30);

pub(crate) async fn prepare(
    conn: &mut AsyncPgConnection,
    integration: &str,
    record: &mut InvoiceRecord,
) -> Result<Readiness, diesel::result::Error> {
    let customer = EntityRef::customer(record.customer_id);
    let link = sync_links::find(conn, integration, &customer).await?;
    match link {
        Some(link) if link.external_id.is_some() => {
            record.customer_external_id = link.external_id;
            Ok(Readiness::Ready)
        }
        Some(link) if link.status == SyncStatus::Failed => Ok(Readiness::Wait {
            why: format!(
                "blocked: its customer {} failed to sync to {integration} ({}); the invoice goes out once the customer does",
                record.customer_id,
                link.last_error.as_deref().unwrap_or("no error recorded")
            ),
            retry_after: WHILE_FAILED,
        }),
        _ => Ok(Readiness::Wait {
            why: format!("waiting for its customer {} to reach {integration}", record.customer_id),
            retry_after: WHILE_PENDING,
        }),
    }
}
