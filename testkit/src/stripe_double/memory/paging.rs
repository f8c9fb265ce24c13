//! Stripe's cursor paging, shared by every list the double serves
//! (invoices, an invoice's lines, events): `limit` (1 to 100, 10 by
//! default), `starting_after` / `ending_before` naming an object of the
//! list, and `has_more` telling whether the walk goes on.

use serde_json::{json, Value};

use super::errors::{invalid, Refusal};
use super::form::Form;

/// The list's page that the request asks for, from `items` in list order,
/// each named by `id`; and whether more follow in the direction walked.
pub(super) fn window<'a, T>(items: &[&'a T], id: impl Fn(&T) -> &str, form: &Form) -> Result<(Vec<&'a T>, bool), Refusal> {
    let limit = form.int("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(invalid(Some("parameter_invalid_integer"), "Invalid limit: must be at least 1 and at most 100.", Some("limit")));
    }
    let limit = usize::try_from(limit).unwrap_or(10);
    let position = |key: &str| -> Result<Option<usize>, Refusal> {
        let Some(cursor) = form.get(key) else { return Ok(None) };
        // A cursor that is not in the list (deleted, or filtered out) is
        // refused: the double cannot tell where the walk was.
        items
            .iter()
            .position(|item| id(item) == cursor)
            .map(Some)
            .ok_or_else(|| invalid(Some("resource_missing"), &format!("No such object in this list: '{cursor}'"), Some(key)))
    };
    if let Some(before) = position("ending_before")? {
        // Walking backwards: the `limit` objects right before the cursor,
        // still in list order.
        let start = before.saturating_sub(limit);
        return Ok((items[start..before].to_vec(), start > 0));
    }
    let start = position("starting_after")?.map_or(0, |at| at + 1);
    let end = (start + limit).min(items.len());
    Ok((items[start..end].to_vec(), end < items.len()))
}

/// Stripe's list object.
pub(super) fn list(data: Vec<Value>, has_more: bool, url: &str) -> Value {
    json!({"object": "list", "data": data, "has_more": has_more, "url": url})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(page: &[&String]) -> Vec<String> {
        page.iter().map(|s| (*s).clone()).collect()
    }

    #[test]
    fn pages_forward_and_backward_with_has_more() {
        let all: Vec<String> = (1..=5).map(|n| format!("o{n}")).collect();
        let refs: Vec<&String> = all.iter().collect();
        let form = |q: &str| Form::parse(q.as_bytes());

        let (first, more) = window(&refs, |s: &String| s.as_str(), &form("limit=2")).unwrap();
        assert_eq!((ids(&first), more), (vec!["o1".to_owned(), "o2".to_owned()], true));
        let (last, more) = window(&refs, |s: &String| s.as_str(), &form("limit=2&starting_after=o4")).unwrap();
        assert_eq!((ids(&last), more), (vec!["o5".to_owned()], false));
        let (back, more) = window(&refs, |s: &String| s.as_str(), &form("limit=2&ending_before=o3")).unwrap();
        assert_eq!((ids(&back), more), (vec!["o1".to_owned(), "o2".to_owned()], false));
        assert_eq!(window(&refs, |s: &String| s.as_str(), &form("limit=101")).unwrap_err().status, 400);
        assert_eq!(window(&refs, |s: &String| s.as_str(), &form("starting_after=nope")).unwrap_err().status, 400);
    }
}
