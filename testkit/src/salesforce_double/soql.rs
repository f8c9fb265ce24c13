//! A small fixed SOQL parser: the few shapes a sync sends (listed in the
//! module doc of `salesforce_double`), not SOQL. Anything else is refused
//! as Salesforce refuses a query it cannot parse, so a client that drifts
//! from those shapes fails in tests rather than in production.

use chrono::{DateTime, Utc};

use super::soql_lexer::{tokens, Cursor, Token};
use super::time;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    All,
    /// `SystemModstamp > t` (or `>=` when `inclusive`).
    ModstampAfter {
        at: DateTime<Utc>,
        inclusive: bool,
    },
    /// `Catalog_Sync_Id__c = '...'` or `Email = '...'` (canonical field name).
    Equals {
        field: &'static str,
        value: String,
    },
    /// `Id = '...'` or `Id IN ('...', ...)`: 15- or 18-character ids.
    Ids(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Soql {
    /// The selected field names as written; checked against the org when run.
    pub fields: Vec<String>,
    pub filter: Filter,
    pub limit: Option<usize>,
}

/// Parses `q`, or says what it could not understand.
pub fn parse(q: &str) -> Result<Soql, String> {
    let mut cursor = Cursor { tokens: tokens(q)?, at: 0 };
    cursor.keyword("SELECT")?;
    let mut fields = vec![cursor.word()?];
    while cursor.peek() == Some(&Token::Comma) {
        cursor.next();
        fields.push(cursor.word()?);
    }
    cursor.keyword("FROM")?;
    let object = cursor.word()?;
    if !object.eq_ignore_ascii_case("Contact") {
        return Err(format!("sObject type '{object}' is not supported by this double"));
    }
    let mut filter = Filter::All;
    if cursor.peek_word("WHERE") {
        cursor.next();
        filter = condition(&mut cursor)?;
    }
    if cursor.peek_word("ORDER") {
        cursor.next();
        cursor.keyword("BY")?;
        for (i, expected) in ["SystemModstamp", "Id"].into_iter().enumerate() {
            if i > 0 && cursor.next() != Some(Token::Comma) {
                return Err("only ORDER BY SystemModstamp, Id is supported".into());
            }
            cursor.keyword(expected).map_err(|_| "only ORDER BY SystemModstamp, Id is supported".to_owned())?;
            if cursor.peek_word("ASC") {
                cursor.next();
            }
        }
    }
    let mut limit = None;
    if cursor.peek_word("LIMIT") {
        cursor.next();
        limit = Some(cursor.word()?.parse::<usize>().map_err(|e| format!("LIMIT: {e}"))?);
    }
    match cursor.next() {
        None => Ok(Soql { fields, filter, limit }),
        Some(token) => Err(format!("unexpected token: {token:?}")),
    }
}

fn condition(cursor: &mut Cursor) -> Result<Filter, String> {
    let field = cursor.word()?;
    let op = match cursor.next() {
        Some(Token::Op(op)) => op,
        Some(Token::Word(w)) if w.eq_ignore_ascii_case("IN") => "IN".to_owned(),
        other => return Err(format!("expected an operator, found {other:?}")),
    };
    let value = cursor.next();
    if field.eq_ignore_ascii_case("SystemModstamp") && (op == ">" || op == ">=") {
        let Some(Token::Word(literal)) = value else { return Err("SystemModstamp needs a datetime literal".into()) };
        let at = time::parse(&literal)
            .ok_or_else(|| format!("value of filter criterion for field 'SystemModstamp' must be of type dateTime: {literal}"))?;
        return Ok(Filter::ModstampAfter { at, inclusive: op == ">=" });
    }
    if field.eq_ignore_ascii_case("Id") {
        return ids(cursor, &op, value);
    }
    let canonical = ["Catalog_Sync_Id__c", "Email"].into_iter().find(|f| f.eq_ignore_ascii_case(&field));
    match (canonical, op.as_str(), value) {
        (Some(field), "=", Some(Token::Quoted(value))) => Ok(Filter::Equals { field, value }),
        _ => Err(format!("unsupported WHERE on {field} {op}")),
    }
}

/// `Id = 'x'` or `Id IN ('x', 'y')` (`value` is the token after the
/// operator). SOQL's ID type takes 15- or 18-character ids; anything else
/// is refused, as Salesforce refuses an invalid ID literal.
fn ids(cursor: &mut Cursor, op: &str, value: Option<Token>) -> Result<Filter, String> {
    let mut ids = Vec::new();
    match (op, value) {
        ("=", Some(Token::Quoted(id))) => ids.push(id),
        ("IN", Some(Token::Open)) => loop {
            match cursor.next() {
                Some(Token::Quoted(id)) => ids.push(id),
                other => return Err(format!("expected an id literal, found {other:?}")),
            }
            match cursor.next() {
                Some(Token::Comma) => {}
                Some(Token::Close) => break,
                other => return Err(format!("expected , or ), found {other:?}")),
            }
        },
        _ => return Err(format!("unsupported WHERE on Id {op}")),
    }
    match ids.iter().find(|id| !(id.len() == 15 || id.len() == 18) || !id.chars().all(|c| c.is_ascii_alphanumeric())) {
        Some(bad) => Err(format!("invalid ID field: {bad}")),
        None => Ok(Filter::Ids(ids)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_polling_shape_parses() {
        let q = "SELECT Id, Email, SystemModstamp FROM Contact WHERE SystemModstamp >= 2026-12-01T10:00:00.000+0000 ORDER BY SystemModstamp, Id LIMIT 500";
        let soql = parse(q).expect("the polling query");
        assert_eq!(soql.fields, ["Id", "Email", "SystemModstamp"]);
        assert!(matches!(soql.filter, Filter::ModstampAfter { inclusive: true, .. }));
        assert_eq!(soql.limit, Some(500));
        let strict = parse("select Id from contact where SystemModstamp>2026-12-01T10:00:00Z order by SystemModstamp ASC, Id ASC")
            .expect("lower case");
        assert!(matches!(strict.filter, Filter::ModstampAfter { inclusive: false, .. }));
    }

    #[test]
    fn equality_shapes_parse_with_escapes() {
        let soql = parse(r"SELECT Id FROM Contact WHERE Email = 'o\'hara@example.com'").expect("email");
        assert_eq!(soql.filter, Filter::Equals { field: "Email", value: "o'hara@example.com".into() });
        assert!(parse("SELECT Id FROM Contact WHERE Catalog_Sync_Id__c = 'abc'").is_ok());
    }

    #[test]
    fn id_shapes_parse() {
        let one = parse("SELECT Id, MasterRecordId FROM Contact WHERE Id = '003Hs0000000001IAA'").expect("Id =");
        assert_eq!(one.filter, Filter::Ids(vec!["003Hs0000000001IAA".into()]));
        let many = parse("SELECT Id FROM Contact WHERE Id IN ('003Hs0000000001IAA','003Hs0000000002') ORDER BY SystemModstamp, Id")
            .expect("Id IN");
        assert_eq!(many.filter, Filter::Ids(vec!["003Hs0000000001IAA".into(), "003Hs0000000002".into()]));
        assert!(parse("select Id from Contact where id in ( '003Hs0000000001IAA' )").is_ok());
    }

    #[test]
    fn other_shapes_are_refused() {
        for q in [
            "",
            "SELECT FROM Contact",
            "SELECT Id FROM Account",
            "SELECT Id FROM Contact WHERE LastName = 'x'",
            "SELECT Id FROM Contact WHERE Email LIKE 'x'",
            "SELECT Id FROM Contact ORDER BY Name",
            "SELECT Id FROM Contact LIMIT ten",
            "SELECT Id FROM Contact WHERE SystemModstamp > yesterday",
            "SELECT Id FROM Contact WHERE Email = 'x' AND Email = 'y'",
            "SELECT Id FROM Contact WHERE Email = 'open",
            "SELECT Id FROM Contact WHERE Id = 'short'",
            "SELECT Id FROM Contact WHERE Id IN ()",
            "SELECT Id FROM Contact WHERE Id IN ('003Hs0000000001IAA'",
            "SELECT Id FROM Contact WHERE Id != '003Hs0000000001IAA'",
            "SELECT Id FROM Contact WHERE Email IN ('a@example.com')",
        ] {
            assert!(parse(q).is_err(), "{q}");
        }
    }
}
