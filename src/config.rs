//! `playbook.yaml`: read raw (serde, unknown keys refused), then validated into [`Config`]
//! with the base URL split into the origin (for absolute links: canonical, sitemap, feeds)
//! and the path prefix every link in the output starts with.

use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::yaml::{self, YamlSpot};
use serde::Deserialize;
use serde_saphyr::Spanned;

mod brand;
pub use brand::{Brand, DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, contrast, parse_color};
use brand::{RawBrand, check_brand};

pub const CONFIG_FILE: &str = "playbook.yaml";

/// A value as written in playbook.yaml, with where it is.
type At<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<At<String>>,
    #[serde(default)]
    description: String,
    base_url: Option<At<String>>,
    language: Option<At<String>>,
    /// The site's languages, the default (published at the site's root) first.
    languages: Option<Vec<RawLanguage>>,
    /// What a language's site shows for a page not translated into it.
    fallback: Option<At<Fallback>>,
    theme: Option<At<String>>,
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
    /// Files and folders under `content/` that are not part of the site (globs).
    #[serde(default)]
    ignore: Vec<At<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    code: At<String>,
    /// The language's own name for itself, for the language switcher (default: known names).
    name: Option<String>,
    title: Option<String>,
    description: Option<String>,
}

/// What a language's site does with a page that has no translation into that language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Fallback {
    /// Shows the page in the language it is written in, with a notice in the reader's language.
    #[default]
    Notice,
    /// Leaves it out (links to it lead to the page in its own language).
    Omit,
}

/// A language of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// The language tag (`en`, `es`, `es-MX`).
    pub code: String,
    /// The language's name in that language (`Español`).
    pub name: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    name: At<String>,
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

fn default_offline() -> bool {
    true
}

/// The languages playbook names itself, in their own words.
pub fn language_name(code: &str) -> Option<&'static str> {
    Some(match code.split(['-', '_']).next().unwrap_or(code) {
        "en" => "English",
        "es" => "Español",
        "fr" => "Français",
        "pt" => "Português",
        "de" => "Deutsch",
        "zh" => "中文",
        "vi" => "Tiếng Việt",
        "ar" => "العربية",
        "ko" => "한국어",
        "tl" => "Tagalog",
        "ht" => "Kreyòl ayisyen",
        "so" => "Soomaali",
        "ru" => "Русский",
        "hmn" => "Hmoob",
        _ => return None,
    })
}

/// Returns true if and only if `tag` looks like a language tag (`en`, `es-MX`, `zh-Hant`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
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
        } else if text.starts_with("//") || text.starts_with("/\\") {
            return Err(
                "a path starting `//` names another website, not a folder of this one".into(),
            );
        } else if text.starts_with('/') {
            (String::new(), text)
        } else {
            return Err("it must start with `https://`, `http://` or `/`".into());
        };
        if path.contains(['?', '#', ' ', '\\', '"', '<', '>']) || path.contains("//") {
            return Err(
                "it must not contain `?`, `#`, spaces, quotes, angle brackets, backslashes or `//`"
                    .into(),
            );
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
    /// The site's title in the language being built.
    pub title: String,
    pub description: String,
    /// Where the pages being built live: the site's address, or under it `editions/NAME/`
    /// for an older edition and `CODE/` for a language other than the first.
    pub base_url: BaseUrl,
    /// The site's own address (the latest edition's, first language's), whatever is built.
    pub root: BaseUrl,
    /// The language being built.
    pub language: String,
    /// Every language of the site, the default (at the site's root) first.
    pub languages: Vec<Language>,
    pub fallback: Fallback,
    pub theme: String,
    pub edition_label: String,
    pub editions: Vec<Edition>,
    /// The older edition being built, or `None` for the latest (`content/`).
    pub edition: Option<Edition>,
    pub brand: Option<Brand>,
    /// Whether readers' browsers keep pages for offline reading (the `offline` key, default
    /// true). `serve` turns it off, so an author's preview is never cached.
    pub offline: bool,
    /// Files under `content/` that are not part of the site.
    pub ignore: Ignore,
}

/// The `ignore:` globs of playbook.yaml, matched against paths relative to `content/`.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    set: Option<globset::GlobSet>,
}

impl Ignore {
    /// Returns true if and only if content path `rel` (or a folder above it) is ignored.
    pub fn matches(&self, rel: &str) -> bool {
        let Some(set) = &self.set else { return false };
        if set.is_match(rel) {
            return true;
        }
        let mut dir = rel;
        while let Some(i) = dir.rfind('/') {
            dir = &dir[..i];
            if set.is_match(dir) {
                return true;
            }
        }
        false
    }
}

impl Config {
    /// The configuration for building older edition `name` under `editions/NAME/`.
    pub fn for_edition(&self, name: &str) -> Option<Config> {
        let edition = self.editions.iter().find(|e| e.name == name)?.clone();
        let mut c = self.clone();
        c.edition = Some(edition);
        c.base_url = c.variant_base();
        Some(c)
    }

    /// The configuration for building the pages of language `code`.
    pub fn for_language(&self, code: &str) -> Option<Config> {
        let lang = self.languages.iter().find(|l| l.code == code)?;
        let mut c = self.clone();
        c.language = lang.code.clone();
        c.title = lang.title.clone();
        c.description = lang.description.clone();
        c.base_url = c.variant_base();
        Some(c)
    }

    /// The base of the edition and language being built.
    fn variant_base(&self) -> BaseUrl {
        BaseUrl {
            origin: self.root.origin.clone(),
            path: format!(
                "{}{}{}",
                self.root.path,
                self.edition_prefix(),
                self.language_prefix(&self.language)
            ),
        }
    }

    /// `editions/NAME/` for an older edition, else empty.
    pub fn edition_prefix(&self) -> String {
        self.edition
            .as_ref()
            .map_or_else(String::new, |e| format!("editions/{}/", e.name))
    }

    /// The path segment of language `code` (`es/`), empty for the default language.
    pub fn language_prefix(&self, code: &str) -> String {
        if self.default_language() == code {
            String::new()
        } else {
            format!("{code}/")
        }
    }

    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("en", |l| l.code.as_str())
    }

    /// Returns true if and only if the site has more than one language.
    pub fn multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// Returns true if and only if this build's pages should carry no search index.
    pub fn archived(&self) -> bool {
        self.edition.as_ref().is_some_and(|e| e.archived)
    }

    /// Reads `playbook.yaml` from its text. `base_url_override` (from `--base-url`) replaces
    /// the file's `base_url`. Every problem of the file is reported; any error is `Err`.
    pub fn parse(source: &Source, base_url_override: Option<&str>) -> Result<Config, Diagnostics> {
        match Config::read(source, base_url_override) {
            (Some(c), d) if !d.has_errors() => Ok(c),
            (_, d) => Err(d),
        }
    }

    /// Reads `playbook.yaml` as [`Config::parse`] does, but goes on past the errors a build can
    /// still check the rest of the site with (a refused link, theme or logo is left out): the
    /// configuration, when there is one, and every problem found (errors among them).
    pub fn read(source: &Source, base_url_override: Option<&str>) -> (Option<Config>, Diagnostics) {
        match Config::read_inner(source, base_url_override) {
            Ok((c, d)) => (Some(c), d),
            Err(d) => (None, d),
        }
    }

    /// Reads `playbook.yaml`: `Err` when the YAML cannot be read or when what a build cannot
    /// go on without (the base URL, the languages) is wrong; else the configuration and every
    /// problem found in the rest.
    fn read_inner(
        source: &Source,
        base_url_override: Option<&str>,
    ) -> Result<(Config, Diagnostics), Diagnostics> {
        let spot = YamlSpot {
            source,
            yaml: &source.text,
            first_line: 1,
            what: "playbook.yaml",
        };
        let one = |d: Diagnostic| {
            let mut all = Diagnostics::default();
            all.push(d);
            all
        };
        let raw: RawConfig = yaml::parse(&spot).map_err(one)?;
        let mut diags = Diagnostics::default();
        let base_url = base_url(&raw, source, base_url_override, &mut diags);
        let languages = languages(&raw, &spot, &mut diags);
        // What a build cannot go on without: an address, and languages.
        if diags.has_errors() {
            return Err(diags);
        }
        let theme = theme(raw.theme.as_ref(), &spot, &mut diags);
        let editions = editions(raw.editions, &spot, &mut diags);
        let brand = raw.brand.map(|b| check_brand(b, &spot, &mut diags));
        let ignore = ignore(&raw.ignore, &spot, &mut diags);
        let first = languages.first().cloned().unwrap_or_else(|| Language {
            code: "en".into(),
            name: "English".into(),
            title: String::new(),
            description: String::new(),
        });
        Ok((
            Config {
                brand,
                title: first.title.clone(),
                description: first.description.clone(),
                root: base_url.clone(),
                base_url,
                language: first.code.clone(),
                languages,
                fallback: raw.fallback.map(|f| f.value).unwrap_or_default(),
                theme,
                edition_label: raw.edition_label.unwrap_or_else(|| "Latest edition".into()),
                editions,
                edition: None,
                offline: raw.offline,
                ignore,
            },
            diags,
        ))
    }
}

/// The `theme:` folder name (default `default`); one that is not a plain folder name is
/// reported and replaced by the default theme.
fn theme(raw: Option<&Spanned<String>>, spot: &YamlSpot, diags: &mut Diagnostics) -> String {
    match raw {
        Some(t) if !is_folder_name(&t.value) => {
            diags.push(
                Diagnostic::error(format!("`{}` is not a theme name", t.value))
                    .at(spot.source, yaml::value_range(spot, &t.referenced, t.value.len()))
                    .label("a theme is a folder under `themes/`")
                    .hint("write the name of a folder in this site's `themes/` folder, e.g. `theme: district`; a path elsewhere on the computer would publish files from outside the site."),
            );
            "default".to_string()
        }
        Some(t) => t.value.clone(),
        None => "default".to_string(),
    }
}

/// The `editions:` list; an edition whose name cannot be an address is reported and left out.
fn editions(raw: Vec<RawEdition>, spot: &YamlSpot, diags: &mut Diagnostics) -> Vec<Edition> {
    let mut editions = Vec::new();
    for e in raw {
        if !crate::util::is_valid_id(&e.name.value) {
            diags.push(Diagnostic::error(format!("`{}` cannot be used as an edition name", e.name.value))
                .at(spot.source, yaml::value_range(spot, &e.name.referenced, e.name.value.len()))
                .label("not a usable name")
                .hint("use a year or lowercase letters, digits and hyphens, e.g. `2025`: it becomes part of the edition's address and the name of its folder under `versions/`."));
            continue;
        }
        let label = e
            .label
            .unwrap_or_else(|| format!("{} edition", e.name.value));
        editions.push(Edition {
            name: e.name.value,
            label,
            archived: e.archived,
        });
    }
    editions
}

/// Returns true if and only if `name` names a folder directly inside another (no `/`, `\`,
/// `..`, and not absolute).
fn is_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Returns true if and only if `path` stays inside the folder it is relative to: no leading
/// `/` or drive, no `..`, no backslash.
pub fn stays_inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && path.split('/').all(|seg| !seg.is_empty() && seg != "..")
}

fn base_url(
    raw: &RawConfig,
    source: &Source,
    over: Option<&str>,
    diags: &mut Diagnostics,
) -> BaseUrl {
    let (text, at) = match (over, &raw.base_url) {
        (Some(b), _) => (b.to_string(), None),
        (None, Some(b)) => (b.value.clone(), Some(b)),
        (None, None) => ("/".to_string(), None),
    };
    BaseUrl::parse(&text).unwrap_or_else(|why| {
        let d = Diagnostic::error(format!("the base URL `{text}` is not usable: {why}"))
            .hint("write the address the site will have, e.g. `https://district.example/pd/playbook/`, or `/`.");
        diags.push(match at {
            Some(b) => {
                let spot = YamlSpot { source, yaml: &source.text, first_line: 1, what: "playbook.yaml" };
                d.at(source, yaml::value_range(&spot, &b.referenced, b.value.len())).label("set here")
            }
            None => d,
        });
        BaseUrl { origin: String::new(), path: "/".into() }
    })
}

/// The site's languages: `languages:`, else `language:` alone (default `en`).
fn languages(raw: &RawConfig, spot: &YamlSpot, diags: &mut Diagnostics) -> Vec<Language> {
    let source = spot.source;
    let title = raw.title.as_ref().map(|t| t.value.clone());
    let check = |code: &Spanned<String>, diags: &mut Diagnostics| {
        if !is_language_tag(&code.value) {
            diags.push(
                Diagnostic::error(format!("`{}` is not a language tag", code.value))
                    .at(source, yaml::value_range(spot, &code.referenced, code.value.len()))
                    .label("not a language tag")
                    .hint("use a language tag such as `en` or `es` (or `es-MX` for a regional variant)."),
            );
        }
    };
    let make = |code: &str, name: Option<String>, t: Option<String>, d: Option<String>| Language {
        code: code.to_string(),
        name: name
            .or_else(|| language_name(code).map(str::to_string))
            .unwrap_or_else(|| code.to_string()),
        title: t.or_else(|| title.clone()).unwrap_or_default(),
        description: d.unwrap_or_else(|| raw.description.clone()),
    };
    let list = match (&raw.languages, &raw.language) {
        (Some(list), Some(single))
            if list.first().is_some_and(|l| l.code.value != single.value) =>
        {
            diags.push(
                Diagnostic::error(format!("`language: {}` is not the first of `languages:`", single.value))
                    .at(source, yaml::value_range(spot, &single.referenced, single.value.len()))
                    .hint("remove `language:`: with `languages:`, the first one listed is the site's default language."),
            );
            Vec::new()
        }
        (Some(list), _) => {
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for l in list {
                check(&l.code, diags);
                if !seen.insert(l.code.value.clone()) {
                    diags.push(
                        Diagnostic::error(format!(
                            "the language `{}` is listed twice",
                            l.code.value
                        ))
                        .at(
                            source,
                            yaml::value_range(spot, &l.code.referenced, l.code.value.len()),
                        )
                        .hint("list each language once."),
                    );
                }
                out.push(make(
                    &l.code.value,
                    l.name.clone(),
                    l.title.clone(),
                    l.description.clone(),
                ));
            }
            out
        }
        (None, Some(single)) => {
            check(single, diags);
            vec![make(&single.value, None, None, None)]
        }
        (None, None) => vec![make("en", None, None, None)],
    };
    if list.is_empty() && raw.languages.as_ref().is_some_and(Vec::is_empty) {
        diags.push(Diagnostic::error("`languages:` lists no language").at(source, 0..0).hint("list the site's languages, the default first: `languages: [{code: en}, {code: es}]`."));
    }
    if list.iter().any(|l| l.title.trim().is_empty()) && !diags.has_errors() {
        diags.push(
            Diagnostic::error("the site has no title")
                .at(source, 0..0)
                .hint("add a line `title: The name of your site` (with `languages:`, a `title:` for each language works too)."),
        );
    }
    list
}

fn ignore(globs: &[Spanned<String>], spot: &YamlSpot, diags: &mut Diagnostics) -> Ignore {
    if globs.is_empty() {
        return Ignore::default();
    }
    let mut builder = globset::GlobSetBuilder::new();
    for g in globs {
        match globset::GlobBuilder::new(g.value.trim_end_matches('/')).literal_separator(false).build() {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(e) => diags.push(
                Diagnostic::error(format!("`{}` is not a pattern of file names: {}", g.value, e.kind()))
                    .at(spot.source, yaml::value_range(spot, &g.referenced, g.value.len()))
                    .hint("patterns are paths relative to `content/` with `*` for any name, e.g. `**/fig/*.odg` or `drafts/`."),
            ),
        }
    }
    Ignore {
        set: builder.build().ok(),
    }
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
        assert!(
            BaseUrl::parse("//evil.example/x/").is_err(),
            "a protocol-relative path is another site"
        );
        assert!(BaseUrl::parse("/pd//x/").is_err());
        assert!(BaseUrl::parse("/\\evil.example/").is_err());
    }
}
