//! The typed views templates receive: borrowed from the model where they can be, never the
//! model itself and never an untyped map. Each field is what a template shows.

use crate::frontmatter::Author;
use crate::markdown::Heading;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The base path of the variant, starting and ending with `/`.
    pub base: &'a str,
    /// The language of the interface (the variant's).
    pub lang: &'a str,
    pub assets: &'a BTreeMap<String, String>,
    /// The script that gives the theme's scripts their texts in this language.
    pub strings_js: &'a str,
    /// The collections linked from the header and footer: all of them, or the first
    /// `HEADER_SECTIONS` when there are more.
    pub sections: Vec<LinkView>,
    /// The home page's list of every collection, when `sections` does not hold them all.
    pub more_sections: Option<String>,
    /// The site's root path, the same in every edition and language (progress is kept under it).
    pub root: &'a str,
    /// False in archived editions, which have no search.
    pub search: bool,
    pub brand: Option<&'a crate::config::Brand>,
    /// True when pages register the service worker (`offline` on, and never in `serve`).
    pub offline: bool,
}

#[derive(Serialize)]
pub struct EditionView {
    pub label: String,
    pub latest: bool,
    pub archived: bool,
    pub latest_label: String,
    /// This page (or its nearest ancestor) in the latest edition.
    pub latest_url: String,
    /// Every edition, this one marked current, each link leading to this page there.
    pub all: Vec<LinkView>,
    pub changes_url: Option<String>,
}

/// A language in the switcher.
#[derive(Serialize)]
pub struct LanguageView {
    pub code: String,
    pub name: String,
    pub url: String,
    pub current: bool,
    /// The link leads to this page in that language (else to the nearest page above it).
    pub same: bool,
    /// What the link does, said when it is not the same page.
    pub note: String,
}

/// An `hreflang` alternate.
#[derive(Serialize)]
pub struct AlternateView {
    pub lang: String,
    pub url: String,
}

/// A page shown in another language than the interface's.
#[derive(Serialize)]
pub struct FallbackView {
    /// The name of the language the text is in.
    pub name: String,
    /// The nearest page above it that is in the interface's language.
    pub section: Option<LinkView>,
}

/// Another language's words on a page every language shares (the 404 page).
#[derive(Serialize)]
pub struct OtherLanguageView {
    pub code: String,
    pub title: String,
    pub text: String,
    pub home: String,
    pub url: String,
}

#[derive(Serialize, Clone, Default)]
pub struct LinkView {
    pub title: String,
    pub url: String,
    pub current: bool,
    pub number: Option<usize>,
    /// e.g. "20 min" beside a lesson.
    pub meta: Option<String>,
    pub id: Option<String>,
    /// The language of the title (another than the interface's on a page not translated).
    pub lang: String,
    /// `lang` is not the interface's: the link needs a `lang` attribute. (Templates test this
    /// flag rather than compare `lang` with `site.lang`: a sidebar does that for every entry
    /// of every page, and Tera takes about a microsecond for each comparison.)
    pub foreign: bool,
}

#[derive(Serialize)]
pub struct ItemView<'a> {
    pub title: &'a str,
    pub url: String,
    pub description: Option<&'a str>,
    pub number: Option<usize>,
    pub meta: Option<String>,
    pub date_iso: Option<String>,
    pub date_long: Option<String>,
    pub authors: Option<String>,
    pub id: Option<&'a str>,
    pub lang: &'a str,
}

#[derive(Serialize)]
pub struct GroupView {
    pub title: String,
    pub url: String,
    /// The language of the title (another than the interface's on a module not translated).
    pub lang: String,
    pub number: Option<usize>,
    /// `lang` is not the interface's.
    pub foreign: bool,
    pub current: bool,
    /// The current page is one of `items` (the module is then `aria-current="true"`, not
    /// `"page"`).
    pub inside: bool,
    pub items: Vec<LinkView>,
}

#[derive(Serialize)]
pub struct SidebarView {
    pub title: String,
    pub url: String,
    /// The language of the title (another than the interface's on a collection not translated).
    pub lang: String,
    /// `lang` is not the interface's.
    pub foreign: bool,
    pub label: String,
    /// A list's entries; each has a `number` (its place in the whole collection).
    pub items: Vec<LinkView>,
    pub groups: Vec<GroupView>,
    /// True when entries were left out (long collections); the template links to `url`.
    pub truncated: bool,
    pub total: usize,
}

#[derive(Serialize)]
pub struct ArticleView<'a> {
    pub date_iso: Option<String>,
    pub date_long: Option<String>,
    pub authors: &'a [Author],
    pub citation: String,
}

#[derive(Serialize)]
pub struct LessonView<'a> {
    pub id: Option<&'a str>,
    /// Each objective as HTML (objectives are inline Markdown).
    pub objectives: Vec<String>,
    pub questions: Vec<String>,
    pub duration: Option<u32>,
    /// The text has its own `objectives` block (shown where it is written, instead of the
    /// front matter's).
    pub body_objectives: bool,
}

#[derive(Serialize)]
pub struct ModuleView<'a> {
    pub title: &'a str,
    pub url: String,
    /// The language of the title and description (another than the interface's when the
    /// module is not translated).
    pub lang: &'a str,
    pub id: Option<&'a str>,
    pub number: Option<usize>,
    pub description: Option<&'a str>,
    pub minutes: u32,
    pub duration_label: String,
    pub lessons: Vec<ItemView<'a>>,
    pub current: bool,
    /// The key points of the module's lessons (HTML), by lesson title.
    pub keypoints: Vec<(String, String)>,
}

#[derive(Serialize)]
pub struct CourseView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: String,
    pub minutes: u32,
    pub duration_label: String,
    pub lesson_count: usize,
    pub module_count: usize,
    pub complete_on: &'static str,
    pub pass_mark: u32,
    pub modules: Vec<ModuleView<'a>>,
}

#[derive(Serialize)]
pub struct PrintChapter {
    pub anchor: String,
    pub number: Option<usize>,
    pub title: String,
    pub url: String,
    pub content: String,
    /// The chapter's language, when it is not the page's.
    pub lang: Option<String>,
}

/// What a page's template receives, beside `site` (the [`SiteView`], which the renderer
/// serializes once and adds to every page's context) and `content` (its body).
#[derive(Serialize)]
pub struct PageView<'a> {
    pub kind: &'static str,
    pub title: Cow<'a, str>,
    pub description: &'a str,
    /// Path of the page under the base path, e.g. `/pd/playbook/lessons/`.
    pub url: String,
    pub canonical: String,
    /// The language the page's text is written in.
    pub content_lang: &'a str,
    pub og_type: &'static str,
    pub content: Cow<'a, str>,
    pub outline: &'a [Heading],
    pub breadcrumbs: Vec<LinkView>,
    pub prev: Option<LinkView>,
    pub next: Option<LinkView>,
    pub sidebar: Option<SidebarView>,
    pub children: Vec<ItemView<'a>>,
    pub number: Option<usize>,
    /// The number of the parent (a course lesson's module).
    pub parent_number: Option<usize>,
    pub article: Option<ArticleView<'a>>,
    pub lesson: Option<LessonView<'a>>,
    pub course: Option<CourseView<'a>>,
    pub feed_url: Option<String>,
    pub print_url: Option<String>,
    pub chapters: Vec<PrintChapter>,
    pub noindex: bool,
    pub edition: Option<EditionView>,
    /// The collection this page is in, when the header does not link it (a site with more
    /// collections than `HEADER_SECTIONS`): the header shows it, marked current.
    pub hidden_section: Option<LinkView>,
    /// The language switcher (empty on a site of one language).
    pub languages: Vec<LanguageView>,
    /// The page in every language that has it in its own words (reciprocal on each of them).
    pub alternates: Vec<AlternateView>,
    pub fallback: Option<FallbackView>,
    pub other_languages: Vec<OtherLanguageView>,
    /// The page's key points (HTML), shown at its end by the text itself; here for templates
    /// that gather them.
    pub keypoints: &'a str,
    /// The number of solutions on the page (for "Show all solutions").
    pub solutions: usize,
    /// The home page: the newest monograph.
    pub newest_article: Option<ItemView<'a>>,
}
