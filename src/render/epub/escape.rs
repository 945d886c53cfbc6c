//! XML escaping for the EPUB backend: every piece of text that reaches an
//! XHTML, SVG, OPF or nav document goes through here.
//!
//! Text is text (spec section 7): `<script>`, `&`, quotes and the like print
//! literally. Characters that XML 1.0 forbids (C0 controls other than tab,
//! line feed and carriage return, and U+FFFE/U+FFFF) are dropped rather than
//! written, so no source text can make a document ill-formed.

/// Whether XML 1.0 allows `c` in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Appends `s` to `out` as XML character data (`&`, `<`, `>` escaped).
pub fn text_into(out: &mut String, s: &str) {
    // Fast path: most text needs no escaping at all.
    if !s.chars().any(|c| matches!(c, '&' | '<' | '>') || !allowed(c)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
}

/// Appends `s` to `out` as the value of a double-quoted attribute (`&`, `<`,
/// `>` and `"` escaped; tabs and line breaks become spaces, as attribute-value
/// normalisation would make them anyway).
pub fn attr_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
}

/// `s` as XML character data.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    text_into(&mut out, s);
    out
}

/// `s` as a double-quoted attribute value.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    attr_into(&mut out, s);
    out
}

/// `s` percent-encoded for use in a URL path or fragment inside the package:
/// ASCII letters, digits and `-._~!$'()*+,;=:@/` pass through, everything else
/// (spaces, `#`, `%`, non-ASCII) is encoded as UTF-8 bytes.
pub fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~!$'()*+,;=:@/".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(text("<script>alert(\"x\") & 'y'</script>"), "&lt;script&gt;alert(\"x\") &amp; 'y'&lt;/script&gt;");
        assert_eq!(attr("a \"b\" <c> & d\ne"), "a &quot;b&quot; &lt;c&gt; &amp; d e");
        assert_eq!(text("a\u{0}b\u{1b}c\u{FFFF}d"), "abcd");
        assert_eq!(text("plain text, no change"), "plain text, no change");
    }

    #[test]
    fn url_parts_are_percent_encoded() {
        assert_eq!(url_part("ar-conduct"), "ar-conduct");
        assert_eq!(url_part("a b#c%é"), "a%20b%23c%25%C3%A9");
    }
}
