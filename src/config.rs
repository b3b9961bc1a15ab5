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
    pub base_url: BaseUrl,
    pub language: String,
    pub theme: String,
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
        Ok(Config {
            title: raw.title,
            description: raw.description,
            base_url,
            language: raw.language,
            theme: raw.theme,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
