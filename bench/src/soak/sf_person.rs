//! Salesforce as a person uses it: straight to the org through the double's
//! controls, never through its REST API. A person's edits cost no quota,
//! need no token, are not in the call log and meet no fault the soak plays
//! on REST calls: they are not our calls. Also reads every Contact, deleted
//! ones included, for the comparison.

use salesforce_integration::names;
use serde_json::{Map, Value};
use testkit::salesforce_double::{Controls, SfError, EXTERNAL_ID};

/// A Contact as the comparison reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Contact {
    pub id: String,
    /// FirstName and LastName joined as the sync joins them.
    pub name: Option<String>,
    /// As Salesforce stores it: lower case.
    pub email: Option<String>,
    /// `Catalog_Sync_Id__c`: the local customer it stands for.
    pub ours: Option<String>,
    /// In the recycle bin (deleted, or the loser of a merge).
    pub deleted: bool,
    /// `MasterRecordId`: the Contact a merge folded this one into.
    pub master: Option<String>,
}

impl Contact {
    fn from_value(value: &Value) -> Option<Self> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Self {
            id: text("Id")?,
            name: names::join(value["FirstName"].as_str(), value["LastName"].as_str()),
            email: text("Email"),
            ours: text(EXTERNAL_ID),
            deleted: value["IsDeleted"] == true,
            master: text("MasterRecordId"),
        })
    }

    pub fn holds(&self, name: &str, email: &str) -> bool {
        self.name.as_deref() == Some(name) && self.email.as_deref() == Some(email)
    }
}

#[derive(Clone)]
pub struct SalesforcePerson {
    controls: Controls,
}

/// The fields a person types: the name split as the sync splits it (so the
/// join gives it back), the email as it is.
fn fields(name: Option<&str>, email: Option<&str>) -> Value {
    let mut fields = Map::new();
    if let Some(name) = name {
        // The soak's names are short, plain and single-spaced: they split.
        let split = names::split(name).unwrap_or(names::ContactName { first: None, last: name.to_owned() });
        fields.insert("FirstName".into(), split.first.map_or(Value::Null, Value::String));
        fields.insert("LastName".into(), Value::String(split.last));
    }
    if let Some(email) = email {
        fields.insert("Email".into(), Value::String(email.to_owned()));
    }
    Value::Object(fields)
}

impl SalesforcePerson {
    pub fn new(controls: Controls) -> Self {
        Self { controls }
    }

    /// A new Contact, with no id of ours: its Id.
    pub fn create(&self, name: &str, email: &str) -> Result<String, SfError> {
        self.controls.create_contact(&fields(Some(name), Some(email)))
    }

    /// Edits the name and/or email.
    pub fn update(&self, id: &str, name: Option<&str>, email: Option<&str>) -> Result<(), SfError> {
        self.controls.update_contact(id, &fields(name, email))
    }

    /// To the recycle bin.
    pub fn delete(&self, id: &str) -> Result<(), SfError> {
        self.controls.delete_contact(id)
    }

    /// Folds `loser` into `master`, as the UI's merge does.
    pub fn merge(&self, master: &str, loser: &str) -> Result<(), SfError> {
        self.controls.merge_contacts(master, &[loser])
    }

    /// Every Contact, deleted ones too.
    pub fn contacts(&self) -> Vec<Contact> {
        self.controls.contacts().iter().filter_map(Contact::from_value).collect()
    }
}
