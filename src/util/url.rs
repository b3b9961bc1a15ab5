//! What a browser makes of a URL's scheme, and which schemes a link may use.

/// The scheme of a URL as a browser reads it (entities decoded, tabs and line breaks dropped,
/// lowercase), if it has one.
pub fn scheme(url: &str) -> Option<String> {
    let decoded = html_escape::decode_html_entities(url);
    let cleaned: String = decoded
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let t = cleaned.trim_start_matches(|c: char| c <= ' ');
    let colon = t.find(':')?;
    let head = &t[..colon];
    (!head.is_empty()
        && !head.contains(['/', '?', '#'])
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| head.to_ascii_lowercase())
}

/// Returns true if and only if a link may go to `url`: a web address, an email address, a
/// telephone number, or an address in this site.
pub fn safe_link(url: &str) -> bool {
    match scheme(url) {
        None => true,
        Some(s) => matches!(s.as_str(), "http" | "https" | "mailto" | "tel"),
    }
}
