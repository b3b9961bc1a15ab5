//! `playbook export scorm COURSE`: one course as a SCORM 1.2 package (one SCO) for an LMS.
//!
//! The package holds the course's pages (course, modules, lessons) and the files they use, made
//! relative by `portable`, plus two files of its own: `imsmanifest.xml` and the launch page
//! `index.html`. The launch page runs the theme's `scorm.js`: it finds the LMS's API, calls
//! `LMSInitialize` once, shows the course pages in an iframe, and gives them (same origin) a
//! progress store backed by the LMS's record; `LMSFinish` once when it is closed. See
//! ARCHITECTURE.md for the wrapper and the `cmi.suspend_data` encoding, whose length bound
//! ([`suspend_bound`]) is checked here, before anything is written.

use crate::build::{self, Built, Failed, Options};
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::output;
use crate::portable::{self, Files, Scope};
use crate::util::escape_html;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

/// SCORM 1.2's limit on `cmi.suspend_data` (CMIString4096).
pub const SUSPEND_LIMIT: usize = 4096;
/// Lessons are numbered with two base-64 digits in `cmi.suspend_data`.
pub const MAX_LESSONS: usize = 64 * 64;
/// The launch page, at the package's root.
pub const LAUNCH: &str = "index.html";

/// The longest `cmi.suspend_data` that `scorm.js` writes for a course of `lessons` lessons,
/// `quizzes` of them with a knowledge check: a version digit, a 4-character fingerprint of the
/// lesson ids, `.`, one base-64 digit per 6 lessons (a bit each: completed or not), `.`, and 4
/// digits per knowledge check attempted (the lesson's number, then best score × 2 + passed).
pub fn suspend_bound(lessons: usize, quizzes: usize) -> usize {
    1 + 4 + 1 + lessons.div_ceil(6) + 1 + 4 * quizzes
}

use crate::render::{CourseJson as Course, CoursesJson, LessonJson as Lesson};

fn one(d: Diagnostic) -> Failed {
    let mut diags = Diagnostics::default();
    diags.push(d);
    Failed { diags }
}

/// Writes the SCORM 1.2 package of course `course_id` in language `lang` (the site's default
/// language when `None`) to `out`.
pub fn export(
    opts: &Options,
    course_id: &str,
    out: &Path,
    lang: Option<&str>,
) -> Result<Built, Failed> {
    let start = Instant::now();
    let built = build::build_in_memory(opts, lang)?;
    let config = &built.latest.site.config;
    let base = config.root.path.clone();
    let list: CoursesJson = built
        .files
        .get(&built.latest.out("courses.json"))
        .and_then(|b| serde_json::from_slice(b).ok())
        .ok_or_else(|| {
            one(Diagnostic::error(
                "the build made no readable `courses.json`",
            ))
        })?;
    let course = find_course(&list, course_id)?;
    let page = |url: &str| {
        format!(
            "{}index.html",
            url.strip_prefix(base.as_str()).unwrap_or(url)
        )
    };
    let c = course_pages(&built, course, &page);
    check_size(course_id, &c)?;
    let mut files = portable::relativize(
        &built.files,
        &base,
        &Scope::Package {
            pages: &c.pages,
            home: &c.home,
        },
    )
    .map_err(|diags| Failed { diags })?;
    let theme = &built.latest.theme;
    let asset = |name: &str| {
        theme
            .assets
            .get(name)
            .map(|u| u.strip_prefix(base.as_str()).unwrap_or(u).to_string())
    };
    let scorm_js = add_theme_files(&built, &asset, &config.language, &mut files)?;
    let launch = Launch {
        lang: &config.language,
        site: &base,
        course,
        home: &c.home,
        lessons: &c.lessons,
        quiz: &c.quiz,
        page: &page,
        asset: &asset,
        scorm_js: &scorm_js,
    };
    files.insert(LAUNCH.into(), launch.html().into_bytes());
    let manifest = manifest(course, &files);
    files.insert("imsmanifest.xml".into(), manifest.into_bytes());
    output::write_zip(out, &files)?;
    let mut diags = built.diags;
    diags.sort();
    Ok(Built {
        pages: c.pages.len(),
        elapsed: start.elapsed(),
        diags,
    })
}

/// The course of id `course_id` in the site's list, or an error naming the near one.
fn find_course<'a>(list: &'a CoursesJson, course_id: &str) -> Result<&'a Course, Failed> {
    if let Some(course) = list.courses.iter().find(|c| c.id == course_id) {
        return Ok(course);
    }
    let ids: Vec<&str> = list.courses.iter().map(|c| c.id.as_str()).collect();
    let hint = match (did_you_mean(course_id, ids.iter().copied()), ids.is_empty()) {
        (_, true) => "this site has no courses yet; a course is a folder under content/ whose `_index.md` says `kind: course`.".to_string(),
        (Some(near), _) => format!("did you mean `{near}`? The site's courses are: {}.", ids.join(", ")),
        (None, _) => format!("the site's courses are: {}. A course's id is the `id:` in its `_index.md`.", ids.join(", ")),
    };
    Err(one(Diagnostic::error(format!(
        "there is no course with the id `{course_id}`"
    ))
    .hint(hint)))
}

/// The pages of a course in a package.
struct CoursePages<'a> {
    /// The course's own page (output path).
    home: String,
    /// The output paths of the course's, its modules' and its lessons' pages.
    pages: BTreeSet<String>,
    /// The lessons in reading order.
    lessons: Vec<&'a Lesson>,
    /// For each lesson, whether it has a knowledge check.
    quiz: Vec<bool>,
}

/// The pages of `course` (`page` gives a URL's output path) and which lessons have a quiz.
fn course_pages<'a>(
    built: &build::InMemory,
    course: &'a Course,
    page: &dyn Fn(&str) -> String,
) -> CoursePages<'a> {
    let home = page(&course.url);
    let mut pages = BTreeSet::from([home.clone()]);
    let lessons: Vec<&Lesson> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    for m in &course.modules {
        pages.insert(page(&m.url));
    }
    let mut quiz = Vec::with_capacity(lessons.len());
    for l in &lessons {
        let file = page(&l.url);
        quiz.push(
            built
                .files
                .get(&file)
                .is_some_and(|h| String::from_utf8_lossy(h).contains("data-quiz=\"")),
        );
        pages.insert(file);
    }
    CoursePages {
        home,
        pages,
        lessons,
        quiz,
    }
}

/// Refuses a course whose progress may not fit in SCORM 1.2's `cmi.suspend_data`.
fn check_size(course_id: &str, c: &CoursePages) -> Result<(), Failed> {
    let quizzes = c.quiz.iter().filter(|q| **q).count();
    let need = suspend_bound(c.lessons.len(), quizzes);
    if need > SUSPEND_LIMIT || c.lessons.len() > MAX_LESSONS {
        return Err(one(Diagnostic::error(format!(
            "the course `{course_id}` is too large for one SCORM 1.2 package: with {} lessons and {quizzes} knowledge checks, its progress could need {need} characters of `cmi.suspend_data`, and SCORM 1.2 allows {SUSPEND_LIMIT}",
            c.lessons.len()
        ))
        .hint("split the course into two courses (each is exported on its own), or remove knowledge checks: each one takes 4 characters, each lesson one sixth of one.")));
    }
    Ok(())
}

/// Adds the theme files the launch page uses to `files` (`asset` gives a theme asset's output
/// path): `scorm.js` made a classic script, the stylesheets, the strings of language `lang`,
/// `theme.js` and the icon. Returns the output path of `scorm.js`.
fn add_theme_files(
    built: &build::InMemory,
    asset: &dyn Fn(&str) -> Option<String>,
    lang: &str,
    files: &mut Files,
) -> Result<String, Failed> {
    let Some(scorm_js) = asset("scorm.js") else {
        return Err(one(Diagnostic::error("the theme has no `static/scorm.js`")));
    };
    let js = String::from_utf8_lossy(&built.files[&scorm_js]).into_owned();
    let js = portable::classic_script(&js).map_err(|e| {
        one(Diagnostic::error(format!(
            "the theme's `scorm.js` cannot be used: {e}"
        )))
    })?;
    files.insert(scorm_js.clone(), js.into_bytes());
    let strings = format!("strings.{lang}.js");
    for name in [
        "style.css",
        "brand.css",
        strings.as_str(),
        "theme.js",
        "favicon.svg",
    ] {
        if let Some(a) = asset(name)
            && let Some(bytes) = built.files.get(&a)
        {
            files.entry(a).or_insert_with(|| bytes.clone());
        }
    }
    Ok(scorm_js)
}

struct Launch<'a> {
    lang: &'a str,
    site: &'a str,
    course: &'a Course,
    home: &'a str,
    lessons: &'a [&'a Lesson],
    quiz: &'a [bool],
    page: &'a dyn Fn(&str) -> String,
    asset: &'a dyn Fn(&str) -> Option<String>,
    scorm_js: &'a str,
}

impl Launch<'_> {
    /// The launch page: a bar with the course title and where progress goes, the course in an
    /// iframe, and the lesson list `scorm.js` encodes progress against (hidden).
    fn html(&self) -> String {
        let e = escape_html;
        let title = e(&self.course.title);
        let mut head = String::new();
        if let Some(f) = (self.asset)("favicon.svg") {
            head.push_str(&format!(
                "<link rel=\"icon\" href=\"{}\" type=\"image/svg+xml\">\n",
                e(&f)
            ));
        }
        for css in ["style.css", "brand.css"] {
            if let Some(a) = (self.asset)(css) {
                head.push_str(&format!("<link rel=\"stylesheet\" href=\"{}\">\n", e(&a)));
            }
        }
        // The interface text of the package's language, read by `theme.js` and `scorm.js`.
        if let Some(t) = (self.asset)(&format!("strings.{}.js", self.lang)) {
            head.push_str(&format!("<script src=\"{}\"></script>\n", e(&t)));
        }
        if let Some(t) = (self.asset)("theme.js") {
            head.push_str(&format!("<script src=\"{}\"></script>\n", e(&t)));
        }
        let mut items = String::new();
        for (l, q) in self.lessons.iter().zip(self.quiz) {
            items.push_str(&format!(
                "<li data-lesson-id=\"{}\" data-href=\"{}\"{}>{}</li>\n",
                e(l.id.as_deref().unwrap_or_default()),
                e(&(self.page)(&l.url)),
                if *q { " data-quiz" } else { "" },
                e(&l.title)
            ));
        }
        format!(
            "<!doctype html>
<html lang=\"{lang}\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>{title}</title>
{head}<script src=\"{js}\" defer></script>
</head>
<body class=\"scorm-launch\" data-site=\"{site}\" data-course=\"{id}\" data-start=\"{home}\">
<header class=\"scorm-bar\">
<h1 class=\"scorm-title\">{title}</h1>
<p id=\"scorm-status\" class=\"scorm-status\" role=\"status\"></p>
</header>
<main class=\"scorm-main\">
<noscript><p class=\"callout\">This course needs JavaScript to record your progress. You can still <a href=\"{home}\">read the course</a>.</p></noscript>
<iframe id=\"scorm-frame\" class=\"scorm-frame\" title=\"{title}\"></iframe>
</main>
<ol id=\"scorm-lessons\" hidden>
{items}</ol>
</body>
</html>
",
            lang = e(self.lang),
            js = e(self.scorm_js),
            site = e(self.site),
            id = e(&self.course.id),
            home = e(self.home),
        )
    }
}

/// `imsmanifest.xml` for SCORM 1.2 (IMS Content Packaging 1.1.2 with the ADL 1.2 extensions):
/// one organization titled as the course, one item, one SCO resource listing every file.
fn manifest(course: &Course, files: &Files) -> String {
    let e = escape_html;
    let id = format!("playbook-{}", course.id);
    let title = e(&course.title);
    let mut list = String::new();
    for f in files.keys() {
        list.push_str(&format!("      <file href=\"{}\"/>\n", e(f)));
    }
    list.push_str("      <file href=\"imsmanifest.xml\"/>\n");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{id}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="{id}-org">
    <organization identifier="{id}-org">
      <title>{title}</title>
      <item identifier="{id}-item" identifierref="{id}-sco" isvisible="true">
        <title>{title}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{id}-sco" type="webcontent" adlcp:scormtype="sco" href="{LAUNCH}">
{list}    </resource>
  </resources>
</manifest>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspend_bound_counts_every_part() {
        // "1" + "abcd" + "." + "" + "." for a course with no lessons.
        assert_eq!(suspend_bound(0, 0), 7);
        assert_eq!(suspend_bound(6, 0), 8);
        assert_eq!(suspend_bound(7, 2), 7 + 2 + 8);
        assert!(suspend_bound(MAX_LESSONS, 0) < SUSPEND_LIMIT);
        assert!(suspend_bound(1000, 1000) > SUSPEND_LIMIT);
    }
}
