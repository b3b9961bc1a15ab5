//! A page in the language being built: which of its files is shown (the page's own, its
//! translation, or the page in its own language as a fallback), and a translation's front
//! matter read over the page's.

use super::{Draft, at, common, missing, read};
use crate::config::{Config, Fallback};
use crate::diagnostics::{Diagnostic, Source};
use crate::frontmatter as fm;
use crate::model::{Inputs, Meta, PageKind, Version};

/// Decides which file of the page is shown in `config.language` and reads a translation into
/// `draft`; `Ok(None)` when the page is left out of this language.
pub(in crate::model) fn choose_version(
    config: &Config,
    inputs: &Inputs,
    versions: &crate::model::files::Versions,
    mut draft: Draft,
) -> Result<Option<Draft>, Vec<Diagnostic>> {
    let lang = config.language.clone();
    if let Some(&t) = versions.by_lang.get(&lang) {
        if draft.lang == lang {
            let f = &inputs.loaded.content[t];
            return Err(vec![
                Diagnostic::error(format!(
                    "two files are the {lang} version of `content/{}`",
                    draft.key
                ))
                .at(&f.source, 0..0)
                .label("a second version in the same language")
                .hint(format!(
                    "`content/{}` already says `lang: {lang}`; keep one of the two files.",
                    draft.key
                )),
            ]);
        }
        translate(config, inputs, t, &mut draft)?;
        return Ok(Some(draft));
    }
    // A page in its own language, or on a site of one language a page that says it is in
    // another (its text is marked so; there is nothing to fall back from).
    if draft.lang == lang || !config.multilingual() {
        return Ok(Some(draft));
    }
    // Not in this language. Indexes and the home page stay (the site's structure holds);
    // other pages follow the site's `fallback`.
    if config.fallback == Fallback::Omit && !draft.kind.is_index() && draft.kind != PageKind::Home {
        draft.omitted = true;
        return Ok(Some(draft));
    }
    draft.version = Version::Fallback;
    Ok(Some(draft))
}

/// Reads translation file `t` into `draft`: its title, description, address, objectives and
/// questions replace the page's own; everything else stays the page's.
fn translate(
    config: &Config,
    inputs: &Inputs,
    t: usize,
    draft: &mut Draft,
) -> Result<(), Vec<Diagnostic>> {
    let f = &inputs.loaded.content[t];
    let source = &f.source;
    let what = format!(
        "the front matter of a translation of {}",
        draft.kind.describe()
    );
    let (raw, split): (fm::RawTranslation, _) = read(source, &what).map_err(|d| vec![d])?;
    let mut errs = Vec::new();
    let c = raw.common();
    if let Some(l) = &c.lang {
        if l.value != config.language {
            errs.push(
                Diagnostic::error(format!(
                    "this file is the {} translation, but it says `lang: {}`",
                    config.language, l.value
                ))
                .at(source, at(source, l, l.value.len()))
                .hint("remove `lang:`: the language of a translation comes from its file name."),
            );
        }
    }
    let checked = common(c, source, &split, &what, config, &mut errs);
    check_id(&raw, draft, source, &mut errs);
    translate_lesson(&raw, draft, source, &split, &what, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    if checked.draft && !inputs.include_drafts {
        // A translation not yet published: the page falls back.
        draft.version = Version::Fallback;
        return Ok(());
    }
    record_status(config, inputs, &raw, source, draft);
    draft.file = t;
    draft.yaml = split.yaml;
    draft.body = split.body;
    draft.title = checked.title;
    draft.description = checked.description.or(draft.description.take());
    draft.lang = config.language.clone();
    draft.version = Version::Translation;
    if let Some(slug) = checked.slug {
        if draft.kind != PageKind::Home {
            let base = draft.url.trim_end_matches('/');
            let parent = base.rfind('/').map_or("", |i| &base[..=i]);
            draft.url = format!("{parent}{slug}/");
        }
    }
    if let Some(s) = checked.search {
        draft.search = Some(s);
    }
    Ok(())
}

/// Reports a translation's `id:` that is not the id of the page it translates.
fn check_id(raw: &fm::RawTranslation, draft: &Draft, source: &Source, errs: &mut Vec<Diagnostic>) {
    let Some(id) = &raw.id else { return };
    if draft.meta_id() != Some(id.value.as_str()) {
        errs.push(
            Diagnostic::error(format!("this translation's id `{}` is not the id of the page it translates", id.value))
                .at(source, at(source, id, id.value.len()))
                .label("a different id")
                .hint(format!(
                    "remove the `id:` line (a translation has its page's id{}), so that readers' progress is the same in every language.",
                    draft.meta_id().map_or_else(String::new, |i| format!(", `{i}`"))
                )),
        );
    }
}

/// A lesson's translated objectives (required when the page has some) and questions replace
/// the page's own.
fn translate_lesson(
    raw: &fm::RawTranslation,
    draft: &mut Draft,
    source: &Source,
    split: &fm::Split,
    what: &str,
    errs: &mut Vec<Diagnostic>,
) {
    let Meta::Lesson {
        objectives,
        questions,
        ..
    } = &mut draft.meta
    else {
        return;
    };
    match &raw.objectives {
        Some(o) => *objectives = o.value.clone(),
        None if !objectives.is_empty() => errs.push(missing(
            source,
            split,
            what,
            "objectives",
            "translate the lesson's objectives too: list them under `objectives:`, one `- …` line each, as in the page it translates.",
        )),
        None => {}
    }
    if !raw.questions.is_empty() {
        *questions = raw.questions.clone();
    }
}

/// Records whether the translation (file `source`) is up to date with its page, from the
/// fingerprint it records; an outdated one gets a warning naming what changed.
fn record_status(
    config: &Config,
    inputs: &Inputs,
    raw: &fm::RawTranslation,
    source: &Source,
    draft: &mut Draft,
) {
    let page = &inputs.loaded.content[draft.file].source;
    let recorded = raw.translation.as_ref().map(|r| &r.value);
    let Some(status) = crate::translations::status_of(recorded, page) else {
        return;
    };
    if let (crate::translations::Status::Outdated(changed), Some(r)) = (&status, &raw.translation) {
        let at = crate::translations::recorded_at(source, r);
        draft.warnings.push(crate::translations::warning(
            source,
            at,
            page,
            &config.language,
            changed,
        ));
    }
    draft.translation = Some(status);
}

impl Draft {
    /// The id of the page's course, module or lesson, when it has one.
    fn meta_id(&self) -> Option<&str> {
        match &self.meta {
            Meta::Course { id, .. } | Meta::Module { id } => Some(id),
            Meta::Lesson { id, .. } => id.as_deref(),
            _ => None,
        }
    }
}
