//! The build cache: what a folder build leaves beside its output (`.NAME.playbook-cache`) so
//! that the next build into the same folder redoes only what changed.
//!
//! It holds, for each page of the latest edition (by variant, i.e. language): the page's
//! rendered Markdown (body packed, outline, ids, links, extras) and its body's hash, its
//! counted search terms and its compressed search fragment, each under a key; per variant, the
//! search leads memo (each fragment's lead length and each leads group's file, by content:
//! `search::LeadsMemo`); and, for each output file, its content hash, size and (for a page) the
//! key of the view its template was given. The files it is written in, a whole cache or a layer
//! on one, are `layers`'.
//!
//! Keys, and what they cover (a key that differs is a miss, and a miss redoes the work):
//! - the variant's key: the program (version, and the executable's size and time), the text
//!   of playbook.yaml, the command-line options, the language, the site's own theme and string
//!   files, and every input the Markdown of a page can read about the others (each page's file,
//!   id and URL, drafts, broken and elsewhere links, the files beside the pages and in
//!   `static/`, the small text files pages show). A different variant key drops the variant.
//! - a page's Markdown key: the variant's key, the page's file (name and whole text), its
//!   language, URL and kind.
//! - its fragment key: the Markdown key, the page's breadcrumb titles and the dictionary.
//! - a page file's view key: everything its template receives (its context, encoded with
//!   lengths, the body replaced by the body's hash) and the variant's key (the templates and
//!   strings); a book's print view likewise (its view as JSON), its chapters' bodies by their
//!   hashes.
//!
//! Pages whose Markdown gave a diagnostic are never cached, so warnings are always reported.
//! The cache describes one output: it records the device and inode of the staging folder it
//! was written with, which is the output folder once the swap is done; any other output folder
//! (a build killed before the swap, a folder replaced by hand) ignores it. An output file is
//! reused only when the output folder still holds a file of the recorded size at its path.

use super::codec::{Got, R, W};
use crate::markdown::{AnchorRef, Extras, Heading, Html, Note, Rendered};
use crate::model::PageId;
use crate::search::PageTerms;
use std::collections::{HashMap, HashSet};

/// Bumped whenever what is cached or how it is written changes.
const FORMAT: u32 = 6;
const MAGIC: &[u8; 8] = b"PBCACHE\0";

pub use crate::output::{FileEntry, Key};

/// One page's cached work.
#[derive(Clone)]
pub struct PageEntry {
    pub md_key: Key,
    pub frag_key: Key,
    /// The rendered Markdown, body packed, sections and diagnostics left out.
    pub rendered: Rendered,
    /// The hash of its body, as a page's template key takes it (`render::body_hash`).
    pub body: Key,
    /// Counted terms, by number in the variant's `words`.
    pub terms: Option<PageTerms>,
    /// Shared with the cache file's bytes as read (not copied).
    pub fragment: Option<bytes::Bytes>,
    /// Held, as it is, by the file the next build's cache can lie on (see `layers`): not
    /// written into the file, it says where the entry was read from.
    pub in_base: bool,
}

/// One variant's cached pages, by the page's file (relative to `content/`).
#[derive(Default, Clone)]
pub struct Variant {
    pub key: Key,
    pub dict: Vec<u8>,
    /// The dictionary was made from the fragments of the first chunk of pages.
    pub dict_from_first: bool,
    /// The terms the pages' counted terms refer to by number.
    pub words: Vec<String>,
    pub pages: HashMap<String, PageEntry>,
    /// Each lead's length and each leads group's file (see `search::LeadsMemo`).
    pub leads: crate::search::LeadsMemo,
    /// Written as a layer on the base: the base's pages of this variant count too, under this
    /// key and dictionary (see `layers`).
    pub on_base: bool,
}

#[derive(Default)]
pub struct Cache {
    /// The device and inode of the output folder this cache describes.
    pub folder: (u64, u64),
    pub variants: HashMap<String, Variant>,
    pub files: HashMap<String, FileEntry>,
    /// Which file this is and which it lies on (see `layers`).
    pub layers: Layers,
    /// As read: the size of the file and of the base it lies on (0: none read).
    pub sizes: (u64, u64),
}

/// A cache file's own name (made when it is written), and that of the base it is a layer on
/// (zero: none, the file holds every page).
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Layers {
    pub id: [u8; 16],
    pub base: [u8; 16],
}

impl Layers {
    /// Returns true if and only if the file holds every page itself.
    pub fn whole(&self) -> bool {
        self.base == [0; 16]
    }
}

/// The key of the program itself: a cache left by another build of `playbook` is not used.
pub fn program_key() -> Key {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some((size, time)) = std::env::current_exe()
        .ok()
        .and_then(|p| crate::util::fs::stamp(&p))
    {
        h.update(&size.to_le_bytes());
        h.update(&time.to_le_bytes());
    }
    *h.finalize().as_bytes()
}

/// A hasher of strings and numbers with lengths, so that no two inputs run together.
pub struct KeyHasher(blake3::Hasher);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(blake3::Hasher::new())
    }
}

impl KeyHasher {
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    pub fn num(&mut self, n: u64) -> &mut Self {
        self.0.update(&n.to_le_bytes());
        self
    }
    /// Every string of `set`, in sorted order.
    pub fn set<'s>(&mut self, set: impl Iterator<Item = &'s String>) -> &mut Self {
        let mut v: Vec<&String> = set.collect();
        v.sort_unstable();
        self.num(v.len() as u64);
        for s in v {
            self.str(s);
        }
        self
    }
    pub fn finish(&self) -> Key {
        *self.0.finalize().as_bytes()
    }
}

pub(super) fn write_header(w: &mut W, folder: (u64, u64), layers: Layers, variants: usize) {
    w.raw(MAGIC);
    w.u64(u64::from(FORMAT));
    w.u64(folder.0);
    w.u64(folder.1);
    w.raw(&layers.id);
    w.raw(&layers.base);
    w.u64(variants as u64);
}

/// Writes variant `v` (language `name`), those of its pages that `keep` says, as a layer on
/// the base's variant when `on_base`.
pub(super) fn write_variant(
    w: &mut W,
    (name, v, on_base): (&str, &Variant, bool),
    keep: &dyn Fn(&str, &PageEntry) -> bool,
) {
    w.str(name);
    w.key(&v.key);
    w.bytes(&v.dict);
    w.u64(u64::from(v.dict_from_first) | u64::from(on_base) << 1);
    w.strs(v.words.iter());
    let pages: Vec<(&String, &PageEntry)> = v.pages.iter().filter(|(r, p)| keep(r, p)).collect();
    w.u64(pages.len() as u64);
    for (rel, p) in pages {
        w.str(rel);
        w.key(&p.md_key);
        w.key(&p.frag_key);
        write_rendered(w, &p.rendered);
        w.key(&p.body);
        match &p.terms {
            Some(t) => {
                w.u64(1);
                write_terms(w, t);
            }
            None => w.u64(0),
        }
        match &p.fragment {
            Some(f) => {
                w.u64(1);
                w.bytes(f);
            }
            None => w.u64(0),
        }
    }
    write_leads(w, &v.leads);
}

fn write_leads(w: &mut W, m: &crate::search::LeadsMemo) {
    w.u64(m.lens.len() as u64);
    // The length, and whether the lead cuts a section as bit 32.
    for (k, (len, cut)) in &m.lens {
        w.key(k);
        w.u64(u64::from(*len) | u64::from(*cut) << 32);
    }
    w.u64(m.groups.len() as u64);
    for (k, gz) in &m.groups {
        w.key(k);
        w.bytes(gz);
    }
}

fn read_leads(r: &mut R) -> Got<crate::search::LeadsMemo> {
    let mut m = crate::search::LeadsMemo::default();
    let n = r.len()?;
    m.lens.reserve(n);
    for _ in 0..n {
        let k = r.key()?;
        let made = r.u64()?;
        m.lens.insert(
            k,
            (u32::try_from(made & 0xffff_ffff).ok()?, made >> 32 == 1),
        );
    }
    let n = r.len()?;
    m.groups.reserve(n);
    for _ in 0..n {
        let k = r.key()?;
        m.groups.insert(k, r.shared()?);
    }
    Some(m)
}

pub(super) fn write_files(w: &mut W, files: &HashMap<String, FileEntry>) {
    w.u64(files.len() as u64);
    for (rel, f) in files {
        w.str(rel);
        w.key(&f.hash);
        w.u64(f.size);
        match &f.view {
            Some(k) => {
                w.u64(1);
                w.key(k);
            }
            None => w.u64(0),
        }
    }
}

fn write_rendered(w: &mut W, r: &Rendered) {
    match &r.html {
        Html::Packed(b) => {
            w.u64(1);
            w.bytes(b);
        }
        Html::Text(t) => {
            w.u64(0);
            w.str(t);
        }
    }
    w.u64(r.outline.len() as u64);
    for h in &r.outline {
        w.u64(u64::from(h.level));
        w.str(&h.id);
        w.str(&h.text);
        w.u64(h.offset as u64);
    }
    let mut ids: Vec<&String> = r.ids.iter().collect();
    ids.sort_unstable();
    w.strs(ids.into_iter());
    w.u64(r.anchor_refs.len() as u64);
    for a in &r.anchor_refs {
        w.u64(u64::from(a.target.0));
        w.str(&a.fragment);
        w.u64(a.range.start as u64);
        w.u64(a.range.end as u64);
    }
    let x = &r.extras;
    w.str(&x.keypoints);
    w.str(&x.objectives);
    w.str(&x.questions);
    w.u64(x.notes.len() as u64);
    for n in &x.notes {
        w.str(&n.html);
        match &n.heading {
            Some((id, text)) => {
                w.u64(1);
                w.str(id);
                w.str(text);
            }
            None => w.u64(0),
        }
        w.u64(n.line as u64);
        w.strs(n.uses.iter());
    }
    w.u64(x.solutions as u64);
    w.u64(u64::from(x.video) | u64::from(x.tabs) << 1);
    w.strs(r.uses.iter());
}

fn read_rendered(r: &mut R) -> Got<Rendered> {
    let html = match r.u64()? {
        1 => Html::Packed(r.shared()?),
        _ => Html::Text(r.string()?),
    };
    let n = r.len()?;
    let mut outline = Vec::with_capacity(n);
    for _ in 0..n {
        outline.push(Heading {
            level: u8::try_from(r.u64()?).ok()?,
            id: r.string()?,
            text: r.string()?,
            offset: usize::try_from(r.u64()?).ok()?,
        });
    }
    let ids: HashSet<String> = r.strings()?.into_iter().collect();
    let n = r.len()?;
    let mut anchor_refs = Vec::with_capacity(n);
    for _ in 0..n {
        anchor_refs.push(AnchorRef {
            target: PageId(u32::try_from(r.u64()?).ok()?),
            fragment: r.string()?,
            range: usize::try_from(r.u64()?).ok()?..usize::try_from(r.u64()?).ok()?,
        });
    }
    let keypoints = r.string()?;
    let objectives = r.string()?;
    let questions = r.string()?;
    let n = r.len()?;
    let mut notes = Vec::with_capacity(n);
    for _ in 0..n {
        let html = r.string()?;
        let heading = match r.u64()? {
            1 => Some((r.string()?, r.string()?)),
            _ => None,
        };
        notes.push(Note {
            html,
            heading,
            line: usize::try_from(r.u64()?).ok()?,
            uses: r.strings()?,
        });
    }
    let solutions = usize::try_from(r.u64()?).ok()?;
    let flags = r.u64()?;
    let uses = r.strings()?;
    Some(Rendered {
        html,
        outline,
        ids,
        anchor_refs,
        sections: Vec::new(),
        diags: Default::default(),
        extras: Extras {
            keypoints,
            objectives,
            questions,
            notes,
            solutions,
            video: flags & 1 != 0,
            tabs: flags & 2 != 0,
        },
        uses,
    })
}

fn write_terms(w: &mut W, t: &PageTerms) {
    w.u64(t.terms.len() as u64);
    for (id, n) in &t.terms {
        w.u64(u64::from(*id) << 32 | u64::from(n.to_bits()));
    }
    w.u64(u64::from(t.length.to_bits()));
    w.u64(t.title.len() as u64);
    for id in &t.title {
        w.u64(u64::from(*id));
    }
    w.bytes(&t.places);
}

fn read_terms(r: &mut R) -> Got<PageTerms> {
    let n = r.len()?;
    let mut terms = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let x = r.u64()?;
        terms.push(((x >> 32) as u32, f32::from_bits(x as u32)));
    }
    let length = f32::from_bits(u32::try_from(r.u64()?).ok()?);
    let n = r.len()?;
    let title = (0..n)
        .map(|_| u32::try_from(r.u64()?).ok())
        .collect::<Option<_>>()?;
    let places = r.bytes()?.into();
    Some(PageTerms {
        terms,
        length,
        title,
        places,
    })
}

/// A variant's pages, by file.
fn read_pages(r: &mut R) -> Got<HashMap<String, PageEntry>> {
    let n = r.len()?;
    let mut pages = HashMap::with_capacity(n);
    for _ in 0..n {
        let rel = r.string()?;
        let md_key = r.key()?;
        let frag_key = r.key()?;
        let rendered = read_rendered(r)?;
        let body = r.key()?;
        let terms = match r.u64()? {
            1 => Some(read_terms(r)?),
            _ => None,
        };
        let fragment = match r.u64()? {
            1 => Some(r.shared()?),
            _ => None,
        };
        pages.insert(
            rel,
            PageEntry {
                md_key,
                frag_key,
                rendered,
                body,
                terms,
                fragment,
                in_base: false,
            },
        );
    }
    Some(pages)
}

impl Cache {
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing into memory cannot fail.
        let _ = self.write(&mut bytes);
        bytes
    }

    /// Writes the cache to `out`, streamed (the cache of a large site is tens of megabytes).
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut w = W { out, error: None };
        let mut names: Vec<&String> = self.variants.keys().collect();
        names.sort_unstable();
        write_header(&mut w, self.folder, self.layers, names.len());
        for name in names {
            let v = &self.variants[name];
            write_variant(&mut w, (name, v, v.on_base), &|_, _| true);
        }
        write_files(&mut w, &self.files);
        w.finish()
    }

    pub fn decode(bytes: &bytes::Bytes) -> Option<Cache> {
        let mut r = R {
            rest: bytes,
            whole: bytes,
        };
        if r.take(8)? != MAGIC || r.u64()? != u64::from(FORMAT) {
            return None;
        }
        let folder = (r.u64()?, r.u64()?);
        let layers = Layers {
            id: r.take(16)?.try_into().ok()?,
            base: r.take(16)?.try_into().ok()?,
        };
        let mut variants = HashMap::new();
        for _ in 0..r.len()? {
            let name = r.string()?;
            let key = r.key()?;
            let dict = r.bytes()?.to_vec();
            let flags = r.u64()?;
            let words = r.strings()?;
            let pages = read_pages(&mut r)?;
            let leads = read_leads(&mut r)?;
            variants.insert(
                name,
                Variant {
                    key,
                    dict,
                    dict_from_first: flags & 1 != 0,
                    words,
                    pages,
                    leads,
                    on_base: flags & 2 != 0,
                },
            );
        }
        let n = r.len()?;
        let mut files = HashMap::with_capacity(n);
        for _ in 0..n {
            let rel = r.string()?;
            let hash = r.key()?;
            let size = r.u64()?;
            let view = match r.u64()? {
                1 => Some(r.key()?),
                _ => None,
            };
            files.insert(rel, FileEntry { hash, size, view });
        }
        r.rest.is_empty().then_some(Cache {
            folder,
            variants,
            files,
            layers,
            sizes: (0, 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_reads_back_as_written_and_a_damaged_one_is_refused() {
        let mut rendered = Rendered {
            html: Html::Text("<p>Hi</p>".into()),
            ..Default::default()
        };
        rendered.ids.insert("a".into());
        rendered.uses.push("x.png".into());
        let terms = PageTerms {
            terms: vec![(0, 3.0)],
            length: 3.0,
            title: vec![0],
            places: vec![1, 0, 1, 1].into(),
        };
        let mut cache = Cache {
            folder: (1, 2),
            ..Default::default()
        };
        cache.variants.insert(
            "en".into(),
            Variant {
                key: [7; 32],
                dict: b"dict".to_vec(),
                dict_from_first: true,
                words: vec!["hi".into()],
                pages: HashMap::from([(
                    "a.md".to_string(),
                    PageEntry {
                        md_key: [1; 32],
                        frag_key: [2; 32],
                        rendered,
                        body: [8; 32],
                        terms: Some(terms),
                        fragment: Some(vec![1, 2, 3].into()),
                        in_base: false,
                    },
                )]),
                leads: crate::search::LeadsMemo {
                    lens: HashMap::from([([5; 32], (120, true))]),
                    groups: HashMap::from([([6; 32], bytes::Bytes::from_static(b"gz"))]),
                },
                on_base: true,
            },
        );
        cache.files.insert(
            "a/index.html".into(),
            FileEntry {
                hash: [3; 32],
                size: 9,
                view: Some([4; 32]),
            },
        );
        let bytes = bytes::Bytes::from(cache.encode());
        let back = Cache::decode(&bytes).expect("reads back");
        assert_eq!(back.encode(), bytes);
        assert!(Cache::decode(&bytes.slice(..bytes.len() - 1)).is_none());
    }
}
