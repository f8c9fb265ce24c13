//! Error messages that name the environment variable a person sets.

/// config reports lower-case field names (`missing configuration field
/// "database_url"`, ``for key `api_port` ``); users set upper-case
/// variables, so name those. Every setting name contains an underscore,
/// which keeps quoted values (`"eighty"`) as they are.
pub(super) fn name_variables(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                let token = &after[..close];
                let is_setting = token.contains('_') && token.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if is_setting {
                    out.push_str(&token.to_ascii_uppercase());
                } else {
                    out.push(quote);
                    out.push_str(token);
                    out.push(quote);
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::name_variables;

    #[test]
    fn error_messages_name_the_environment_variable() {
        assert_eq!(name_variables("missing field `database_url`"), "missing field DATABASE_URL");
        assert_eq!(name_variables("missing configuration field \"database_url\""), "missing configuration field DATABASE_URL");
        assert_eq!(
            name_variables("invalid type: string \"eighty\", expected u16 for key `api_port`"),
            "invalid type: string \"eighty\", expected u16 for key API_PORT"
        );
    }
}
