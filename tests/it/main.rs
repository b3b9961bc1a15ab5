//! The integration tests, as one test binary: every module links the library once, instead of
//! one binary (and one link of the whole library) per file.

// Tests set up and read sites on disk directly; the rule that only `util::fs` touches the disk
// (clippy.toml) is the program's, not theirs.
#![allow(clippy::disallowed_methods)]

mod support;

mod blocks;
mod cli;
mod docs;
mod editions;
mod errors;
mod export;
mod features;
mod fuzz;
mod incremental;
mod languages;
mod live;
mod offline;
mod publish;
mod search;
mod serve;
mod stem_vectors;
mod structure;
