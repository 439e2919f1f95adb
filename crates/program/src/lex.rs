//! Tokens of one source line.

use neurochip_firmware::program::Cond;

use crate::error::{fail, ErrorKind, LineError};

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A name, a mnemonic (`add.s`) or a qualified register (`soma.v`).
    Word(String),
    /// An integer literal (decimal or `0x` hex, `_` separators, optional `-`).
    Int(i128),
    /// `,`
    Comma,
    /// A comparison operator.
    Cmp(Cond),
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

fn int_literal(text: &str, line: usize) -> Result<i128, LineError> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16),
        None => digits.parse::<i128>(),
    };
    match v {
        Ok(v) if v < (1i128 << 100) => Ok(if neg { -v } else { v }),
        _ => fail(
            line,
            ErrorKind::Syntax,
            format!("`{text}` is not an integer"),
        ),
    }
}

fn cmp_op(s: &str) -> Option<(Cond, usize)> {
    let ops = [
        ("<=", Cond::Le),
        (">=", Cond::Ge),
        ("==", Cond::Eq),
        ("!=", Cond::Ne),
        ("<", Cond::Lt),
        (">", Cond::Gt),
    ];
    ops.iter()
        .find(|(t, _)| s.starts_with(t))
        .map(|&(t, c)| (c, t.len()))
}

/// Split one line (comments already removed) into tokens.
pub(crate) fn tokens(text: &str, line: usize) -> Result<Vec<Tok>, LineError> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while let Some(c) = rest.chars().next() {
        let len = if c == ',' {
            out.push(Tok::Comma);
            1
        } else if let Some((cond, n)) = cmp_op(rest) {
            out.push(Tok::Cmp(cond));
            n
        } else if c.is_ascii_digit() || c == '-' {
            let n = 1 + rest[1..]
                .find(|ch: char| !word_char(ch))
                .unwrap_or(rest.len() - 1);
            out.push(Tok::Int(int_literal(&rest[..n], line)?));
            n
        } else if word_char(c) {
            let n = rest.find(|ch: char| !word_char(ch)).unwrap_or(rest.len());
            out.push(Tok::Word(rest[..n].to_string()));
            n
        } else {
            return fail(
                line,
                ErrorKind::Syntax,
                format!("unexpected character `{c}`"),
            );
        };
        rest = rest[len..].trim_start();
    }
    Ok(out)
}

/// The line without its comment (`;` or `#` to the end).
pub(crate) fn strip_comment(line: &str) -> &str {
    match line.find([';', '#']) {
        Some(i) => &line[..i],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_an_instruction_and_a_test() {
        let t = tokens("add.s  t, x, -0x10", 1).unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Word("add.s".into()),
                Tok::Word("t".into()),
                Tok::Comma,
                Tok::Word("x".into()),
                Tok::Comma,
                Tok::Int(-16),
            ]
        );
        let t = tokens("if v>=thr", 1).unwrap();
        assert_eq!(t[2], Tok::Cmp(Cond::Ge));
        assert_eq!(tokens("x 1_000", 1).unwrap()[1], Tok::Int(1000));
        assert!(tokens("x $", 1).is_err());
        assert!(tokens("x 12ab", 1).is_err());
        assert_eq!(strip_comment("add x, y ; note # more"), "add x, y ");
    }
}
