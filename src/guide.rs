//! The facilitator guide (`playbook export facilitator`): every `facilitator` note of the site,
//! gathered by collection (a course's modules and lessons, a book's chapters) with the page and
//! the heading each falls under, linked to the learner site. The notes never reach the learner
//! site (the Markdown stage leaves them out of every page, the search index, print views and
//! exports); this is the one output that holds them, a folder or a zip of its own that a
//! district can keep apart (on an intranet, behind a login, or printed).

use crate::build::{self, Built, Failed, Options, Prepared};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{PageId, PageKind};
use crate::output;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

#[derive(Serialize)]
struct NoteView {
    /// The heading of the page the note falls under, and its address.
    heading: Option<(String, String)>,
    html: String,
}

#[derive(Serialize)]
struct PageNotes {
    title: String,
    url: String,
    /// "Module 2 · Lesson 1", "Chapter 3".
    kicker: String,
    notes: Vec<NoteView>,
}

#[derive(Serialize)]
struct Group {
    title: String,
    url: String,
    file: String,
    pages: Vec<PageNotes>,
    count: usize,
}

#[derive(Serialize)]
struct GuideView<'a> {
    site: &'a str,
    lang: &'a str,
    groups: &'a [Group],
    group: Option<&'a Group>,
}

/// Builds the site and writes its facilitator guide in language `lang` (the default
/// language's when `None`) at `out`: a zip when its name ends with `.zip`, else a folder.
pub fn export(opts: &Options, out: &Path, lang: Option<&str>) -> Result<Built, Failed> {
    let start = Instant::now();
    let built = build::build_in_memory(opts, lang)?;
    let files = guide_files(&built.latest)?;
    if out.extension().is_some_and(|e| e == "zip") {
        output::write_zip(out, &files)?;
    } else {
        output::write_folder(out, &opts.root, &files)?;
    }
    let mut diags = built.diags;
    diags.sort();
    Ok(Built {
        pages: files.keys().filter(|k| k.ends_with(".html")).count(),
        elapsed: start.elapsed(),
        diags,
    })
}

/// The collection a page belongs to (its course, book or collection of lessons), or the page
/// itself.
fn group_of(p: &Prepared, id: PageId) -> PageId {
    let site = &p.site;
    std::iter::once(site.page(id))
        .chain(site.ancestors(id))
        .find(|a| {
            matches!(
                a.kind,
                PageKind::Course | PageKind::Book | PageKind::Lessons | PageKind::Articles
            )
        })
        .map_or(id, |a| a.id)
}

/// The guide's files: `index.html`, one page per collection with notes, `style.css`, and the
/// files the notes show.
fn guide_files(p: &Prepared) -> Result<BTreeMap<String, Vec<u8>>, Failed> {
    let mut files = BTreeMap::new();
    let groups = gather_notes(p, &mut files)?;
    files.insert("index.html".into(), render_guide(p, &groups, None)?);
    for g in &groups {
        files.insert(g.file.clone(), render_guide(p, &groups, Some(g))?);
    }
    for (name, out) in [("style.css", "style.css"), ("favicon.svg", "favicon.svg")] {
        if let Some(bytes) = theme_asset(p, name) {
            files.insert(out.into(), bytes.clone());
        }
    }
    if groups.is_empty() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error("the site has no facilitator notes, so there is no guide to write").hint("write notes for whoever leads a session inside a `::: facilitator` block in a lesson; they stay out of the learner site and go into this guide."));
        return Err(Failed { diags: d });
    }
    Ok(files)
}

/// Where the guide links to: the site's absolute addresses (the guide is kept apart from it).
struct Links<'a> {
    p: &'a Prepared,
    /// The path the site's files are under (`/pd/playbook/` and the edition's prefix).
    files_base: String,
}

impl Links<'_> {
    /// The absolute address of a path on the site (`/pd/playbook/lessons/`).
    fn absolute(&self, url: &str) -> String {
        let base = &self.p.site.config.base_url;
        base.absolute(url.strip_prefix(&base.path).unwrap_or(url))
    }

    /// The absolute address of a page's `url` (relative to the base URL).
    fn page(&self, url: &str) -> String {
        self.absolute(&format!("{}{url}", self.p.site.config.base_url.path))
    }
}

/// Every page's notes in reading order, grouped by the collection each belongs to (groups in
/// the order their first note comes); the files the notes show are added to `files`.
fn gather_notes(p: &Prepared, files: &mut BTreeMap<String, Vec<u8>>) -> Result<Vec<Group>, Failed> {
    let site = &p.site;
    let strings = p.tables.of(&site.config.language);
    let links = Links {
        p,
        files_base: format!("{}{}", site.config.root.path, site.config.edition_prefix()),
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut index_of: BTreeMap<PageId, usize> = BTreeMap::new();
    for id in reading_order(p) {
        let notes = &p.rendered[id.index()].extras.notes;
        if notes.is_empty() {
            continue;
        }
        let page = site.page(id);
        let g = group_of(p, id);
        let gi = *index_of.entry(g).or_insert_with(|| {
            groups.push(new_group(&links, g));
            groups.len() - 1
        });
        let url = links.page(&page.url);
        let views = note_views(&links, notes, &url, files)?;
        groups[gi].count += views.len();
        groups[gi].pages.push(PageNotes {
            title: page.title.clone(),
            url,
            kicker: kicker(p, id, strings),
            notes: views,
        });
    }
    Ok(groups)
}

/// The group of collection page `g`, still without pages: its title, address and file name.
fn new_group(links: &Links, g: PageId) -> Group {
    let gp = links.p.site.page(g);
    let slug = gp.url.trim_end_matches('/').replace('/', "-");
    Group {
        title: gp.title.clone(),
        url: links.page(&gp.url),
        file: format!(
            "{}.html",
            if slug.is_empty() { "home".into() } else { slug }
        ),
        pages: Vec::new(),
        count: 0,
    }
}

/// A page's notes as the guide shows them (the page is at `url`): the files they show are read
/// into `files` and linked there; links into the site become absolute.
fn note_views(
    links: &Links,
    notes: &[crate::markdown::Note],
    url: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Vec<NoteView>, Failed> {
    let config = &links.p.site.config;
    let mut views = Vec::new();
    for n in notes {
        for rel in &n.uses {
            if let Some(a) = links.p.loaded.assets.iter().find(|a| &a.rel == rel) {
                let bytes = crate::util::fs::read(&a.path)
                    .map_err(|e| build::one(Diagnostic::error(format!("{e:#}"))))?;
                files.insert(format!("files/{rel}"), bytes);
            }
        }
        // Files the notes show are in the guide; links into the site lead to it wherever
        // the guide is kept.
        let html = rewrite_urls(&n.html, |u| match u.strip_prefix(&links.files_base) {
            Some(rel) if n.uses.iter().any(|x| x == rel) => Some(format!("files/{rel}")),
            _ if u.starts_with(&config.root.path) => Some(links.absolute(u)),
            _ => None,
        });
        views.push(NoteView {
            heading: n
                .heading
                .as_ref()
                .map(|(anchor, title)| (title.clone(), format!("{url}#{anchor}"))),
            html,
        });
    }
    Ok(views)
}

/// One page of the guide through the theme's `facilitator.html`: the index (`group` `None`)
/// or one group's notes.
fn render_guide(p: &Prepared, groups: &[Group], group: Option<&Group>) -> Result<Vec<u8>, Failed> {
    let config = &p.site.config;
    let view = GuideView {
        site: &config.title,
        lang: &config.language,
        groups,
        group,
    };
    let context = tera::Context::from_serialize(&view).map_err(|e| {
        build::one(Diagnostic::error(format!(
            "internal error preparing the guide: {e}"
        )))
    })?;
    p.theme
        .tera_for(&config.language)
        .render("facilitator.html", &context)
        .map(String::into_bytes)
        .map_err(|e| {
            build::one(crate::theme::render_error(
                &e,
                "facilitator.html",
                "the facilitator guide",
                &config.theme,
            ))
        })
}

/// The theme's asset `name` (`style.css`), also when its name carries a hash
/// (`style.1a2b3c.css`).
fn theme_asset<'a>(p: &'a Prepared, name: &str) -> Option<&'a Vec<u8>> {
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    p.theme
        .files
        .iter()
        .find(|(rel, _)| {
            rel.strip_prefix("assets/").is_some_and(|f| {
                f == name || f.starts_with(&format!("{stem}.")) && f.ends_with(&format!(".{ext}"))
            })
        })
        .map(|(_, bytes)| bytes)
}

/// `html` with each `href` and `src` that `f` maps replaced (read with lol_html: only those
/// attributes change).
fn rewrite_urls(html: &str, f: impl Fn(&str) -> Option<String>) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!("[href], [src]", |el| {
            for attr in ["href", "src"] {
                if let Some(new) = el.get_attribute(attr).as_deref().and_then(&f) {
                    el.set_attribute(attr, &new)?;
                }
            }
            Ok(())
        }));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

/// Every page, in the order a reader meets them (the home page, then each collection's pages).
fn reading_order(p: &Prepared) -> Vec<PageId> {
    let site = &p.site;
    let mut out = Vec::new();
    let mut stack = vec![site.home];
    while let Some(id) = stack.pop() {
        out.push(id);
        stack.extend(site.page(id).children.iter().rev().copied());
    }
    out
}

/// Where a page is in its course or book, in words.
fn kicker(p: &Prepared, id: PageId, s: &crate::i18n::Strings) -> String {
    let page = p.site.page(id);
    let n = |x: Option<usize>| x.unwrap_or(0).to_string();
    match page.kind {
        PageKind::CourseLesson => {
            let module = page.parent.map(|m| p.site.page(m).number);
            format!(
                "{} · {}",
                s.fill("nav.module_number", &[("number", &n(module.flatten()))]),
                s.fill("lesson.number", &[("number", &n(page.number))])
            )
        }
        PageKind::Module => s.fill("nav.module_number", &[("number", &n(page.number))]),
        PageKind::Lesson => s.fill("lesson.number", &[("number", &n(page.number))]),
        PageKind::Chapter => s.fill("chapter.number", &[("number", &n(page.number))]),
        _ => String::new(),
    }
}
