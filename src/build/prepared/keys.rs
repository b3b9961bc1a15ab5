//! The build cache's keys of a variant and of its pages (see `cache`): what decides whether a
//! page rendered by the previous build can stand for a render now.

use super::Known;
use crate::build::cache::{self, KeyHasher};
use crate::build::plan::Shared;
use crate::load::Loaded;
use crate::model::{Page, Site};

/// The keys of one page: of its Markdown (render and terms), and of its search fragment.
#[derive(Clone, Copy)]
pub struct PageKeys {
    pub md: cache::Key,
    pub frag: cache::Key,
}

/// This variant's key and what the previous build left for it (when it has the same key), for
/// a build that reads and leaves a cache: only a folder build of the latest edition does.
pub fn cache_use<'a>(
    shared: &'a Shared,
    loaded: &Loaded,
    site: &Site,
    known: &Known,
) -> Option<(cache::Key, Option<&'a cache::Variant>)> {
    if !shared.caching || site.config.edition.is_some() {
        return None;
    }
    let key = variant_key(shared, loaded, site, known);
    let previous = shared
        .cache
        .as_ref()
        .and_then(|c| c.variants.get(&site.config.language))
        .filter(|v| v.key == key);
    Some((key, previous))
}

/// The Markdown and fragment keys of page `p` in a variant of key `variant` (see `cache`), the
/// page's whole text by its hash `text` (made as the text was taken out of the site, see
/// `texts`, rather than read through again).
pub fn page_keys(site: &Site, p: &Page, variant: &cache::Key, text: &blake3::Hash) -> PageKeys {
    let mut h = KeyHasher::default();
    h.bytes(variant)
        .str(&p.source.name)
        .bytes(text.as_bytes())
        .str(&p.rel)
        .str(&p.lang)
        .str(&p.url)
        .str(&p.title)
        .str(p.kind.as_str())
        .num(u64::from(p.id.0))
        .num(p.body.start as u64)
        .num(p.body.end as u64);
    let md = h.finish();
    let mut h = KeyHasher::default();
    h.bytes(&md).str(&p.title);
    for a in site.ancestors(p.id) {
        h.str(a.kind.as_str()).str(&a.title);
    }
    PageKeys {
        md,
        frag: h.finish(),
    }
}

/// The key of a variant (see `cache`): everything besides a page's own file that its Markdown,
/// terms, fragment and template can depend on, or (for what varies page by page) that the
/// page keys do not cover.
fn variant_key(shared: &Shared, loaded: &Loaded, site: &Site, known: &Known) -> cache::Key {
    let mut h = KeyHasher::default();
    h.bytes(&cache::program_key())
        .str(&shared.config_source.text)
        .str(shared.opts.base_url.as_deref().unwrap_or("\0"))
        .num(u64::from(shared.opts.drafts))
        .str(&site.config.language);
    h.num(loaded.theme_files.len() as u64);
    for (k, v) in &loaded.theme_files {
        h.str(k).bytes(v);
    }
    h.num(loaded.i18n.len() as u64);
    for (k, v) in &loaded.i18n {
        h.str(k).str(&v.name).str(&v.text);
    }
    h.num(site.pages.len() as u64);
    for p in &site.pages {
        h.str(&p.rel).str(&p.url).num(u64::from(p.id.0));
    }
    h.set(site.drafts.iter()).set(site.broken.iter());
    let mut elsewhere: Vec<(&String, &String)> = site.elsewhere.iter().collect();
    elsewhere.sort_unstable();
    for (k, v) in elsewhere {
        h.str(k).str(v);
    }
    h.set(site.suffixes.iter());
    h.set(known.assets.iter()).set(known.static_files.iter());
    let mut texts: Vec<(&String, &String)> = known.texts.iter().collect();
    texts.sort_unstable();
    for (k, v) in texts {
        h.str(k).str(v);
    }
    h.finish()
}
