//! Invoice items: each is a line of its invoice, or a pending item of its
//! customer until an invoice takes it in. They change only while their
//! invoice is a draft, as Stripe's lines do.

use serde_json::{json, Map, Value};

use super::errors::{invalid, missing_parameter, no_such, Refusal};
use super::events::previous_attributes;
use super::form::Form;
use super::render::item_json;
use super::{Memory, Outcome};

// As on the API version our client pins (2026-09-30): `unit_amount` is
// gone, a unit price is `unit_amount_decimal`; `quantity` is deprecated for
// `quantity_decimal` ("Non-negative decimal with at most 12 decimal
// places", since 2026-03-25.dahlia) and still taken.
const CREATE: &[&str] =
    &["customer", "invoice", "currency", "amount", "quantity", "quantity_decimal", "unit_amount_decimal", "description", "metadata"];
const UPDATE: &[&str] = &["amount", "quantity", "quantity_decimal", "unit_amount_decimal", "description", "metadata"];

pub(super) struct Item {
    pub id: String,
    /// The id of the line it is on its invoice.
    pub line: String,
    pub seq: u64,
    pub created: i64,
    pub customer: String,
    pub invoice: Option<String>,
    pub currency: String,
    pub description: Option<String>,
    /// The quantity as Stripe keeps it: a decimal string (`quantity_decimal`).
    pub quantity: String,
    /// The unit price in cents, as Stripe keeps it: a decimal string.
    pub unit_amount_decimal: String,
    /// quantity × unit price, rounded to the cent.
    pub amount: i64,
    pub metadata: Map<String, Value>,
}

impl Item {
    /// The quantity "in integer format, with any decimal precision
    /// truncated", as a line's deprecated `quantity` shows it.
    pub fn whole_quantity(&self) -> i64 {
        self.quantity.split('.').next().and_then(|w| w.parse().ok()).unwrap_or_default()
    }

    /// The whole-cent unit price, when it is one (older API versions' field).
    pub fn unit_amount(&self) -> Option<i64> {
        let (whole, cents) = self.unit_amount_decimal.split_once('.').unwrap_or((&self.unit_amount_decimal, ""));
        cents.chars().all(|c| c == '0').then(|| whole.parse().ok()).flatten()
    }
}

/// Whether `value` is a decimal as Stripe takes it: at most 12 places.
fn is_decimal(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, places) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    !whole.is_empty() && all_digits(whole) && all_digits(places) && places.len() <= 12
}

/// Quantity, unit price and amount after a create (`current` is `None`)
/// or an update. An `amount` alone bills one unit of it; a unit price bills
/// `quantity` of it; Stripe refuses both at once.
fn pricing(form: &Form, current: Option<(&str, &str)>) -> Result<(String, String, i64), Refusal> {
    let quantity = match (form.int("quantity")?, form.get("quantity_decimal")) {
        (Some(_), Some(_)) => return Err(invalid(None, "You may only specify one of these parameters: quantity, quantity_decimal.", None)),
        (Some(q), None) if q < 0 => return Err(invalid(None, "Invalid quantity: must be at least 0.", Some("quantity"))),
        (Some(q), None) => Some(q.to_string()),
        (None, Some(decimal)) if is_decimal(decimal) && !decimal.starts_with('-') => Some(decimal.to_owned()),
        (None, Some(other)) => return Err(super::errors::invalid_value("quantity_decimal", "decimal", other)),
        (None, None) => None,
    };
    let unit = match (form.int("unit_amount")?, form.get("unit_amount_decimal")) {
        (Some(_), Some(_)) => {
            return Err(invalid(None, "You may only specify one of these parameters: unit_amount, unit_amount_decimal.", None))
        }
        (Some(unit), None) => Some(unit.to_string()),
        (None, Some(decimal)) if is_decimal(decimal) => Some(decimal.to_owned()),
        (None, Some(other)) => return Err(super::errors::invalid_value("unit_amount_decimal", "decimal", other)),
        (None, None) => None,
    };
    match (form.int("amount")?, unit) {
        (Some(_), Some(_)) => Err(invalid(None, "You may only specify one of these parameters: amount, unit_amount.", Some("amount"))),
        (Some(_), None) if quantity.as_deref().is_some_and(|q| q.parse::<f64>() != Ok(1.0)) => {
            Err(invalid(None, "With amount, quantity must be 1: give unit_amount to bill a quantity.", Some("quantity")))
        }
        (Some(amount), None) => Ok(("1".to_owned(), amount.to_string(), amount)),
        (None, unit) => {
            let quantity = quantity.or(current.map(|(q, _)| q.to_owned())).unwrap_or_else(|| "1".to_owned());
            let unit = unit.or(current.map(|(_, u)| u.to_owned())).ok_or_else(|| missing_parameter("amount"))?;
            let amount = (quantity.parse::<f64>().unwrap_or_default() * unit.parse::<f64>().unwrap_or_default()).round() as i64;
            Ok((quantity, unit, amount))
        }
    }
}

/// A three-decimal currency's amount ends in 0: "To ensure compatibility
/// with Stripe's payments partners, these API calls require the
/// least-significant (last) digit to be 0" (docs.stripe.com/currencies).
fn last_digit(currency: &str, amount: i64) -> Result<(), Refusal> {
    if shared_models::domain::invoice::currency::minor_units(currency) == Some(3) && amount % 10 != 0 {
        let message = format!("Invalid amount: {currency} amounts must end in 0 (a multiple of 10 in its minor unit); got {amount}.");
        return Err(invalid(None, &message, Some("amount")));
    }
    Ok(())
}

impl Memory {
    pub(super) fn create_item(&mut self, form: &Form) -> Outcome {
        form.refuse_unknown(CREATE)?;
        let customer = form.required("customer")?.to_owned();
        if !self.has_customer(&customer) {
            return Err(no_such(400, "customer", &customer, "customer"));
        }
        let invoice = form.get("invoice").filter(|i| !i.is_empty()).map(str::to_owned);
        let mut currency = form.currency()?;
        if let Some(id) = &invoice {
            let target = self.invoices.get(id).ok_or_else(|| no_such(400, "invoice", id, "invoice"))?;
            let refuse = |message: String, param: &str| Err(invalid(None, &message, Some(param)));
            if target.status != "draft" {
                return refuse(format!("You can only add items to an invoice that is a draft; this one is {}.", target.status), "invoice");
            }
            if target.customer != customer {
                return refuse(format!("The invoice {id} belongs to customer {}, not to {customer}.", target.customer), "invoice");
            }
            match &currency {
                Some(c) if *c != target.currency => {
                    return refuse(format!("The item's currency ({c}) must be its invoice's ({}).", target.currency), "currency")
                }
                _ => currency = Some(target.currency.clone()),
            }
        }
        let (quantity, unit_amount_decimal, amount) = pricing(form, None)?;
        let currency = currency.unwrap_or_else(|| "usd".into());
        last_digit(&currency, amount)?;
        let mut metadata = Map::new();
        form.apply_metadata(&mut metadata)?;
        let before = invoice.as_ref().and_then(|id| self.invoices.get(id)).map(|i| self.invoice_json(i));
        let seq = self.sequence();
        let item = Item {
            id: format!("ii_dbl{seq:014}"),
            line: format!("il_dbl{seq:014}"),
            seq,
            created: chrono::Utc::now().timestamp(),
            customer,
            invoice: invoice.clone(),
            currency,
            description: form.text("description").flatten(),
            quantity,
            unit_amount_decimal,
            amount,
            metadata,
        };
        let answer = item_json(&item);
        if let Some(target) = invoice.as_ref().and_then(|id| self.invoices.get_mut(id)) {
            target.lines.push(item.id.clone());
        }
        self.items.insert(item.id.clone(), item);
        self.events.record("invoiceitem.created", answer.clone(), None);
        if let Some(id) = &invoice {
            self.invoice_changed(id, before.as_ref(), &[]);
        }
        Ok(answer)
    }

    pub(super) fn get_item(&self, id: &str) -> Outcome {
        self.items.get(id).map(item_json).ok_or_else(|| no_such(404, "invoiceitem", id, "id"))
    }

    /// The item, if it may change now (pending, or on a draft), and its
    /// invoice's JSON before the change.
    fn editable_item(&self, id: &str, action: &str) -> Result<(&Item, Option<Value>), Refusal> {
        let item = self.items.get(id).ok_or_else(|| no_such(404, "invoiceitem", id, "id"))?;
        let Some(invoice) = item.invoice.as_ref().and_then(|i| self.invoices.get(i)) else { return Ok((item, None)) };
        if invoice.status != "draft" {
            let message =
                format!("You can only {action} an invoice item while its invoice is a draft; {} is {}.", invoice.id, invoice.status);
            return Err(invalid(Some("invoice_not_editable"), &message, None));
        }
        Ok((item, Some(self.invoice_json(invoice))))
    }

    pub(super) fn update_item(&mut self, id: &str, form: &Form) -> Outcome {
        form.refuse_unknown(UPDATE)?;
        let (item, before_invoice) = self.editable_item(id, "update")?;
        let (quantity, unit_amount_decimal, amount) = pricing(form, Some((&item.quantity, &item.unit_amount_decimal)))?;
        last_digit(&item.currency, amount)?;
        let before = item_json(item);
        let Some(item) = self.items.get_mut(id) else { return Err(no_such(404, "invoiceitem", id, "id")) };
        form.apply_metadata(&mut item.metadata)?;
        (item.quantity, item.unit_amount_decimal, item.amount) = (quantity, unit_amount_decimal, amount);
        if let Some(description) = form.text("description") {
            item.description = description;
        }
        let (after, invoice) = (item_json(item), item.invoice.clone());
        let previous = previous_attributes(&before, &after);
        if !previous.is_empty() {
            self.events.record("invoiceitem.updated", after.clone(), Some(previous));
        }
        if let Some(invoice) = invoice {
            self.invoice_changed(&invoice, before_invoice.as_ref(), &[]);
        }
        Ok(after)
    }

    pub(super) fn delete_item(&mut self, id: &str) -> Outcome {
        let (_, before_invoice) = self.editable_item(id, "delete")?;
        let Some(item) = self.items.remove(id) else { return Err(no_such(404, "invoiceitem", id, "id")) };
        self.events.record("invoiceitem.deleted", item_json(&item), None);
        if let Some(invoice) = item.invoice.as_ref() {
            if let Some(target) = self.invoices.get_mut(invoice) {
                target.lines.retain(|line| *line != item.id);
            }
            self.invoice_changed(invoice, before_invoice.as_ref(), &[]);
        }
        Ok(json!({"id": id, "object": "invoiceitem", "deleted": true}))
    }

    /// The customer's pending items in `currency`, oldest first, moved onto
    /// invoice `invoice`: their ids, as its first lines.
    pub(super) fn take_pending(&mut self, customer: &str, currency: &str, invoice: &str) -> Vec<String> {
        let mut pending: Vec<&mut Item> =
            self.items.values_mut().filter(|i| i.invoice.is_none() && i.customer == customer && i.currency == currency).collect();
        pending.sort_by_key(|i| i.seq);
        pending
            .into_iter()
            .map(|item| {
                item.invoice = Some(invoice.to_owned());
                item.id.clone()
            })
            .collect()
    }
}
