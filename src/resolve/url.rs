//! Link destinations as URLs (spec section 2): the scheme of a destination,
//! percent-encoding of what a URL cannot hold (as the CommonMark reference
//! renderer does), and the check that what comes out is a valid URL, so that
//! every `href` of the EPUB is one.

use std::fmt::Write as _;

/// Schemes never linked: they run code or name files on the reader's machine.
const REFUSED_SCHEMES: [&str; 4] = ["javascript", "vbscript", "data", "file"];

/// The registered URI schemes a reading system is expected to know: those
/// EPUBCheck 5.3.0 accepts without its warning HTM-025 ("non-registered URI
/// scheme"). A link with any other scheme prints as text.
const REGISTERED_SCHEMES: [&str; 68] = [
    "aaa", "aaas", "acap", "afs", "cap", "cid", "crid", "dav", "dict", "dns", "dtn", "fax", "ftp", "go", "gopher",
    "h323", "http", "https", "iax", "icap", "im", "imap", "info", "ipp", "irc", "iris", "iris.beep", "iris.lwz",
    "iris.xpc", "iris.xpcs", "mailserver", "mailto", "mid", "modem", "msrp", "msrps", "mtqp", "mupdate", "news", "nfs",
    "nntp", "opaquelocktoken", "pack", "pop", "pres", "prospero", "rtsp", "service", "shttp", "sip", "sips", "snews",
    "snmp", "soap.beep", "soap.beeps", "tag", "tel", "telnet", "tftp", "thismessage", "tip", "tn3270", "tv", "urn",
    "wais", "xmlrpc.beep", "xmlrpc.beeps", "xmpp",
];

/// The scheme of an absolute destination (CommonMark's rule: a letter, then 1
/// to 31 letters, digits, `+`, `.` or `-`, then `:`), in lower case.
pub fn scheme(dest: &str) -> Option<String> {
    let (s, _) = dest.split_once(':')?;
    let mut chars = s.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && (2..=32).contains(&s.len())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    ok.then(|| s.to_ascii_lowercase())
}

/// True for a scheme that is never linked.
pub fn refused(scheme: &str) -> bool {
    REFUSED_SCHEMES.contains(&scheme)
}

/// Percent-encodes what a URL cannot hold: spaces, controls, non-ASCII
/// characters (as UTF-8), and `"<>[]\^`{|}`; a `%` that does not start an
/// escape becomes `%25`. Everything else passes through.
pub fn encode(dest: &str) -> String {
    let bytes = dest.as_bytes();
    let mut out = String::with_capacity(dest.len());
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'%' => bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            b'!' | b'#' | b'$' | b'&'..=b';' | b'=' | b'?' | b'@' | b'_' | b'~' => true,
            b if b.is_ascii_alphanumeric() => true,
            _ => false,
        };
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes (for matching a fragment against heading ids).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An absolute destination as the URL an `href` holds, or why it cannot be one.
pub fn external(dest: &str) -> Result<String, String> {
    if let Some(s) = scheme(dest) {
        if !REGISTERED_SCHEMES.contains(&s.as_str()) {
            return Err(format!("`{s}:` is not a registered URI scheme, so e-readers cannot follow it"));
        }
    }
    let encoded = encode(dest);
    let parsed = url::Url::parse(&encoded).map_err(|e| e.to_string())?;
    if parsed.has_authority() {
        // A host made only of dots, or with an empty label, names nothing.
        if let Some(url::Host::Domain(d)) = parsed.host() {
            if d.split('.').all(str::is_empty) || d.contains("..") {
                return Err(format!("`{d}` is not a host name"));
            }
        }
    }
    Ok(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_follow_commonmark() {
        assert_eq!(scheme("https://x.org").as_deref(), Some("https"));
        assert_eq!(scheme("MAILTO:a@b.c").as_deref(), Some("mailto"));
        assert_eq!(scheme("irc://foo.bar:2233/baz").as_deref(), Some("irc"));
        assert_eq!(scheme("a+b.c-d:x").as_deref(), Some("a+b.c-d"));
        assert_eq!(scheme("m:abc"), None, "one letter is not a scheme");
        assert_eq!(scheme("notes/ch1.md"), None);
        assert_eq!(scheme("1ab:x"), None);
        assert_eq!(scheme("#frag:x"), None);
        assert!(refused("javascript") && refused("data") && !refused("ftp"));
    }

    #[test]
    fn encodes_as_the_reference_renderer() {
        assert_eq!(encode("http://x.org/a b"), "http://x.org/a%20b");
        assert_eq!(encode("http://x.org/[a]\\b"), "http://x.org/%5Ba%5D%5Cb");
        assert_eq!(encode("http://x.org/ä"), "http://x.org/%C3%A4");
        assert_eq!(encode("http://x.org/%41%zz%"), "http://x.org/%41%25zz%25");
        assert_eq!(encode("http://x.org/?a=1&b=(2)#f"), "http://x.org/?a=1&b=(2)#f");
        assert_eq!(encode("a\u{1}b\"c<d>e`f{g|h}i^"), "a%01b%22c%3Cd%3Ee%60f%7Bg%7Ch%7Di%5E");
        assert_eq!(decode("caf%C3%A9%20x%zz"), "café x%zz");
    }

    #[test]
    fn invalid_urls_are_refused() {
        assert_eq!(external("https://example.org/a b").unwrap(), "https://example.org/a%20b");
        assert_eq!(external("mailto:clerk@example.org").unwrap(), "mailto:clerk@example.org");
        assert!(external("irc://foo.bar:2233/baz").is_ok());
        assert!(external("tel:+44-20-7946-0000").is_ok());
        for bad in ["http://../", "http://", "https://a..b/", "http://x:99999/", "http://[::1/", "a+b+c:d", "made-up-scheme://foo,bar", "localhost:5001/foo"] {
            assert!(external(bad).is_err(), "{bad}");
        }
    }
}
