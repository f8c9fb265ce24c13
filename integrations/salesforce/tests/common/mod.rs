//! What the integration's tests share: the feed and source of one double.

use std::sync::Arc;
use std::time::Duration;

use salesforce_integration::client::{Credentials, SalesforceHttp};
use salesforce_integration::contacts::Fields;
use salesforce_integration::inward::{SalesforceContactSource, SalesforceFeed};
use testkit::salesforce_double::{CLIENT_ID, CLIENT_SECRET};
use testkit::SalesforceDouble;

/// The feed and the source of the double's org, sharing one client.
pub fn parts(double: &SalesforceDouble) -> (SalesforceFeed, SalesforceContactSource) {
    let credentials =
        Credentials { login_url: double.url().to_owned(), client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.to_owned().into() };
    let http = Arc::new(SalesforceHttp::new(credentials, "62.0", Duration::from_secs(5)).expect("a client"));
    let fields = || Fields { external_id: "Catalog_Sync_Id__c".into(), version: "Catalog_Sync_Version__c".into() };
    (SalesforceFeed::new(http.clone(), fields()), SalesforceContactSource::new(http, fields()))
}
