//! The `brand:` section of `playbook.yaml`: a site's organization, logo, colours, contact and
//! footer links, checked (colours meet WCAG AA contrast where the theme uses them, the logo is
//! a file in `static/`, links run no code) into [`Brand`].

use super::At;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::yaml::{self, YamlSpot};
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBrand {
    organization: String,
    /// A file in `static/`, e.g. `logo.svg`.
    logo: Option<At<String>>,
    /// Links and buttons, on the light background.
    accent: Option<At<String>>,
    /// Links and buttons in the dark theme.
    accent_dark: Option<At<String>>,
    /// An email address or a web address.
    contact: Option<At<String>>,
    #[serde(default)]
    footer_links: Vec<RawLink>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    title: String,
    url: At<String>,
}

/// A site's own branding, checked: colours meet WCAG AA contrast where they are used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Brand {
    pub organization: String,
    pub logo: Option<String>,
    pub accent: Option<String>,
    pub accent_dark: Option<String>,
    /// `mailto:` or a web address.
    pub contact: Option<String>,
    pub contact_label: Option<String>,
    pub footer_links: Vec<(String, String)>,
    /// Where `logo:` is written in playbook.yaml.
    #[serde(skip)]
    pub logo_at: std::ops::Range<usize>,
}

/// The theme's backgrounds a brand colour is checked against.
pub const LIGHT_BACKGROUNDS: [(&str, &str); 2] = [
    ("the page background", "#ffffff"),
    ("the header and box background", "#f5f6f8"),
];
pub const DARK_BACKGROUNDS: [(&str, &str); 2] = [
    ("the dark page background", "#15181d"),
    ("the dark header and box background", "#1e2229"),
];

/// Parses `#rgb` or `#rrggbb`.
pub fn parse_color(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text.strip_prefix('#')?;
    let expand = |s: &str| -> Option<u8> { u8::from_str_radix(s, 16).ok() };
    match hex.len() {
        3 => {
            let c: Vec<u8> = hex
                .chars()
                .map(|c| expand(&format!("{c}{c}")))
                .collect::<Option<_>>()?;
            Some((c[0], c[1], c[2]))
        }
        6 => Some((
            expand(&hex[0..2])?,
            expand(&hex[2..4])?,
            expand(&hex[4..6])?,
        )),
        _ => None,
    }
}

/// WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let lum = |(r, g, b): (u8, u8, u8)| {
        let ch = |v: u8| {
            let c = f64::from(v) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)
    };
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Checks the `brand:` section; each problem goes to `diags` and leaves its value out.
pub(super) fn check_brand(b: RawBrand, spot: &YamlSpot, diags: &mut Diagnostics) -> Brand {
    let at = |s: &Spanned<String>| yaml::value_range(spot, &s.referenced, s.value.len());
    let colours = [
        Colour {
            key: "accent",
            value: &b.accent,
            backgrounds: &LIGHT_BACKGROUNDS,
            button_text: "#ffffff",
        },
        Colour {
            key: "accent_dark",
            value: &b.accent_dark,
            backgrounds: &DARK_BACKGROUNDS,
            button_text: "#0b1220",
        },
    ];
    for c in colours {
        check_colour(&c, spot, diags);
    }
    if let Some(logo) = &b.logo {
        check_logo(logo, spot, diags);
    }
    let contact = b.contact.as_ref().and_then(|c| contact(c, spot, diags));
    let contact_label = contact
        .as_ref()
        .map(|c| c.trim_start_matches("mailto:").to_string());
    let mut footer_links = Vec::new();
    for l in b.footer_links {
        if crate::util::url::safe_link(&l.url.value) {
            footer_links.push((l.title, l.url.value));
        } else {
            diags.push(link_error(&l.url, spot));
        }
    }
    Brand {
        organization: b.organization,
        logo_at: b.logo.as_ref().map_or(0..0, at),
        logo: b.logo.map(|l| l.value),
        accent: b.accent.map(|a| a.value),
        accent_dark: b.accent_dark.map(|a| a.value),
        contact,
        contact_label,
        footer_links,
    }
}

/// A brand colour key, its value, the backgrounds it is read on, and the text drawn on it.
struct Colour<'a> {
    key: &'a str,
    value: &'a Option<Spanned<String>>,
    backgrounds: &'a [(&'a str, &'a str)],
    button_text: &'a str,
}

/// Reports a brand colour that is no colour, or the first place it is used with a contrast
/// below 4.5:1 (as link text on each background, and under button text).
fn check_colour(c: &Colour, spot: &YamlSpot, diags: &mut Diagnostics) {
    let Some(v) = c.value else { return };
    let (key, text, button_text) = (c.key, &v.value, c.button_text);
    let at = yaml::value_range(spot, &v.referenced, v.value.len());
    let Some(color) = parse_color(text) else {
        diags.push(Diagnostic::error(format!("`{text}` is not a colour"))
            .at(spot.source, at)
            .hint("write colours as hexadecimal, e.g. `accent: \"#0a4fc2\"` (in quotes, because of the `#`)."));
        return;
    };
    let mut pairs: Vec<(String, f64)> = c
        .backgrounds
        .iter()
        .map(|(name, bg)| {
            (
                format!("`{key}` {text} as link text on {name} {bg}"),
                contrast(color, parse_color(bg).unwrap_or((255, 255, 255))),
            )
        })
        .collect();
    pairs.push((
        format!("button text {button_text} on `{key}` {text}"),
        contrast(color, parse_color(button_text).unwrap_or((255, 255, 255))),
    ));
    if let Some((pair, ratio)) = pairs.into_iter().find(|(_, r)| *r < 4.5) {
        let hint = if key == "accent" {
            "choose a darker colour: links and button text need a contrast of at least 4.5:1 (WCAG AA) with what is around them."
        } else {
            "choose a lighter colour for the dark theme: links and button text need a contrast of at least 4.5:1 (WCAG AA)."
        };
        diags.push(Diagnostic::error(format!("the brand colour fails contrast: {pair} has a contrast of {ratio:.2}:1, below 4.5:1"))
            .at(spot.source, at)
            .label("not readable enough")
            .hint(hint));
    }
}

/// Reports a logo path that leaves the site's `static/` folder.
fn check_logo(logo: &Spanned<String>, spot: &YamlSpot, diags: &mut Diagnostics) {
    if !super::stays_inside(&logo.value) {
        diags.push(
            Diagnostic::error(format!("the logo `{}` is not a file in `static/`", logo.value))
                .at(spot.source, yaml::value_range(spot, &logo.referenced, logo.value.len()))
                .label("outside the site's `static/` folder")
                .hint("put the logo in the `static` folder beside playbook.yaml and give its name there, e.g. `logo: logo.svg` or `logo: images/logo.svg`; a path elsewhere on the computer would publish a file from outside the site."),
        );
    }
}

/// The contact address as a link: a bare email address gets `mailto:`; an address that would
/// run code is reported and left out.
fn contact(c: &Spanned<String>, spot: &YamlSpot, diags: &mut Diagnostics) -> Option<String> {
    if c.value.contains('@') && !c.value.contains(':') {
        return Some(format!("mailto:{}", c.value));
    }
    if crate::util::url::safe_link(&c.value) {
        Some(c.value.clone())
    } else {
        diags.push(link_error(c, spot));
        None
    }
}

/// The error for a link whose scheme would run or embed code (`javascript:`, `data:`…).
fn link_error(s: &Spanned<String>, spot: &YamlSpot) -> Diagnostic {
    let scheme = crate::util::url::scheme(&s.value).unwrap_or_default();
    Diagnostic::error(format!("a link to a `{scheme}:` address is not allowed"))
        .at(spot.source, yaml::value_range(spot, &s.referenced, s.value.len()))
        .label("this address would run or embed code")
        .hint("links may go to web addresses (`https://…`), email (`mailto:` or just the address) or telephone numbers (`tel:`).")
}
