//! Editions: the current `content/` is the latest edition, published at the site root; each
//! older one is frozen under `versions/NAME/` (by `playbook version cut`) and published under
//! `editions/NAME/`.
//!
//! Every page can be matched across editions by a stable key: a course, module or lesson `id`
//! when it has one (so a lesson moved to another file is still the same lesson), else its path.
//! A page with no match in another edition leads to its nearest ancestor that has one, else to
//! that edition's home: the switcher never leads to a 404.
//!
//! An older edition is rendered again only when its cache key changes: the hash of its own
//! sources, the theme, playbook.yaml, this program's version, and the latest edition's page
//! map (which its switcher and canonical links point into). Editing a page of the latest
//! edition does not change that map; adding, moving or removing one does.

use crate::model::{Page, PageId, PageKind, Site};
use crate::util::{fs, short_hash};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The name of the file, inside a built older edition, that records its cache key and pages.
pub const CACHE_FILE: &str = ".playbook-edition";

/// One page of an edition, as other editions see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PageEntry {
    pub key: String,
    /// Path under the edition's base path (`lessons/trust/`).
    pub url: String,
    pub title: String,
    /// Hash of the page's text, to tell changed pages apart.
    pub hash: String,
    /// The page's file, relative to the site folder (`versions/2025/lessons/trust.md`), read
    /// again for "What changed" (empty in caches of earlier builds).
    #[serde(default)]
    pub source: String,
}

/// What a built older edition remembers of itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cached {
    pub key: String,
    /// The [`stat_key`] the key was made with (empty in caches of earlier builds).
    #[serde(default)]
    pub stat: String,
    /// The default language's pages.
    pub pages: Vec<PageEntry>,
    /// Every language's pages (the default one's too), when the site has more than one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub langs: BTreeMap<String, Vec<PageEntry>>,
}

impl Cached {
    /// The page maps by language (a cache of a one-language build holds only `pages`).
    pub fn by_language(&self, default: &str) -> BTreeMap<String, Vec<PageEntry>> {
        if self.langs.is_empty() {
            BTreeMap::from([(default.to_string(), self.pages.clone())])
        } else {
            self.langs.clone()
        }
    }
}

/// The stable key of a page across editions.
pub fn page_key(page: &Page) -> String {
    match (page.kind, page.stable_id()) {
        (PageKind::Course, Some(id)) => format!("course:{id}"),
        (PageKind::Module, Some(id)) => format!("module:{id}"),
        (PageKind::Lesson | PageKind::CourseLesson, Some(id)) => format!("lesson:{id}"),
        _ => format!("url:{}", page.url),
    }
}

/// The page map of an edition.
pub fn map_of(site: &Site) -> Vec<PageEntry> {
    site.pages
        .iter()
        .map(|p| PageEntry {
            key: page_key(p),
            url: p.url.clone(),
            title: p.title.clone(),
            hash: short_hash(p.source.text.as_bytes()),
            source: p.source.name.to_string(),
        })
        .collect()
}

/// One edition as the switcher lists it.
#[derive(Debug, Clone)]
pub struct EditionRef {
    /// `None` for the latest edition.
    pub name: Option<String>,
    pub label: String,
    /// Base path, e.g. `/pd/playbook/editions/2025/`.
    pub base: String,
    pub archived: bool,
}

/// Every edition's page map, and which edition is being rendered.
#[derive(Debug, Clone)]
pub struct Context {
    pub current: usize,
    /// The latest edition first, then older ones, newest first.
    pub list: Vec<EditionRef>,
    pub pages: Vec<Vec<PageEntry>>,
    index: Vec<HashMap<String, usize>>,
}

impl Context {
    pub fn new(list: Vec<EditionRef>, pages: Vec<Vec<PageEntry>>) -> Context {
        let index = pages
            .iter()
            .map(|ps| {
                ps.iter()
                    .enumerate()
                    .map(|(i, p)| (p.key.clone(), i))
                    .collect()
            })
            .collect();
        Context {
            current: 0,
            list,
            pages,
            index,
        }
    }

    /// The same context, rendering edition `current`.
    pub fn rendering(&self, current: usize) -> Context {
        Context {
            current,
            ..self.clone()
        }
    }

    pub fn is_latest(&self) -> bool {
        self.current == 0
    }

    /// Where page `id` of the edition being rendered leads in edition `to`: the same page, else
    /// its nearest ancestor there, else that edition's home. Returns the path.
    pub fn target(&self, site: &Site, id: PageId, to: usize) -> String {
        let index = &self.index[to];
        let base = &self.list[to].base;
        std::iter::once(site.page(id))
            .chain(site.ancestors(id))
            .find_map(|p| {
                index
                    .get(&page_key(p))
                    .map(|&i| format!("{base}{}", self.pages[to][i].url))
            })
            .unwrap_or_else(|| base.clone())
    }
}

/// The pages added, removed and changed in an edition since the one before it.
#[derive(Debug, Default, Serialize)]
pub struct Changes {
    /// The edition compared and the one before it, as the switcher names them.
    pub label: String,
    pub earlier_label: String,
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    pub changed: Vec<ChangedPage>,
}

/// A page of both editions whose file changed, with what changed in its text.
#[derive(Debug, Serialize)]
pub struct ChangedPage {
    pub title: String,
    /// Full paths of the page in this edition and in the one before it.
    pub url: String,
    pub old_url: String,
    /// The earlier title, when the page was renamed.
    pub old_title: Option<String>,
    /// The sections added, removed and revised; `None` when the earlier file could not be read
    /// (a record of an earlier build names no file).
    pub diff: Option<crate::changes::PageDiff>,
}

/// Compares edition `current` of `cx` with the next older one. URLs are full paths. `site` is
/// the edition being rendered (the new text of its pages); the earlier edition's files are
/// read from its folder under `root`, the site folder, for the pages whose text changed only.
pub fn changes(cx: &Context, site: &Site, root: &Path) -> Option<Changes> {
    let (now, before) = (cx.current, cx.current + 1);
    if before >= cx.list.len() {
        return None;
    }
    let mut out = Changes {
        label: cx.list[now].label.clone(),
        earlier_label: cx.list[before].label.clone(),
        ..Changes::default()
    };
    let by_key: HashMap<String, &Page> = site.pages.iter().map(|p| (page_key(p), p)).collect();
    let old = &cx.index[before];
    for p in &cx.pages[now] {
        let url = format!("{}{}", cx.list[now].base, p.url);
        match old.get(&p.key) {
            None => out.added.push((p.title.clone(), url)),
            Some(&i) if cx.pages[before][i].hash != p.hash => {
                let o = &cx.pages[before][i];
                let diff = by_key.get(&p.key).and_then(|page| {
                    let earlier = earlier_body(root, &o.source)?;
                    Some(crate::changes::diff(&earlier, page.body_text()))
                });
                out.changed.push(ChangedPage {
                    title: p.title.clone(),
                    url,
                    old_url: format!("{}{}", cx.list[before].base, o.url),
                    old_title: (o.title != p.title).then(|| o.title.clone()),
                    diff,
                });
            }
            Some(_) => {}
        }
    }
    let new = &cx.index[now];
    for p in &cx.pages[before] {
        if !new.contains_key(&p.key) {
            out.removed.push((
                p.title.clone(),
                format!("{}{}", cx.list[before].base, p.url),
            ));
        }
    }
    Some(out)
}

/// The Markdown body of an earlier edition's page file `source` (relative to `root`), or
/// `None` when it cannot be read or has no front matter.
fn earlier_body(root: &Path, source: &str) -> Option<String> {
    if source.is_empty() || !source.starts_with("versions/") || source.contains("..") {
        return None;
    }
    let text = fs::read_to_string(&root.join(source)).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let file = crate::diagnostics::Source::new(source, text);
    let split = crate::frontmatter::split(&file).ok()?;
    Some(file.text[split.body].to_string())
}

/// Everything an older edition's output depends on besides its own sources.
pub struct KeyInputs<'a> {
    pub theme: &'a [(String, Vec<u8>)],
    pub config_text: &'a str,
    /// The site's address as built (`--base-url` may differ from playbook.yaml).
    pub base_url: &'a str,
    /// `static/`, copied into every edition.
    pub static_dir: &'a Path,
    /// Whether drafts are published (`--drafts`).
    pub drafts: bool,
    pub latest: &'a [PageEntry],
}

/// The cache key of an older edition whose sources are under `dir`: a hash of everything its
/// output depends on, the contents of its files included. A file that cannot be read is an
/// error (its edition would be carried over as if it had not changed).
pub fn cache_key(dir: &Path, k: &KeyInputs, diags: &mut crate::diagnostics::Diagnostics) -> String {
    let failed = std::cell::RefCell::new(Vec::new());
    let key = key_of(dir, k, |path, h| match fs::read(path) {
        Ok(bytes) => {
            h.update(&bytes);
        }
        Err(e) => failed.borrow_mut().push(e),
    });
    for e in failed.into_inner() {
        diags.push(crate::diagnostics::Diagnostic::error(format!("{e:#}")).hint("check that the file can be read (its permissions); an older edition's files are read to tell whether it changed."));
    }
    key
}

/// The same as [`cache_key`] with each file's size and modification time in place of its
/// contents. When it matches the one recorded beside the cache key, the files are the ones the
/// key was made from and need not be read again: with many editions, reading every edition's
/// sources at every build would be most of an incremental build.
pub fn stat_key(dir: &Path, k: &KeyInputs) -> String {
    key_of(dir, k, |path, h| {
        let (len, modified) = fs::stamp(path).unwrap_or_default();
        h.update(&len.to_le_bytes());
        h.update(&modified.to_le_bytes());
    })
}

fn key_of(dir: &Path, k: &KeyInputs, file: impl Fn(&Path, &mut blake3::Hasher)) -> String {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    // The form of the record (`Cached`): bumped when it holds something new (2: page files).
    h.update(b"record 2");
    h.update(k.config_text.as_bytes());
    h.update(k.base_url.as_bytes());
    h.update(&[u8::from(k.drafts)]);
    for d in [dir, k.static_dir] {
        for (rel, path) in crate::load::walk_files(d) {
            h.update(rel.as_bytes());
            file(&path, &mut h);
        }
        h.update(b"\0");
    }
    let (theme, latest) = (k.theme, k.latest);
    for (rel, bytes) in theme {
        h.update(rel.as_bytes());
        h.update(bytes);
    }
    for p in latest {
        h.update(p.key.as_bytes());
        h.update(p.url.as_bytes());
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Reads what a previous build recorded in the output of edition `name`, if anything.
pub fn read_cached(out: &Path, name: &str) -> Option<Cached> {
    let text = fs::read_to_string(&out.join("editions").join(name).join(CACHE_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}
