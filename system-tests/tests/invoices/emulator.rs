//! The slice of an invoice's life localstripe can show (INVOICE_FACTS.md):
//! a subscription's invoice, made and paid by the emulator itself, sends
//! `invoice.created` and `invoice.payment_succeeded`, and arrives here as
//! a paid invoice of the linked customer. Against localstripe (behind the
//! double, which only forwards), with its own signed webhooks.

use serde_json::Value;

use crate::support::{Billing, Pair, SECRET, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_invoice_made_and_paid_in_the_emulator_arrives_here_paid() {
    let localstripe = testkit::LocalStripe::start().await;
    let mut stack = Billing::start_on(Some(localstripe.url.clone()), "webhook", |_| {}).await;
    stack.start_worker(Pair::Customers);
    stack.start_worker(Pair::Invoices);
    localstripe.register_webhook("catalog-sync", &format!("{}/webhooks/stripe", stack.hooks), SECRET).await;
    let customer = stack.customer("Lee").await;
    let in_stripe = stack.customer_in_stripe(&customer).await;

    // Act: in the emulator, a card, a plan and a subscription, which
    // invoices the customer and charges the card at once.
    let card = [
        ("source[object]", "card"),
        ("source[number]", "4242424242424242"),
        ("source[exp_month]", "12"),
        ("source[exp_year]", "2031"),
        ("source[cvc]", "123"),
    ];
    let added = localstripe.post(&format!("/v1/customers/{in_stripe}/sources"), &card).await;
    assert!(added["id"].is_string(), "{added}");
    let plan =
        localstripe.post("/v1/plans", &[("amount", "2900"), ("currency", "usd"), ("interval", "month"), ("product[name]", "Pro")]).await;
    let plan = plan["id"].as_str().unwrap_or_else(|| panic!("{plan}")).to_owned();
    let subscription = localstripe.post("/v1/subscriptions", &[("customer", &in_stripe), ("items[0][plan]", &plan)]).await;
    assert!(subscription["id"].is_string(), "{subscription}");

    // Assert: the invoice is here, the customer's, paid, billed as there.
    let path = format!("/invoices?customer_id={customer}");
    let local: Value = testkit::wait_for("the emulator's invoice here, paid", WAIT, || async {
        let page = stack.get(&path).await;
        page["data"].as_array().and_then(|d| d.first().cloned()).filter(|i| i["status"] == "paid")
    })
    .await;
    assert_eq!(local["currency"], "usd");
    assert_eq!(local["total"].as_i64(), Some(2900), "{local}");
    let billed: i64 =
        local["lines"].as_array().unwrap().iter().map(|l| l["quantity"].as_i64().unwrap() * l["unit_amount"].as_i64().unwrap()).sum();
    assert_eq!(billed, 2900, "{local}");
    assert_eq!(local["sync"]["stripe"]["status"], "synced", "taken in, not sent back");
    stack.cleanup().await;
}
