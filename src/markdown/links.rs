//! Where links and images point: a link to a `.md` file becomes its page's URL (and its
//! `#fragment` is checked once every page is rendered), a file beside the page or in `static/`
//! gets its URL under the base path, and anything that points nowhere, outside the site for an
//! image, or to a scheme that runs code, is an error at the link.

use super::Renderer;
use crate::diagnostics::Diagnostic;
use crate::markdown::AnchorRef;
use crate::model::nearest_page;
use crate::util::url;
use pulldown_cmark::{CowStr, Event, LinkType, Tag};
use std::ops::Range;

/// A link inside the site as written: its destination, the `#fragment` of it, and where it is.
struct Link<'a> {
    dest: &'a str,
    fragment: Option<&'a str>,
    range: &'a Range<usize>,
}

impl Link<'_> {
    /// `url` with the link's fragment, when it has one.
    fn with_fragment(&self, url: String) -> String {
        match self.fragment {
            Some(f) => format!("{url}#{f}"),
            None => url,
        }
    }
}

/// Returns true if and only if `dest` names a scheme (`https:`, `mailto:`) or is
/// protocol-relative (`//host`).
pub fn is_external(dest: &str) -> bool {
    dest.starts_with("//") || url::scheme(dest).is_some()
}

/// `%`-escapes decoded (`%C3%A9t%C3%A9.svg` is `été.svg`); text that is not valid UTF-8 once
/// decoded is kept as written.
pub fn percent_decode(text: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap_or(std::borrow::Cow::Borrowed(text))
}

/// Joins relative `path` onto folder `dir` (both relative to `content/`), resolving `.` and
/// `..` and `%`-escapes; `None` when it climbs above `content/`.
pub fn join_rel(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    let decoded = percent_decode(path);
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// How content path `to` is written relative to folder `from` (both relative to `content/`).
pub fn relative_to(from: &str, to: &str) -> String {
    relative_path::RelativePath::new(from)
        .relative(to)
        .into_string()
}

impl<'a> Renderer<'a, '_> {
    /// A link opens (`tag`, at `range` of the text being rendered): emitted with its
    /// destination resolved.
    pub(super) fn start_link(&mut self, tag: Tag<'a>, range: &Range<usize>) {
        let Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } = tag
        else {
            return;
        };
        let r = self.src(range);
        let dest = self.resolve_link(link_type, &dest_url, &r);
        self.emit(Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(dest),
            title,
            id,
        }));
    }

    /// The directory of the page's file, relative to `content/`.
    pub(super) fn page_dir(&self) -> &str {
        self.page.rel.rfind('/').map_or("", |i| &self.page.rel[..i])
    }

    fn link_error(&mut self, range: &Range<usize>, d: Diagnostic) {
        self.error(d.at(self.source, range.clone()));
    }

    /// The URL a link to `dest` gets; `range` is the link in the file.
    pub(super) fn resolve_link(
        &mut self,
        link_type: LinkType,
        dest: &str,
        range: &Range<usize>,
    ) -> String {
        if matches!(link_type, LinkType::Email) {
            return dest.to_string();
        }
        if !url::safe_link(dest) {
            let scheme = url::scheme(dest).unwrap_or_default();
            self.link_error(
                range,
                Diagnostic::error(format!("a link to a `{scheme}:` address is not allowed"))
                    .label("this address would run or embed code")
                    .hint("links may go to web addresses (`https://…`), email (`mailto:`), telephone numbers (`tel:`) or pages of this site."),
            );
            return String::new();
        }
        if is_external(dest) {
            return dest.to_string();
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if path.is_empty() {
            if let Some(f) = fragment {
                self.out.anchor_refs.push(AnchorRef {
                    target: self.page.id,
                    fragment: percent_decode(f).into_owned(),
                    range: range.clone(),
                });
            }
            return dest.to_string();
        }
        let link = Link {
            dest,
            fragment,
            range,
        };
        match path.strip_prefix('/') {
            Some(abs) => self.absolute_link(&link, abs),
            None => self.relative_link(&link, path),
        }
    }

    /// Where a link to `/abs` (a path under the base URL) leads: a file of `static/` or of
    /// `content/`, or a page's address, which is an error when no page has it.
    fn absolute_link(&mut self, link: &Link, abs: &str) -> String {
        let config = &self.cx.site.config;
        let files = format!("{}{}", config.root.path, config.edition_prefix());
        let root = config.root.path.clone();
        let base = config.base_url.path.clone();
        let decoded = percent_decode(abs);
        if self.cx.static_files.contains(decoded.as_ref()) {
            return link.with_fragment(format!("{root}{abs}"));
        }
        if self.cx.assets.contains(decoded.as_ref()) {
            self.out.uses.push(decoded.to_string());
            return link.with_fragment(format!("{files}{abs}"));
        }
        let rel = decoded.trim_end_matches("index.html");
        let known = self.cx.urls.contains(rel) || rel.is_empty();
        if !known {
            let dest = link.dest;
            self.link_error(
                link.range,
                Diagnostic::error(format!("the link `{dest}` points to nothing in this site"))
                    .label("no page or file has this address")
                    .hint("link to other pages by their Markdown file, relative to this one, e.g. `[the rubric](../playbook/08-transformation-rubric.md)`."),
            );
        }
        link.with_fragment(format!("{base}{abs}"))
    }

    /// Where a link to `path`, relative to the page, leads: a page by its `.md` file (or its
    /// folder's `_index.md`), else a file beside the page; anything else is an error.
    fn relative_link(&mut self, link: &Link, path: &str) -> String {
        let base = self.cx.site.config.base_url.path.clone();
        let joined = join_rel(self.page_dir(), path);
        let target_rel = match &joined {
            Some(j) if j.ends_with(".md") => Some(self.cx.site.source_key(j)),
            Some(j)
                if self
                    .cx
                    .site
                    .by_rel
                    .contains_key(&format!("{}/_index.md", j.trim_end_matches('/'))) =>
            {
                Some(format!("{}/_index.md", j.trim_end_matches('/')))
            }
            _ => None,
        };
        if let Some(target_rel) = target_rel {
            return self.link_to_page(link.dest, &target_rel, link.fragment, link.range, &base);
        }
        match joined {
            Some(j) if self.cx.assets.contains(&j) => {
                self.out.uses.push(j.clone());
                let config = &self.cx.site.config;
                link.with_fragment(format!(
                    "{}{}{j}",
                    config.root.path,
                    config.edition_prefix()
                ))
            }
            _ => {
                self.link_error(
                    link.range,
                    Diagnostic::error(format!("the link `{}` points to a file that does not exist", link.dest))
                        .label("not found next to this page")
                        .hint("put the file in the page's folder (or a sub-folder of it) under `content/`, or link to a page by its `.md` file."),
                );
                link.dest.to_string()
            }
        }
    }

    /// The address of page `target_rel` a link leads to; its fragment is checked later.
    fn link_to_page(
        &mut self,
        dest: &str,
        target_rel: &str,
        fragment: Option<&str>,
        range: &Range<usize>,
        base: &str,
    ) -> String {
        if let Some(&target) = self.cx.site.by_rel.get(target_rel) {
            if let Some(f) = fragment {
                self.out.anchor_refs.push(AnchorRef {
                    target,
                    fragment: percent_decode(f).into_owned(),
                    range: range.clone(),
                });
            }
            let url = format!("{base}{}", self.cx.site.page(target).url);
            return match fragment {
                Some(f) => format!("{url}#{f}"),
                None => url,
            };
        }
        if let Some(url) = self.cx.site.elsewhere.get(target_rel) {
            // Left out of this language: the page in its own.
            return match fragment {
                Some(f) => format!("{url}#{f}"),
                None => url.clone(),
            };
        }
        if self.cx.site.broken.contains(target_rel) {
            // The page exists but could not be read: its own error is reported, not this one.
            return dest.to_string();
        }
        let d = if self.cx.site.drafts.contains(target_rel) {
            Diagnostic::error(format!("the link `{dest}` points to a draft"))
                .label("`draft: true` pages are left out of the site")
                .hint("publish the page (remove `draft: true`), or remove the link until it is ready.")
        } else {
            let hint = match nearest_page(self.cx.site, target_rel) {
                Some(near) => format!(
                    "did you mean `{}`? Paths are relative to this file's folder.",
                    relative_to(self.page_dir(), near)
                ),
                None => "check the file name; paths are relative to this file's folder, and `../` goes up one folder.".to_string(),
            };
            Diagnostic::error(format!(
                "the link `{dest}` points to a page that does not exist"
            ))
            .label(format!("there is no `content/{target_rel}`"))
            .hint(hint)
        };
        self.link_error(range, d);
        dest.to_string()
    }

    /// The URL of a file the page shows or plays (an image, a video, captions), found beside
    /// the page or (with a leading `/`) in `static/`; `what` names it in messages. `None` (and
    /// an error) when there is no such file or it is on another site.
    pub(super) fn resolve_file(
        &mut self,
        dest: &str,
        range: &Range<usize>,
        what: &str,
    ) -> Option<String> {
        let config = &self.cx.site.config;
        // Files live once per edition (shared by its languages), `static/` at the site's root.
        let files = format!("{}{}", config.root.path, config.edition_prefix());
        let root = config.root.path.clone();
        if is_external(dest) {
            self.link_error(
                range,
                Diagnostic::error(format!("the {what} `{dest}` would be loaded from another website"))
                    .label("outside this site")
                    .hint(format!("readers' browsers must not contact other servers: save the {what} in the page's folder and use its file name, e.g. `{}`.", if what == "image" { "![…](images/chart.svg)" } else { "media/intro.webm" })),
            );
            return None;
        }
        if let Some(abs) = dest.strip_prefix('/') {
            let decoded = percent_decode(abs);
            if self.cx.static_files.contains(decoded.as_ref()) {
                return Some(format!("{root}{abs}"));
            }
        } else if let Some(j) = join_rel(self.page_dir(), dest) {
            if self.cx.assets.contains(&j) {
                self.out.uses.push(j.clone());
                return Some(format!("{files}{j}"));
            }
        }
        self.link_error(
            range,
            Diagnostic::error(format!("the {what} `{dest}` does not exist"))
                .label("file not found")
                .hint(format!("{what} paths are relative to this page's file, e.g. `images/chart.svg` for `content/monographs/images/chart.svg`; a path starting with `/` is looked up in `static/`.")),
        );
        None
    }

    /// The content path (relative to `content/`) of a file named relative to this page.
    pub(super) fn content_path(&self, dest: &str) -> Option<String> {
        join_rel(self.page_dir(), dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_join_and_climb() {
        assert_eq!(
            join_rel("playbook", "02-b.md").as_deref(),
            Some("playbook/02-b.md")
        );
        assert_eq!(
            join_rel("playbook", "../lessons/01-a.md").as_deref(),
            Some("lessons/01-a.md")
        );
        assert_eq!(join_rel("", "../x.md"), None);
        assert_eq!(
            join_rel("m", "%C3%A9t%C3%A9.svg").as_deref(),
            Some("m/été.svg")
        );
        assert_eq!(
            relative_to("playbook", "lessons/01-a.md"),
            "../lessons/01-a.md"
        );
        assert_eq!(relative_to("playbook", "playbook/02-b.md"), "02-b.md");
        assert_eq!(relative_to("", "a/b.md"), "a/b.md");
    }

    #[test]
    fn schemes_are_external() {
        assert!(is_external("https://example.org"));
        assert!(is_external("mailto:a@b.org"));
        assert!(is_external("//host/x"));
        assert!(!is_external("../a.md"));
        assert!(!is_external("a.md#x:y"));
    }
}
