//! Small helpers shared by every stage: filesystem calls that name their path, slugs,
//! HTML escaping and content hashes.

pub mod attrs;
pub mod fs;
pub mod url;

/// The longest id allowed: ids are stored in readers' browsers and in exported files.
pub const MAX_ID_LEN: usize = 100;

/// Returns true if and only if `id` is 1 to [`MAX_ID_LEN`] lowercase letters, digits and single
/// hyphens: the ids of courses, modules, lessons, reflections and editions.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// Returns the URL slug of `text`: lowercase letters and digits kept (any script),
/// runs of spaces, hyphens and underscores folded to one hyphen, everything else dropped.
///
/// `"The Five Steps: ROCI"` becomes `"the-five-steps-roci"`. Returns an empty string if and
/// only if `text` has no letter or digit.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else if c == ' ' || c == '-' || c == '_' || c.is_whitespace() {
            pending_dash = true;
        }
    }
    out
}

/// Escapes `&`, `<`, `>`, `"` and `'` for use in HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // Runs between the five bytes are copied whole (the templates escape every value they
    // show, most with nothing to escape); the five are ASCII, so every cut is a char boundary.
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&text[from..]);
    out
}

/// Returns the first 10 hex digits of the BLAKE3 hash of `bytes`: enough to tell versions
/// of one asset apart, short enough for a file name.
pub fn short_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..10].to_string()
}

/// Strips a leading ordering number (`01-`, `2019-`) from a file or folder stem.
///
/// `"01-why-partner"` becomes `"why-partner"`; a stem that is only a number is kept whole.
pub fn strip_order_prefix(stem: &str) -> &str {
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && stem.len() > digits + 1 && stem.as_bytes()[digits] == b'-' {
        &stem[digits + 1..]
    } else {
        stem
    }
}

/// Drops `value` on a thread of its own, which the process does not wait for when it ends: a
/// large site's build cache is hundreds of thousands of small allocations, and freeing them
/// one by one took a twentieth of a one-page rebuild at 10,000 pages.
pub fn let_go<T: Send + 'static>(value: T) {
    // Dropped here after all if no thread can be made.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// Hands memory freed so far back to the system at once, where the program said how
/// ([`on_release`]); does nothing otherwise (as in tests, on the system allocator).
pub fn release_freed() {
    if let Some(release) = RELEASE.get() {
        release();
    }
}

/// Sets how [`release_freed`] returns freed memory: the program's allocator knows how; this
/// library does not choose one.
pub fn on_release(release: fn()) {
    let _ = RELEASE.set(release);
}

static RELEASE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Phase timings for maintainers: with `PLAYBOOK_TIMINGS=1` in the environment, each call
/// prints the time since the previous one to stderr, and where the system says, the memory
/// held and the peak so far (`phase load 0.21 s  rss 80 MiB  peak 95 MiB`): the peak's phase
/// is where memory is to be saved. It costs one environment lookup otherwise.
pub struct Phases {
    last: Option<std::time::Instant>,
}

impl Phases {
    pub fn start() -> Phases {
        let on = std::env::var_os("PLAYBOOK_TIMINGS").is_some_and(|v| v != "0");
        Phases {
            last: on.then(std::time::Instant::now),
        }
    }

    pub fn done(&mut self, name: &str) {
        if let Some(last) = self.last {
            let now = std::time::Instant::now();
            eprintln!(
                "phase {name:<16} {:>7.3} s{}",
                (now - last).as_secs_f64(),
                memory().unwrap_or_default()
            );
            self.last = Some(now);
        }
    }
}

/// The process's resident memory and its peak, from Linux's `/proc/self/status`; `None`
/// elsewhere.
fn memory() -> Option<String> {
    let status = fs::read_to_string(std::path::Path::new("/proc/self/status")).ok()?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()
    };
    Some(format!(
        "  rss {:>5} MiB  peak {:>5} MiB",
        kib("VmRSS:")? / 1024,
        kib("VmHWM:")? / 1024
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_punctuation_and_case() {
        assert_eq!(slugify("The Five Steps: ROCI"), "the-five-steps-roci");
        assert_eq!(
            slugify("  Leading -- and trailing  "),
            "leading-and-trailing"
        );
        assert_eq!(
            slugify("Enseñanza culturalmente relevante"),
            "enseñanza-culturalmente-relevante"
        );
        assert_eq!(
            slugify("Results-Oriented Cycle of Inquiry (ROCI)"),
            "results-oriented-cycle-of-inquiry-roci"
        );
        assert_eq!(slugify("?!"), "");
    }

    #[test]
    fn order_prefix_is_dropped_only_before_a_name() {
        assert_eq!(strip_order_prefix("01-why-partner"), "why-partner");
        assert_eq!(strip_order_prefix("2019-three-schools"), "three-schools");
        assert_eq!(strip_order_prefix("2019"), "2019");
        assert_eq!(strip_order_prefix("why"), "why");
    }

    #[test]
    fn escaping_covers_attribute_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        // Text around and between the five, in several scripts, is kept as it is.
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("é<ñ>漢&"), "é&lt;ñ&gt;漢&amp;");
        assert_eq!(escape_html("no markup, ü"), "no markup, ü");
    }
}
