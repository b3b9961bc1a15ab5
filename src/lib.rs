//! `playbook` turns a folder of Markdown (a book-like Playbook, monographs, lessons and
//! courses) into a static website. The stages run in one direction:
//! `config → load → model → markdown → nav → render → output`; `build` runs them, `serve`
//! serves the result, `scaffold` writes new sites and pages. See ARCHITECTURE.md.

pub mod blocks;
pub mod brand;
pub mod build;
pub mod changes;
pub mod config;
pub mod diagnostics;
pub mod editions;
pub mod frontmatter;
pub mod guide;
pub mod highlight;
pub mod i18n;
pub mod languages;
pub mod linkcheck;
pub mod live;
pub mod load;
pub mod markdown;
pub mod model;
pub mod nav;
pub mod offline;
pub mod output;
pub mod portable;
pub mod render;
pub mod scaffold;
pub mod scorm;
pub mod search;
pub mod serve;
pub mod theme;
pub mod translations;
pub mod util;
pub mod yaml;
