//! A district's own colours as a small stylesheet over the theme's (custom properties only,
//! so every part of the theme follows them). The colours are checked for contrast in `config`.

use crate::config::Brand;

/// The brand's colours as custom properties over the theme's, or `None` without colours.
pub fn css(brand: &Brand) -> Option<String> {
    let mut css = String::from(
        "/* Brand colours from playbook.yaml (checked for AA contrast at build time). */\n",
    );
    if let Some(a) = &brand.accent {
        css.push_str(&format!(
            ":root {{ --accent: {a}; --link: {a}; --note: {a}; }}\n"
        ));
    }
    if let Some(d) = &brand.accent_dark {
        let vars = format!("--accent: {d}; --link: {d}; --note: {d};");
        css.push_str(&format!(":root[data-theme=\"dark\"] {{ {vars} }}\n@media (prefers-color-scheme: dark) {{ :root:not([data-theme=\"light\"]) {{ {vars} }} }}\n"));
    }
    (brand.accent.is_some() || brand.accent_dark.is_some()).then_some(css)
}
