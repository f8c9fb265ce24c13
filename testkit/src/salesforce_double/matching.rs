//! The fuzzy name comparisons of Salesforce's Standard Contact Matching
//! Rule, as far as the double models them. Salesforce Help,
//! "Standard Contact Matching Rule and Standard Lead Matching Rule"
//! (matching_rules_standard_contact_rule.htm) and "Matching Criteria in
//! Matching Rules" (matching_rule_matching_criteria.htm):
//!
//! - First Name: Exact, Initials, Jaro-Winkler distance, Metaphone 3 and
//!   Name Variant methods, scored by their maximum, threshold 85.
//! - Last Name: Exact, Keyboard Distance and Metaphone 3, maximum, 90.
//! - Values are normalized first: lower case, no leading or trailing
//!   spaces ("Normalization Criteria for Match Keys").
//!
//! What the double implements: Exact (after normalization); Initials (a
//! single letter, with or without a period, matches a name that starts
//! with it); Jaro-Winkler similarity >= 0.85; a short table of common
//! English nicknames for Name Variant; and, for last names, Keyboard
//! Distance approximated by one edit (insertion, deletion, substitution
//! or swap of neighbours) on names of four or more characters. Metaphone 3
//! is proprietary and not modelled, so sound-alike names that differ more
//! (Smith / Smyth passes by one edit, Stephens / Stevens does not) are a
//! match in a real org but not here.

/// Name Variant: nicknames and the names they stand for (a small sample
/// of what Salesforce's name-variant table holds).
const VARIANTS: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("rob", "robert"),
    ("bill", "william"),
    ("will", "william"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("kate", "katherine"),
    ("jim", "james"),
    ("mike", "michael"),
    ("dave", "david"),
    ("tom", "thomas"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("ted", "edward"),
    ("peggy", "margaret"),
    ("sue", "susan"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("tony", "anthony"),
    ("chris", "christopher"),
    ("joe", "joseph"),
    ("steve", "stephen"),
];

fn normal(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Do two first names match (both given)?
pub fn first_names(a: &str, b: &str) -> bool {
    let (a, b) = (normal(a), normal(b));
    let initial = |x: &str, y: &str| {
        let letter = x.trim_end_matches('.');
        letter.chars().count() == 1 && y.starts_with(letter)
    };
    let variant = VARIANTS.iter().any(|(nick, full)| (a == *nick && b == *full) || (a == *full && b == *nick));
    a == b || initial(&a, &b) || initial(&b, &a) || variant || jaro_winkler(&a, &b) >= 0.85
}

/// Do two last names match?
pub fn last_names(a: &str, b: &str) -> bool {
    let (a, b) = (normal(a), normal(b));
    a == b || (a.chars().count().min(b.chars().count()) >= 4 && one_edit_apart(&a, &b))
}

/// Jaro-Winkler similarity, 0 to 1 (prefix scale 0.1, up to 4 characters).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.is_empty() || b.is_empty() {
        return if a == b { 1.0 } else { 0.0 };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut taken = vec![false; b.len()];
    let mut matched_a = Vec::new();
    for (i, ca) in a.iter().enumerate() {
        let (from, to) = (i.saturating_sub(window), (i + window + 1).min(b.len()));
        if let Some(j) = (from..to).find(|&j| !taken[j] && b[j] == *ca) {
            taken[j] = true;
            matched_a.push(*ca);
        }
    }
    if matched_a.is_empty() {
        return 0.0;
    }
    let matched_b: Vec<char> = b.iter().zip(&taken).filter(|(_, t)| **t).map(|(c, _)| *c).collect();
    let transpositions = matched_a.iter().zip(&matched_b).filter(|(x, y)| x != y).count() / 2;
    let m = matched_a.len() as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution or
/// swap of two neighbouring characters.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match (ra.len(), rb.len()) {
        (0, 0) => true,
        (x, y) if x == y => ra[1..] == rb[1..] || (x >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..]),
        (x, y) if x == y + 1 => ra[1..] == *rb,
        (x, y) if y == x + 1 => *ra == rb[1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_names_match_by_case_initial_nickname_or_spelling() {
        for (a, b) in [("Ada", "ADA "), ("J.", "John"), ("J", "jane"), ("Bob", "Robert"), ("Jon", "John"), ("Katharine", "Katherine")] {
            assert!(first_names(a, b) && first_names(b, a), "{a} / {b}");
        }
        for (a, b) in [("Ada", "Grace"), ("J", "Mary"), ("Jo", "Ann")] {
            assert!(!first_names(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn last_names_match_by_case_or_one_edit() {
        for (a, b) in [("Lovelace", "LOVELACE"), ("Smith", "Smyth"), ("Hopper", "Hoper"), ("Lovelace", "Lovleace"), ("King", "Kings")] {
            assert!(last_names(a, b) && last_names(b, a), "{a} / {b}");
        }
        for (a, b) in [("Lee", "Lei"), ("Lovelace", "Loveless"), ("Hopper", "Turing")] {
            assert!(!last_names(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn jaro_winkler_agrees_with_the_textbook_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.813).abs() < 0.001);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }
}
