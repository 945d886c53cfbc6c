//! Escaping for generated Typst. All user text goes into Typst *string
//! literals*, never into markup, so nothing a user writes (`#`, `$`, `*`, `_`,
//! `@`, `<`, `` ` ``, `\`, `//`, `/*`, `=` or `-` at a line start, `1999.`,
//! URLs, e-mail addresses) can be read as markup: it prints literally.

use std::fmt::Write as _;

/// A Typst string literal, quotes included: `"a \"b\""`.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text in markup: an embedded string expression ended by `;`, so that what
/// follows it (a `.`, a `(`, a `[`) is never read as a method call or argument.
pub fn text(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    format!("#{};", string(s))
}

/// A label name usable in `<…>` syntax: letters, digits, `_`, `-`, `.`, `:`;
/// anything else becomes `-`.
pub fn label(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') { c } else { '-' })
        .collect();
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// A Typst array of already-written items: `()`, `(a,)`, `(a, b)`.
pub fn array<S: AsRef<str>>(items: &[S]) -> String {
    match items.len() {
        0 => "()".to_owned(),
        1 => format!("({},)", items[0].as_ref()),
        _ => format!("({})", items.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", ")),
    }
}

/// A float printed compactly and deterministically (two decimals, no trailing zeros).
pub fn num(f: f64) -> String {
    let f = if f.is_finite() { f } else { 0.0 };
    let s = format!("{f:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() { "0".to_owned() } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("a \"q\" \\ b"), "\"a \\\"q\\\" \\\\ b\"");
        assert_eq!(string("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
        assert_eq!(string("\u{1}"), "\"\\u{1}\"");
        assert_eq!(string("#$*_@<`//"), "\"#$*_@<`//\"");
    }

    #[test]
    fn text_is_terminated() {
        assert_eq!(text("x"), "#\"x\";");
        assert_eq!(text(""), "");
    }

    #[test]
    fn labels() {
        assert_eq!(label("ch01-intro--a.b:c"), "ch01-intro--a.b:c");
        assert_eq!(label("a b/c"), "a-b-c");
        assert_eq!(label(""), "x");
    }

    #[test]
    fn arrays() {
        assert_eq!(array::<&str>(&[]), "()");
        assert_eq!(array(&["a"]), "(a,)");
        assert_eq!(array(&["a", "b"]), "(a, b)");
    }

    #[test]
    fn numbers() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
    }
}
