//! Reconcile reads every page of Stripe's customer list. The client asks
//! for 100 a page (Stripe's most) and follows `has_more`; the double pages
//! as Stripe does, so with more than 100 customers in Stripe a client that
//! stopped after the first page would miss some, and would take the linked
//! customers it missed for customers Stripe no longer lists.

use crate::support::{Billing, Pair};

/// More than one page of 100.
const IN_STRIPE: usize = 105;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconcile_reads_every_page_of_stripes_customers() {
    let mut stack = Billing::start("webhook", |_| {}).await;
    stack.start_worker(Pair::Customers);
    // One of ours, linked: the oldest in Stripe, so the last page lists it.
    let ours = stack.customer("Linked").await;
    stack.customer_in_stripe(&ours).await;
    // Made in the dashboard, unknown here; no event reaches us (webhook
    // mode, nothing delivered), only the reconcile can find them.
    for n in 1..IN_STRIPE {
        let (name, email) = (format!("Dashboard {n}"), format!("{}@example.com", testkit::unique(&format!("dashboard{n}"))));
        let (status, body) = stack.stripe.dashboard("POST", "/v1/customers", &[("name", &name), ("email", &email)]);
        assert_eq!(status, 200, "{body}");
    }

    let summary = wiring::reconciler(&stack.settings).unwrap().run(false, &()).await.unwrap();

    assert_eq!(summary.checked.remote, IN_STRIPE as u64, "every Stripe customer read: {summary:?}");
    assert_eq!((summary.catalog.created, summary.missing), (IN_STRIPE as u64 - 1, 0), "{summary:?}");
    assert_eq!(stack.db.count("SELECT count(*) FROM customers WHERE deleted_at IS NULL").await, IN_STRIPE as i64);
    let (_, first_page) = stack.stripe.dashboard("GET", "/v1/customers", &[("limit", "100")]);
    assert_eq!(first_page["has_more"], true, "the reconcile had more than one page to read");
    stack.cleanup().await;
}
