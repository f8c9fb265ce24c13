//! An invoice's lines: what is billed, each with an id of ours that its
//! Stripe invoice item carries, so that an edit changes the one item it is
//! about and a resend after a crash finds the items already added.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::jsonb::jsonb_value;
use super::text::free_text;
use crate::domain::DomainError;

/// At most this many lines on one invoice (Stripe allows 250).
pub const MAX_LINES: usize = 100;
const MAX_DESCRIPTION: usize = 500;
const MAX_QUANTITY: i64 = 1_000_000;
/// Stripe's largest amount (8 digits of minor units), for a line and the total.
pub const MAX_AMOUNT: i64 = 99_999_999;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InvoiceLine {
    /// Ours; pass it back in a `PATCH` to keep the line (and its Stripe item).
    pub id: Uuid,
    #[schema(example = "Consulting, November")]
    pub description: String,
    #[schema(example = 3, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// In the currency's minor unit (cents for usd).
    #[schema(example = 12_000, minimum = 0, maximum = 99_999_999)]
    pub unit_amount: i64,
}

impl InvoiceLine {
    pub fn amount(&self) -> i64 {
        self.quantity * self.unit_amount
    }
}

/// A line as a request gives it; checked by [`Lines::parse`].
#[derive(Debug, Clone, Default)]
pub struct LineDraft {
    pub id: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<i64>,
    pub unit_amount: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Jsonb)]
#[serde(transparent)]
pub struct Lines(Vec<InvoiceLine>);

jsonb_value!(Lines);

impl Lines {
    /// The lines of a request. A line with an `id` keeps one of `kept` (the
    /// invoice's lines so far); one without gets a new id. Quantity is 1
    /// when left out.
    pub fn parse(drafts: Vec<LineDraft>, kept: &Lines) -> Result<Self, DomainError> {
        if drafts.len() > MAX_LINES {
            return Err(DomainError::invalid("lines", format!("an invoice has at most {MAX_LINES} lines")));
        }
        let mut lines: Vec<InvoiceLine> = Vec::with_capacity(drafts.len());
        for (i, draft) in drafts.into_iter().enumerate() {
            let field = |name: &str| format!("lines[{i}].{name}");
            let id = match draft.id.as_deref() {
                None => Uuid::now_v7(),
                Some(raw) => Uuid::parse_str(raw.trim()).ok().filter(|id| kept.0.iter().any(|l| l.id == *id)).ok_or_else(|| {
                    DomainError::invalid(field("id"), format!("this invoice has no line '{raw}' (leave id out for a new line)"))
                })?,
            };
            if lines.iter().any(|l| l.id == id) {
                return Err(DomainError::invalid(field("id"), format!("line '{id}' is given twice")));
            }
            // A kept line is edited in place: what the draft leaves out keeps its value.
            let before = kept.0.iter().find(|l| l.id == id && draft.id.is_some());
            let description = draft
                .description
                .or_else(|| before.map(|l| l.description.clone()))
                .ok_or_else(|| DomainError::invalid(field("description"), "description is required"))?;
            let description = free_text(&field("description"), &description, MAX_DESCRIPTION)?;
            let quantity = draft.quantity.or(before.map(|l| l.quantity)).unwrap_or(1);
            if !(1..=MAX_QUANTITY).contains(&quantity) {
                return Err(DomainError::invalid(field("quantity"), format!("quantity must be between 1 and {MAX_QUANTITY}")));
            }
            let unit_amount = draft
                .unit_amount
                .or(before.map(|l| l.unit_amount))
                .ok_or_else(|| DomainError::invalid(field("unit_amount"), "unit_amount is required (in minor units)"))?;
            if !(0..=MAX_AMOUNT).contains(&unit_amount) {
                return Err(DomainError::invalid(field("unit_amount"), format!("unit_amount must be between 0 and {MAX_AMOUNT}")));
            }
            lines.push(InvoiceLine { id, description, quantity, unit_amount });
        }
        let parsed = Self(lines);
        match parsed.checked_total() {
            Some(total) if total <= MAX_AMOUNT => Ok(parsed),
            _ => Err(DomainError::invalid("lines", format!("the lines must total at most {MAX_AMOUNT} (minor units)"))),
        }
    }

    /// Lines as an integration holds them: a line keeps the id of ours it
    /// carries (the first one that carries it), one without gets a new id.
    pub fn from_outside(mut drafts: Vec<LineDraft>) -> Result<Self, DomainError> {
        let mut seen = std::collections::HashSet::new();
        for draft in &mut drafts {
            let ours = draft.id.as_deref().and_then(|raw| Uuid::parse_str(raw).ok()).filter(|id| seen.insert(*id));
            draft.id = ours.map(|id| id.to_string());
        }
        let kept = seen.into_iter().map(|id| InvoiceLine { id, description: String::new(), quantity: 1, unit_amount: 0 }).collect();
        Self::parse(drafts, &Lines(kept))
    }

    fn checked_total(&self) -> Option<i64> {
        self.0.iter().try_fold(0i64, |sum, l| l.quantity.checked_mul(l.unit_amount).and_then(|a| sum.checked_add(a)))
    }

    /// The sum of the lines (never over [`MAX_AMOUNT`] once parsed).
    pub fn total(&self) -> i64 {
        self.checked_total().unwrap_or(i64::MAX)
    }

    pub fn as_slice(&self) -> &[InvoiceLine] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(description: &str, quantity: Option<i64>, unit_amount: i64) -> LineDraft {
        LineDraft { id: None, description: Some(description.into()), quantity, unit_amount: Some(unit_amount) }
    }

    #[test]
    fn lines_get_ids_and_a_total() {
        let lines = Lines::parse(vec![draft(" Setup ", None, 500), draft("Hours", Some(3), 12_000)], &Lines::default()).unwrap();
        assert_eq!(lines.total(), 36_500);
        assert_eq!(lines.as_slice()[0].description, "Setup");
        assert_eq!(lines.as_slice()[0].quantity, 1);
        assert_ne!(lines.as_slice()[0].id, lines.as_slice()[1].id);
    }

    #[test]
    fn an_edit_keeps_a_known_line_and_refuses_an_unknown_id() {
        let first = Lines::parse(vec![draft("Setup", None, 500)], &Lines::default()).unwrap();
        let id = first.as_slice()[0].id.to_string();
        let kept = LineDraft { id: Some(id.clone()), ..draft("Setup, revised", None, 700) };
        let edited = Lines::parse(vec![kept.clone()], &first).unwrap();
        assert_eq!(edited.as_slice()[0].id.to_string(), id);
        let error = Lines::parse(vec![kept.clone(), kept], &first).unwrap_err();
        assert_eq!(error.field(), "lines[1].id");
        let stranger = LineDraft { id: Some(Uuid::now_v7().to_string()), ..draft("X", None, 1) };
        assert_eq!(Lines::parse(vec![stranger], &first).unwrap_err().field(), "lines[0].id");
    }

    #[test]
    fn a_kept_line_given_only_a_quantity_keeps_its_other_values() {
        let first = Lines::parse(vec![draft("Hours", Some(2), 9_000)], &Lines::default()).unwrap();
        let id = first.as_slice()[0].id;
        let only_quantity = LineDraft { id: Some(id.to_string()), description: None, quantity: Some(4), unit_amount: None };
        let edited = Lines::parse(vec![only_quantity], &first).unwrap();
        assert_eq!(edited.as_slice(), [InvoiceLine { id, description: "Hours".into(), quantity: 4, unit_amount: 9_000 }]);
        let new_without_price = LineDraft { unit_amount: None, ..draft("New", None, 0) };
        assert_eq!(Lines::parse(vec![new_without_price], &first).unwrap_err().field(), "lines[0].unit_amount");
    }

    #[test]
    fn bad_lines_are_refused_naming_the_field() {
        let refused = |d: LineDraft| Lines::parse(vec![d], &Lines::default()).unwrap_err().field().to_owned();
        assert_eq!(refused(draft("", None, 1)), "lines[0].description");
        assert_eq!(refused(draft("x", Some(0), 1)), "lines[0].quantity");
        assert_eq!(refused(draft("x", None, -1)), "lines[0].unit_amount");
        assert_eq!(refused(LineDraft { unit_amount: None, ..draft("x", None, 1) }), "lines[0].unit_amount");
        assert_eq!(refused(draft("x", Some(1_000_000), MAX_AMOUNT)), "lines");
        let many = (0..=MAX_LINES).map(|_| draft("x", None, 1)).collect();
        assert_eq!(Lines::parse(many, &Lines::default()).unwrap_err().field(), "lines");
    }
}
