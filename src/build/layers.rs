//! The build cache's files beside the output: a whole cache, or a layer on a base. A one-page
//! rebuild of a large site changes a handful of the cache's entries, and writing all of them
//! again (115 MB at 10,000 pages) took more time than anything else it did, and left the disk
//! that much to write back. So a build writes a layer: the header, its variants' keys, words,
//! leads memos and dictionaries, the output's files, and only the pages whose entries the base
//! does not hold as they are; the base is the previous whole cache, moved aside
//! (`.NAME.playbook-cache-base`) and kept as long as layers lie on it.
//!
//! Each file names itself (an id made when it is written) and a layer names its base: a layer
//! whose base is not the file there is read alone (its pages are still good, only fewer). A
//! variant written with a key or dictionary other than the base's does not lie on it: it is
//! written whole into the layer, and a layer holding only such variants stands alone: the next
//! build lays its layer on it, as on a whole cache. A layer grown past a quarter of its base's size (its pages are
//! the pages changed since the base was written) is followed by a whole cache again.

use super::cache::{Cache, Layers, PageEntry, Variant, write_files, write_header, write_variant};
use super::codec::W;
use crate::output::{FileEntry, cache_paths};
use crate::util::fs;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The cache the previous build into `out` left, if it describes the folder now at `out`: the
/// cache file there, and, when it is a layer, the pages of the base it lies on.
pub fn read(out: &Path) -> Option<Cache> {
    let folder = fs::folder_id(out)?;
    let (top_path, _, base_path) = cache_paths(out);
    let bytes = fs::read_if_exists(&top_path)?;
    let len = bytes.len() as u64;
    let mut top = Cache::decode(&bytes.into()).filter(|c| c.folder == folder)?;
    top.sizes = (len, 0);
    if stands_alone(&top) {
        // The next build's layer can lie on it (see `Next`).
        top.layers.base = [0; 16];
        for v in top.variants.values_mut() {
            v.pages.values_mut().for_each(|e| e.in_base = true);
        }
        return Some(top);
    }
    let base = fs::read_if_exists(&base_path).and_then(|b| {
        let n = b.len() as u64;
        Cache::decode(&b.into()).map(|c| (c, n))
    });
    match base {
        Some((base, n)) if stands_alone(&base) && base.layers.id == top.layers.base => {
            top.sizes.1 = n;
            Some(lay(top, base))
        }
        _ => Some(top),
    }
}

/// Returns true if and only if cache file `c` holds every page of its variants itself: a
/// whole cache, or a layer none of whose variants lies on its base (each written whole into
/// it, its key or dictionary having changed), which can be a base in turn.
fn stands_alone(c: &Cache) -> bool {
    c.layers.whole() || c.variants.values().all(|v| !v.on_base)
}

/// Layer `top` laid on `base`: each variant written on the base has the base's pages too (as
/// held there, `in_base`), its own renumbered by the base's words (extended by its own).
fn lay(mut top: Cache, mut base: Cache) -> Cache {
    for (name, v) in top.variants.iter_mut() {
        let Some(b) = base
            .variants
            .remove(name)
            .filter(|b| v.on_base && b.key == v.key && b.dict == v.dict)
        else {
            continue;
        };
        let own = std::mem::replace(v, Variant { on_base: true, ..b });
        let mut number: HashMap<String, u32> = (v.words.iter().cloned()).zip(0..).collect();
        let ids: Vec<u32> = own
            .words
            .into_iter()
            .map(|w| {
                let next = v.words.len() as u32;
                *number.entry(w.clone()).or_insert_with(|| {
                    v.words.push(w);
                    next
                })
            })
            .collect();
        v.pages.values_mut().for_each(|e| e.in_base = true);
        for (rel, mut e) in own.pages {
            e.terms = e
                .terms
                .map(|t| t.renumbered(|w| ids.get(w as usize).copied().unwrap_or(u32::MAX)));
            v.pages.insert(rel, e);
        }
        v.key = own.key;
        v.dict = own.dict;
        v.dict_from_first = own.dict_from_first;
        v.leads = own.leads;
    }
    top
}

/// What the next cache file is: whole, or a layer on the previous whole cache (then moved to
/// the base's place) or on the previous layer's base.
struct Next<'c> {
    layers: Layers,
    /// The previous cache, whose entries `in_base` the new layer need not hold.
    base: Option<&'c Cache>,
    /// The previous cache is whole and becomes the base.
    move_top: bool,
}

impl<'c> Next<'c> {
    fn of(previous: Option<&'c Cache>) -> Next<'c> {
        let id = new_id();
        let whole = Next {
            layers: Layers { id, base: [0; 16] },
            base: None,
            move_top: false,
        };
        let Some(c) = previous else { return whole };
        if c.layers.whole() {
            return Next {
                layers: Layers {
                    id,
                    base: c.layers.id,
                },
                base: Some(c),
                move_top: true,
            };
        }
        let (top, base) = c.sizes;
        if base == 0 || top.saturating_mul(4) > base {
            return whole;
        }
        Next {
            layers: Layers {
                id,
                base: c.layers.base,
            },
            base: Some(c),
            move_top: false,
        }
    }
}

/// A name no other cache file has: a hash of the time, the process and a counter.
fn new_id() -> [u8; 16] {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = blake3::Hasher::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    h.update(&now.as_nanos().to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    h.update(&n.to_le_bytes());
    let mut id = [0; 16];
    id.copy_from_slice(&h.finalize().as_bytes()[..16]);
    id
}
/// Writes the next build's cache (see `cache` and this module's text) while `run` builds into
/// output folder `out`, as a layer on `previous` (what the previous build left) when it can:
/// `run` hands each of the latest edition's `variants` variants to the writer as soon as its
/// files are written, so that no variant is kept until the end, and returns with the files
/// written (what the staging folder's `cache_record` says). Written beside the output folder
/// before publishing, for staging folder `folder`, so it describes the output only once that
/// folder is published; `None` (no cache can describe it) removes the cache. A cache that cannot
/// be written, or a build that fails, leaves no partial cache: writing one only saves the next
/// build time.
pub fn write_while<T, E>(
    out: &Path,
    folder: Option<(u64, u64)>,
    (variants, previous): (usize, Option<Arc<Cache>>),
    run: impl FnOnce(&mut Writer) -> Result<(T, HashMap<String, FileEntry>), E>,
) -> Result<T, E> {
    let (path, partial, base_path) = cache_paths(out);
    let next = Next::of(previous.as_deref());
    let mut run = Some(run);
    let mut result = None;
    if let Some(folder) = folder {
        let written = fs::write_with(&partial, |out| {
            let mut w = Writer {
                w: W { out, error: None },
                variants: 0,
                base: next.base,
            };
            write_header(&mut w.w, folder, next.layers, variants);
            let Some(run) = run.take() else {
                return Ok(());
            };
            let r = run(&mut w);
            let ok = match &r {
                Ok((_, files)) if w.variants == variants => {
                    write_files(&mut w.w, files);
                    true
                }
                _ => false,
            };
            result = Some(r.map(|(t, _)| t));
            if !ok {
                return Err(std::io::Error::other("no cache for this build"));
            }
            w.w.finish()
        })
        .and_then(|()| match next.move_top {
            true => fs::rename(&path, &base_path),
            false => Ok(()),
        })
        .and_then(|()| fs::rename(&partial, &path));
        if written.is_ok() {
            if next.layers.whole() {
                // No layer lies on the base any more.
                let _ = fs::remove_file_if_exists(&base_path);
            }
            crate::util::let_go(previous);
            return result.unwrap_or_else(|| unreachable!("the build ran"));
        }
        let _ = fs::remove_file_if_exists(&partial);
    }
    let result = match (result, run) {
        (Some(r), _) => r,
        (None, Some(run)) => {
            let mut nowhere = std::io::sink();
            let mut w = Writer {
                w: W {
                    out: &mut nowhere,
                    error: None,
                },
                variants: 0,
                base: None,
            };
            run(&mut w).map(|(t, _)| t)
        }
        (None, None) => unreachable!("the build runs once"),
    };
    // The previous cache describes the previous output: kept while that output is.
    if result.is_ok() {
        let _ = fs::remove_file_if_exists(&path);
    }
    result
}

/// Writes a build cache variant by variant (see [`write_while`]).
pub struct Writer<'w> {
    w: W<'w>,
    variants: usize,
    /// The cache the file is a layer on (its entries `in_base`), if it is one.
    base: Option<&'w Cache>,
}

impl Writer<'_> {
    /// Writes variant `v` (its language, `name`) of the latest edition: in a layer, only the
    /// pages whose entries the base does not hold as they are, unless the base's variant had
    /// another key or dictionary.
    pub fn variant(&mut self, name: &str, v: &Variant) {
        let base = (self.base)
            .and_then(|c| c.variants.get(name))
            .filter(|b| b.key == v.key && b.dict == v.dict);
        let held = |rel: &str, e: &PageEntry| {
            base.and_then(|b| b.pages.get(rel))
                .is_some_and(|b| b.in_base && b.md_key == e.md_key && b.frag_key == e.frag_key)
        };
        let on_base = base.is_some();
        write_variant(&mut self.w, (name, v, on_base), &|rel, e| !held(rel, e));
        self.variants += 1;
    }
}
