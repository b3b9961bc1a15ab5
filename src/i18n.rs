//! Interface text per language: the string tables of the theme (`i18n/<lang>.yaml`, built in
//! for English and Spanish), overridden key by key by a site's own `i18n/<lang>.yaml`. Every
//! sentence the theme shows comes from here, in templates (the `t` function), in the Markdown
//! stage (block titles, table labels) and in scripts (a strings file per language). Also dates
//! and numbers written as each language writes them.
//!
//! A table is YAML: groups of keys (`block: { exercise: Exercise }` is the key
//! `block.exercise`), each value a text or, for text that depends on a count, `one:` and
//! `other:` forms; `{n}` is the count and other `{name}`s are filled in where the text is used.

use crate::diagnostics::{Diagnostic, Diagnostics, Source, did_you_mean};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// One entry of a table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Plural { one: String, other: String },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Plain(String),
    Plural { one: String, other: String },
    Group(BTreeMap<String, Entry>),
}

fn flatten(prefix: &str, entries: BTreeMap<String, Entry>, out: &mut BTreeMap<String, Text>) {
    for (k, v) in entries {
        let key = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Entry::Plain(s) => {
                out.insert(key, Text::Plain(s));
            }
            Entry::Plural { one, other } => {
                out.insert(key, Text::Plural { one, other });
            }
            Entry::Group(g) => flatten(&key, g, out),
        }
    }
}

/// Reads one table; `Err` when it is not a table of texts.
pub fn parse_table(source: &Source) -> Result<BTreeMap<String, Text>, Diagnostic> {
    let spot = crate::yaml::YamlSpot {
        source,
        yaml: &source.text,
        first_line: 1,
        what: "this string table",
    };
    let entries: BTreeMap<String, Entry> = crate::yaml::parse(&spot)?;
    let mut out = BTreeMap::new();
    flatten("", entries, &mut out);
    Ok(out)
}

/// The interface text of one language.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    pub lang: String,
    map: HashMap<String, Text>,
}

impl Strings {
    /// ` lang="…"` (this table's language) for an element whose text comes from this table
    /// inside text written in `text_lang`, when the two differ (a page shown untranslated), so
    /// that a screen reader reads the label in its own language; empty when they agree.
    pub fn lang_attr(&self, text_lang: &str) -> String {
        if text_lang == self.lang || self.lang.is_empty() {
            String::new()
        } else {
            format!(" lang=\"{}\"", crate::util::escape_html(&self.lang))
        }
    }

    /// The text of `key` (its `other` form when it has a count), or the key itself when the
    /// table has no such key (a theme bug the tests catch, never an author's).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        match self.map.get(key) {
            Some(Text::Plain(s)) => s,
            Some(Text::Plural { other, .. }) => other,
            None => key,
        }
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }

    /// The form of `key` for count `n`, with `{n}` written as this language writes numbers.
    pub fn count(&self, key: &str, n: u64) -> String {
        let form = match self.map.get(key) {
            Some(Text::Plural { one, other }) => {
                if n == 1 {
                    one.as_str()
                } else {
                    other.as_str()
                }
            }
            Some(Text::Plain(s)) => s.as_str(),
            None => key,
        };
        fill(form, &[("n", &self.number(n))])
    }

    /// Returns true if and only if the table has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// `n` with the thousands separator of this language (`12,500`; `12 500` in Spanish).
    pub fn number(&self, n: u64) -> String {
        let digits = n.to_string();
        let sep = self.get("number.thousands");
        if digits.len() <= 4 && self.lang.starts_with("es") || digits.len() <= 3 {
            return digits;
        }
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// A date as this language writes it, as precise as it is known: a year, a month, a day.
    pub fn date(&self, year: u16, month: Option<u8>, day: Option<u8>) -> String {
        let months: Vec<&str> = self.get("date.months").split(',').map(str::trim).collect();
        let month_name = |m: u8| months.get(usize::from(m) - 1).copied().unwrap_or("");
        let year = year.to_string();
        match (month, day) {
            (Some(m), Some(d)) => fill(
                self.get("date.day"),
                &[
                    ("year", &year),
                    ("month", month_name(m)),
                    ("day", &d.to_string()),
                ],
            ),
            (Some(m), None) => fill(
                self.get("date.month"),
                &[("year", &year), ("month", month_name(m))],
            ),
            _ => year,
        }
    }

    /// Every key and text, for the scripts' strings file.
    pub fn entries(&self) -> BTreeMap<&str, &Text> {
        self.map.iter().map(|(k, v)| (k.as_str(), v)).collect()
    }
}

/// Replaces each `{name}` of `text` by its value in `args`.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The string tables of every language of a site.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    by_lang: BTreeMap<String, Strings>,
    empty: Strings,
}

impl Tables {
    /// Builds the tables of `languages` (the site's default language first) from the theme's
    /// tables (`theme`, by language) and the site's own overrides (`site`, by language, with
    /// their files). A site key the theme does not have is an error; a key a language's table
    /// lacks falls back to the default language's text, with one warning naming the keys.
    pub fn build(
        theme: &BTreeMap<String, Source>,
        site: &BTreeMap<String, Source>,
        languages: &[String],
        diags: &mut Diagnostics,
    ) -> Tables {
        let mut tables: BTreeMap<String, BTreeMap<String, Text>> = BTreeMap::new();
        for (lang, source) in theme {
            match parse_table(source) {
                Ok(t) => {
                    tables.insert(lang.clone(), t);
                }
                Err(d) => diags.push(d),
            }
        }
        let default = languages.first().cloned().unwrap_or_else(|| "en".into());
        let known: Vec<String> = tables
            .values()
            .flat_map(|t| t.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        add_site_overrides(&mut tables, site, &known, &default, diags);
        let base = tables.get(&default).cloned().unwrap_or_default();
        let mut by_lang = BTreeMap::new();
        for lang in languages {
            let map = language_map(&tables, &base, &known, lang, &default, diags);
            by_lang.insert(
                lang.clone(),
                Strings {
                    lang: lang.clone(),
                    map,
                },
            );
        }
        Tables {
            by_lang,
            empty: Strings::default(),
        }
    }

    /// The strings of `lang` (the default language's when the site has no such language).
    pub fn of(&self, lang: &str) -> &Strings {
        self.by_lang
            .get(lang)
            .or_else(|| self.by_lang.values().next())
            .unwrap_or(&self.empty)
    }
}

/// Adds the site's own tables (`site`, by language) over the theme's `tables`; a key that is
/// not among the theme's `known` keys is an error with the nearest key.
fn add_site_overrides(
    tables: &mut BTreeMap<String, BTreeMap<String, Text>>,
    site: &BTreeMap<String, Source>,
    known: &[String],
    default: &str,
    diags: &mut Diagnostics,
) {
    for (lang, source) in site {
        let Ok(over) = parse_table(source).map_err(|d| diags.push(d)) else {
            continue;
        };
        for (key, text) in over {
            if !known.contains(&key) {
                let at = key_offset(source, &key);
                let hint = match did_you_mean(&key, known.iter().map(String::as_str)) {
                    Some(near) => format!(
                        "did you mean `{near}`? A site's table can only change the theme's own texts (see the theme's `i18n/{default}.yaml` for every key)."
                    ),
                    None => format!(
                        "a site's table can only change the theme's own texts; see the theme's `i18n/{default}.yaml` for every key."
                    ),
                };
                diags.push(
                    Diagnostic::error(format!("`{key}` is not a text of the theme"))
                        .at(source, at)
                        .label("unknown key")
                        .hint(hint),
                );
                continue;
            }
            tables.entry(lang.clone()).or_default().insert(key, text);
        }
    }
}

/// The texts of `lang`: its table (or its base language's, `es` for `es-MX`), with the keys
/// it lacks taken from the `default` language's table `base` and named in one warning.
fn language_map(
    tables: &BTreeMap<String, BTreeMap<String, Text>>,
    base: &BTreeMap<String, Text>,
    known: &[String],
    lang: &String,
    default: &str,
    diags: &mut Diagnostics,
) -> HashMap<String, Text> {
    let mut map: HashMap<String, Text> = tables
        .get(lang)
        .or_else(|| tables.get(base_lang(lang)))
        .map(|t| t.clone().into_iter().collect())
        .unwrap_or_default();
    let missing: Vec<&String> = known.iter().filter(|k| !map.contains_key(*k)).collect();
    if !missing.is_empty() && lang != default {
        let list: Vec<&str> = missing.iter().take(12).map(|k| k.as_str()).collect();
        diags.push(
            Diagnostic::warning(format!(
                "{} interface text{} of language `{lang}` {} no translation, so {} shown in `{default}`: {}{}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                if missing.len() == 1 { "has" } else { "have" },
                if missing.len() == 1 { "it is" } else { "they are" },
                list.join(", "),
                if missing.len() > list.len() { ", …" } else { "" }
            ))
            .hint(format!("add them to `i18n/{lang}.yaml` beside playbook.yaml.")),
        );
    }
    for k in missing {
        if let Some(t) = base.get(k) {
            map.insert(k.clone(), t.clone());
        }
    }
    map
}

/// The language a regional tag falls back to: `es` for `es-MX`.
fn base_lang(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Where key `dotted` (`block.exercise`) is written in a table: its last part, on a line of its
/// own at the depth its groups give.
fn key_offset(source: &Source, dotted: &str) -> std::ops::Range<usize> {
    let parts: Vec<&str> = dotted.split('.').collect();
    let mut depth = 0;
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        if depth < parts.len()
            && t.starts_with(&format!("{}:", parts[depth]))
            && (depth == 0 || indent > 0)
        {
            if depth + 1 == parts.len() {
                return offset + indent..offset + indent + parts[depth].len();
            }
            depth += 1;
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme() -> BTreeMap<String, Source> {
        crate::theme::BUILTIN
            .iter()
            .filter_map(|(p, b)| {
                let lang = p.strip_prefix("i18n/")?.strip_suffix(".yaml")?;
                Some((
                    lang.to_string(),
                    Source::new(*p, String::from_utf8_lossy(b).into_owned()),
                ))
            })
            .collect()
    }

    #[test]
    fn the_built_in_tables_have_the_same_keys() {
        let tables = theme();
        let keys = |l: &str| {
            parse_table(&tables[l])
                .unwrap()
                .into_keys()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys("en"),
            keys("es"),
            "en.yaml and es.yaml must list the same keys"
        );
    }

    #[test]
    fn overrides_counts_and_fallbacks() {
        let mut site = BTreeMap::new();
        site.insert(
            "es".to_string(),
            Source::new("i18n/es.yaml", "block:\n  exercise: Actividad\n"),
        );
        let mut diags = Diagnostics::default();
        let t = Tables::build(&theme(), &site, &["en".into(), "es".into()], &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(t.of("es").get("block.exercise"), "Actividad");
        assert_eq!(t.of("en").get("block.exercise"), "Exercise");
        assert_eq!(
            t.of("es").date(2014, Some(9), Some(4)),
            "4 de septiembre de 2014"
        );
        assert_eq!(t.of("en").date(2014, Some(9), Some(4)), "September 4, 2014");
        assert_eq!(t.of("en").date(2014, None, None), "2014");
        assert_eq!(t.of("en").number(12500), "12,500");
        assert_eq!(t.of("es").number(2500), "2500");
    }

    #[test]
    fn an_unknown_site_key_is_an_error_with_a_suggestion() {
        let mut site = BTreeMap::new();
        site.insert(
            "es".to_string(),
            Source::new("i18n/es.yaml", "block:\n  exercice: Actividad\n"),
        );
        let mut diags = Diagnostics::default();
        Tables::build(&theme(), &site, &["en".into(), "es".into()], &mut diags);
        let text = diags.to_plain_string();
        assert!(text.contains("`block.exercice` is not a text"), "{text}");
        assert!(text.contains("did you mean `block.exercise`"), "{text}");
        assert!(text.contains("i18n/es.yaml:2:3"), "{text}");
    }

    #[test]
    fn a_language_without_a_table_falls_back_with_one_warning() {
        let mut diags = Diagnostics::default();
        let t = Tables::build(
            &theme(),
            &BTreeMap::new(),
            &["en".into(), "fr".into()],
            &mut diags,
        );
        assert_eq!(t.of("fr").get("block.exercise"), "Exercise");
        assert_eq!(diags.warning_count(), 1);
    }
}
