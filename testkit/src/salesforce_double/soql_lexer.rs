//! The tokens of the few SOQL shapes the double parses (`soql`), and a
//! cursor over them. Words, quoted literals with backslash escapes, commas,
//! parentheses (for `IN (...)`) and comparison operators; nothing else.

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Word(String),
    Quoted(String),
    Comma,
    Open,
    Close,
    Op(String),
}

/// Splits `text` into tokens, or says why it cannot.
pub fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if let Some(token) = [(',', Token::Comma), ('(', Token::Open), (')', Token::Close)].into_iter().find(|(p, _)| *p == c) {
            chars.next();
            out.push(token.1);
        } else if c == '\'' {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err("unterminated string literal".into()),
                }
            }
            out.push(Token::Quoted(value));
        } else if "<>=!".contains(c) {
            let mut op = String::new();
            while let Some(&c) = chars.peek().filter(|c| "<>=!".contains(**c)) {
                op.push(c);
                chars.next();
            }
            out.push(Token::Op(op));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| !c.is_whitespace() && !",'<>=!()".contains(**c)) {
                word.push(c);
                chars.next();
            }
            out.push(Token::Word(word));
        }
    }
    Ok(out)
}

pub struct Cursor {
    pub tokens: Vec<Token>,
    pub at: usize,
}

impl Cursor {
    pub fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    pub fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    pub fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    pub fn word(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(w)) => Ok(w),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }

    pub fn keyword(&mut self, keyword: &str) -> Result<(), String> {
        match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword) => Ok(()),
            other => Err(format!("expected {keyword}, found {other:?}")),
        }
    }
}
