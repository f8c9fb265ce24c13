//! The stack with Stripe and Salesforce in force: what the three-sided
//! tests share.

use testkit::SalesforceDouble;
use tokio_util::sync::CancellationToken;

use crate::support::Inward;

/// The stack with Stripe and Salesforce in force, both workers running.
pub struct ThreeSides {
    pub stack: Inward,
    pub salesforce: SalesforceDouble,
    stop: CancellationToken,
    salesforce_worker: Option<tokio::task::JoinHandle<()>>,
}

impl ThreeSides {
    pub async fn start(tweak: impl Fn(&mut shared_models::config::Settings)) -> Self {
        let salesforce = SalesforceDouble::start().await.unwrap();
        let login = salesforce.url().to_owned();
        let mut stack = Inward::start("webhook", |s| {
            s.sync.integrations = "stripe,salesforce".into();
            s.salesforce.login_url = login.clone();
            tweak(s);
        })
        .await;
        stack.start_worker();
        let mut sides = Self { stack, salesforce, stop: CancellationToken::new(), salesforce_worker: None };
        sides.start_salesforce_worker();
        sides
    }

    pub fn start_salesforce_worker(&mut self) {
        self.stop = CancellationToken::new();
        let worker = wiring::customers_to_salesforce(&self.stack.settings).unwrap();
        self.salesforce_worker = Some(tokio::spawn(worker.run(self.stop.clone())));
    }

    /// Stops the Salesforce worker (changes wait in its queue).
    pub async fn stop_salesforce_worker(&mut self) {
        self.stop.cancel();
        if let Some(worker) = self.salesforce_worker.take() {
            let _ = worker.await;
        }
    }

    /// The Contact that carries our customer id, deleted or not.
    pub fn contact_of(&self, id: &str) -> Option<serde_json::Value> {
        self.salesforce.controls().contacts().into_iter().find(|c| c["Catalog_Sync_Id__c"] == id)
    }

    pub async fn finish(mut self) {
        self.stop_salesforce_worker().await;
        self.stack.cleanup().await;
        self.salesforce.stop().await;
    }
}
