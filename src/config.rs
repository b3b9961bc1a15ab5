//! `playbook.yaml`: read raw (serde, unknown keys refused), then validated into [`Config`]
//! with the base URL split into the origin (for absolute links: canonical, sitemap, feeds)
//! and the path prefix every link in the output starts with.

use crate::diagnostics::{Diagnostic, Source};
use crate::yaml::{self, YamlSpot};
use serde::Deserialize;

pub const CONFIG_FILE: &str = "playbook.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_base_url")]
    base_url: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_theme")]
    theme: String,
    /// How the current edition (`content/`) is named in the edition switcher.
    edition_label: Option<String>,
    /// Older editions, newest first, frozen under `versions/NAME/` by `playbook version cut`.
    #[serde(default)]
    editions: Vec<RawEdition>,
    /// A district's or partner's own name, logo, colours and links.
    brand: Option<RawBrand>,
    /// Keep the pages a reader opens and the search index readable offline (a service worker).
    #[serde(default = "default_offline")]
    offline: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    organization: String,
    /// A file in `static/`, e.g. `logo.svg`.
    logo: Option<String>,
    /// Links and buttons, on the light background.
    accent: Option<String>,
    /// Links and buttons in the dark theme.
    accent_dark: Option<String>,
    /// An email address or a web address.
    contact: Option<String>,
    #[serde(default)]
    footer_links: Vec<RawLink>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub title: String,
    pub url: String,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    name: String,
    label: Option<String>,
    #[serde(default)]
    archived: bool,
}

/// An older edition of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// Folder name under `versions/` and path segment under `editions/`.
    pub name: String,
    pub label: String,
    /// Archived editions show a banner saying so and are left out of search.
    pub archived: bool,
}

fn default_base_url() -> String {
    "/".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_offline() -> bool {
    true
}

/// Where the site lives: `https://district.example/pd/playbook/` is origin
/// `https://district.example` and path `/pd/playbook/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Scheme and host, no trailing slash; empty when the site's address is not known.
    pub origin: String,
    /// Starts and ends with `/`.
    pub path: String,
}

impl BaseUrl {
    /// Parses `/`, `/pd/`, `https://host`, `https://host/pd/playbook` and the like.
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let text = text.trim();
        let (origin, path) = if let Some(rest) = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
        {
            let scheme_len = text.len() - rest.len();
            let host_end = rest.find('/').unwrap_or(rest.len());
            if host_end == 0 {
                return Err("the address has no host after `://`".into());
            }
            (text[..scheme_len + host_end].to_string(), &rest[host_end..])
        } else if text.starts_with('/') {
            (String::new(), text)
        } else {
            return Err("it must start with `https://`, `http://` or `/`".into());
        };
        if path.contains(['?', '#', ' ']) {
            return Err("it must not contain `?`, `#` or spaces".into());
        }
        let mut path = path.trim_end_matches('/').to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl { origin, path })
    }

    /// The absolute address of site path `rel` (no leading slash), or the path alone when the
    /// origin is not known.
    pub fn absolute(&self, rel: &str) -> String {
        format!("{}{}{}", self.origin, self.path, rel)
    }
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Where the edition being built lives: the site's address, or for an older edition
    /// `…/editions/NAME/` under it.
    pub base_url: BaseUrl,
    /// The site's own address (the latest edition's), whatever edition is being built.
    pub root: BaseUrl,
    pub language: String,
    pub theme: String,
    pub edition_label: String,
    pub editions: Vec<Edition>,
    /// The older edition being built, or `None` for the latest (`content/`).
    pub edition: Option<Edition>,
    pub brand: Option<Brand>,
    /// Whether readers' browsers keep pages for offline reading (the `offline` key, default
    /// true). `serve` turns it off, so an author's preview is never cached.
    pub offline: bool,
}

impl Config {
    /// The configuration for building older edition `name` under `editions/NAME/`.
    pub fn for_edition(&self, name: &str) -> Option<Config> {
        let edition = self.editions.iter().find(|e| e.name == name)?.clone();
        let mut c = self.clone();
        c.base_url = BaseUrl {
            origin: self.root.origin.clone(),
            path: format!("{}editions/{name}/", self.root.path),
        };
        c.edition = Some(edition);
        Some(c)
    }

    /// Returns true if and only if this build's pages should carry no search index.
    pub fn archived(&self) -> bool {
        self.edition.as_ref().is_some_and(|e| e.archived)
    }
}

impl Config {
    /// Reads `playbook.yaml` from its text. `base_url_override` (from `--base-url`) replaces
    /// the file's `base_url`.
    pub fn parse(source: &Source, base_url_override: Option<&str>) -> Result<Config, Diagnostic> {
        let spot = YamlSpot {
            source,
            yaml: &source.text,
            first_line: 1,
            what: "playbook.yaml",
        };
        let raw: RawConfig = yaml::parse(&spot)?;
        let (base_text, from_flag) = match base_url_override {
            Some(b) => (b.to_string(), true),
            None => (raw.base_url.clone(), false),
        };
        let base_url = BaseUrl::parse(&base_text).map_err(|why| {
            let d = Diagnostic::error(format!("the base URL `{base_text}` is not usable: {why}"));
            let d = if from_flag {
                d
            } else {
                let start = source.text.find("base_url").unwrap_or(0);
                d.at(source, start..start + "base_url".len()).label("set here")
            };
            d.hint("write the address the site will have, e.g. `https://district.example/pd/playbook/`, or `/`.")
        })?;
        if raw.language.is_empty()
            || !raw
                .language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            let start = source.text.find("language").unwrap_or(0);
            return Err(
                Diagnostic::error(format!("`{}` is not a language tag", raw.language))
                    .at(source, start..start + "language".len())
                    .hint("use a language tag such as `en` or `es`."),
            );
        }
        let mut editions = Vec::new();
        for e in raw.editions {
            if !crate::util::is_valid_id(&e.name) {
                let start = source
                    .text
                    .find(&format!("name: {}", e.name))
                    .map_or(0, |i| i + 6);
                return Err(Diagnostic::error(format!("`{}` cannot be used as an edition name", e.name))
                    .at(source, start..start + e.name.len())
                    .hint("use a year or lowercase letters, digits and hyphens, e.g. `2025`: it becomes part of the edition's address."));
            }
            let label = e.label.unwrap_or_else(|| format!("{} edition", e.name));
            editions.push(Edition {
                name: e.name,
                label,
                archived: e.archived,
            });
        }
        let brand = match raw.brand {
            Some(b) => Some(check_brand(b, source)?),
            None => None,
        };
        Ok(Config {
            brand,
            title: raw.title,
            description: raw.description,
            root: base_url.clone(),
            base_url,
            language: raw.language,
            theme: raw.theme,
            edition_label: raw.edition_label.unwrap_or_else(|| "Latest edition".into()),
            editions,
            edition: None,
            offline: raw.offline,
        })
    }
}

fn check_brand(b: RawBrand, source: &Source) -> Result<Brand, Diagnostic> {
    let at = |key: &str| {
        let start = source.text.find(&format!("{key}:")).unwrap_or(0);
        start..start + key.len()
    };
    /// A brand colour key, its value, the backgrounds it is read on, and the text drawn on it.
    type Check<'a> = (
        &'a str,
        &'a Option<String>,
        &'a [(&'a str, &'a str)],
        &'a str,
    );
    let checks: [Check; 2] = [
        ("accent", &b.accent, &LIGHT_BACKGROUNDS, "#ffffff"),
        ("accent_dark", &b.accent_dark, &DARK_BACKGROUNDS, "#0b1220"),
    ];
    for (key, value, backgrounds, button_text) in checks {
        let Some(text) = value else { continue };
        let Some(color) = parse_color(text) else {
            return Err(Diagnostic::error(format!("`{text}` is not a colour"))
                .at(source, at(key))
                .hint("write colours as hexadecimal, e.g. `accent: \"#0a4fc2\"` (in quotes, because of the `#`)."));
        };
        let mut pairs: Vec<(String, f64)> = backgrounds
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
            return Err(Diagnostic::error(format!("the brand colour fails contrast: {pair} has a contrast of {ratio:.2}:1, below 4.5:1"))
                .at(source, at(key))
                .label("not readable enough")
                .hint(hint));
        }
    }
    let contact = b.contact.map(|c| {
        if c.contains('@') && !c.contains(':') {
            format!("mailto:{c}")
        } else {
            c
        }
    });
    let contact_label = contact
        .as_ref()
        .map(|c| c.trim_start_matches("mailto:").to_string());
    Ok(Brand {
        organization: b.organization,
        logo: b.logo,
        accent: b.accent,
        accent_dark: b.accent_dark,
        contact,
        contact_label,
        footer_links: b
            .footer_links
            .into_iter()
            .map(|l| (l.title, l.url))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        assert!((contrast(parse_color("#777").unwrap(), (255, 255, 255)) - 4.48).abs() < 0.01);
        assert_eq!(parse_color("#0a4fc2"), Some((10, 79, 194)));
        assert_eq!(parse_color("blue"), None);
    }

    #[test]
    fn base_urls_split_into_origin_and_path() {
        let b = BaseUrl::parse("https://district.example/pd/playbook").unwrap();
        assert_eq!(b.origin, "https://district.example");
        assert_eq!(b.path, "/pd/playbook/");
        assert_eq!(
            b.absolute("lessons/"),
            "https://district.example/pd/playbook/lessons/"
        );
        assert_eq!(BaseUrl::parse("/").unwrap().path, "/");
        assert_eq!(BaseUrl::parse("http://127.0.0.1:8000").unwrap().path, "/");
        assert!(BaseUrl::parse("district.example/pd").is_err());
    }
}
