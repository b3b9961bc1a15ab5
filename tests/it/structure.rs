//! The program's shape, checked from its own source (ARCHITECTURE.md, "Invariants"): no
//! function over [`MAX_FN_LINES`] lines and no module over [`MAX_MODULE_LINES`] lines of code
//! (tests excluded) except those written down below with the reason, and modules that depend
//! on each other without a cycle, so each stage can be read and changed on its own.
//!
//! Run alone: `cargo test --test it structure`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::spanned::Spanned;
use syn::visit::Visit;

const MAX_FN_LINES: usize = 80;
const MAX_MODULE_LINES: usize = 600;

/// Functions allowed to be longer, with why: (file, function name, reason). Empty: every
/// function is within the limit; one that cannot be split must be listed here with the reason.
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[];

/// Modules allowed to be longer, with why: (file, reason). Empty, as above.
const LONG_MODULES: &[(&str, &str)] = &[];

fn src_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", rel(path)))
}

fn is_test_module(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

/// Every function's name and length in lines (signature to closing brace), outside tests.
#[derive(Default)]
struct Functions {
    found: Vec<(String, usize, usize)>,
    test_lines: usize,
}

impl Functions {
    fn add(&mut self, name: String, sig: proc_macro2::Span, body: proc_macro2::Span) {
        let (start, end) = (sig.start().line, body.end().line);
        self.found.push((name, start, end + 1 - start));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.add(f.sig.ident.to_string(), f.sig.span(), f.block.span());
        syn::visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.add(f.sig.ident.to_string(), f.sig.span(), f.block.span());
        syn::visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.add(f.sig.ident.to_string(), f.sig.span(), b.span());
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if is_test_module(&m.attrs) {
            let s = m.span();
            self.test_lines += s.end().line + 1 - s.start().line;
        } else {
            syn::visit::visit_item_mod(self, m);
        }
    }
}

#[test]
fn no_function_is_longer_than_the_limit_unless_written_down() {
    let mut long = Vec::new();
    for path in src_files() {
        let mut v = Functions::default();
        v.visit_file(&parse(&path));
        let file = rel(&path);
        for (name, line, len) in v.found {
            let excused = LONG_FUNCTIONS
                .iter()
                .any(|(f, n, _)| *f == file && *n == name);
            if len > MAX_FN_LINES && !excused {
                long.push(format!("{file}:{line} `{name}`: {len} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines (split them along the jobs they do, or add them to LONG_FUNCTIONS with the reason):\n{}",
        long.join("\n")
    );
}

#[test]
fn no_module_is_longer_than_the_limit_unless_written_down() {
    let mut long = Vec::new();
    for path in src_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut v = Functions::default();
        v.visit_file(&parse(&path));
        let lines = text.lines().count() - v.test_lines;
        let file = rel(&path);
        if lines > MAX_MODULE_LINES && !LONG_MODULES.iter().any(|(f, _)| *f == file) {
            long.push(format!("{file}: {lines} lines besides its tests"));
        }
    }
    assert!(
        long.is_empty(),
        "modules over {MAX_MODULE_LINES} lines (split them by job, or add them to LONG_MODULES with the reason):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_exceptions_are_still_needed() {
    // An exception whose function or module shrank or went away would hide the next one.
    let files: BTreeSet<String> = src_files().iter().map(|p| rel(p)).collect();
    for (file, name, _) in LONG_FUNCTIONS {
        assert!(
            files.contains(*file),
            "LONG_FUNCTIONS names {file}, which is gone"
        );
        let mut v = Functions::default();
        v.visit_file(&parse(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file)));
        assert!(
            v.found
                .iter()
                .any(|(n, _, len)| n == name && *len > MAX_FN_LINES),
            "{file} `{name}` is no longer over {MAX_FN_LINES} lines: remove it from LONG_FUNCTIONS"
        );
    }
    for (file, _) in LONG_MODULES {
        assert!(
            files.contains(*file),
            "LONG_MODULES names {file}, which is gone"
        );
    }
}

/// The top-level module a file belongs to: `src/build/plan.rs` → `build`.
fn module_of(path: &Path) -> String {
    let r = rel(path);
    let inner = r.trim_start_matches("src/");
    inner
        .split('/')
        .next()
        .unwrap_or(inner)
        .trim_end_matches(".rs")
        .to_string()
}

/// The top-level modules a file names through `crate::…` (in `use` items and paths), outside
/// its tests.
#[derive(Default)]
struct Uses(BTreeSet<String>);

impl Uses {
    fn tree(&mut self, t: &syn::UseTree, under_crate: bool) {
        match t {
            syn::UseTree::Path(p) if !under_crate && p.ident == "crate" => self.tree(&p.tree, true),
            syn::UseTree::Path(p) if under_crate => {
                self.0.insert(p.ident.to_string());
            }
            syn::UseTree::Name(n) if under_crate => {
                self.0.insert(n.ident.to_string());
            }
            syn::UseTree::Rename(r) if under_crate => {
                self.0.insert(r.ident.to_string());
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|i| self.tree(i, under_crate)),
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.tree(&u.tree, false);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let mut segs = p.segments.iter();
        if segs.next().is_some_and(|s| s.ident == "crate") {
            if let Some(s) = segs.next() {
                self.0.insert(s.ident.to_string());
            }
        }
        syn::visit::visit_path(self, p);
    }
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_module(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `format!("{}", crate::x::y())` and kin: paths inside macro arguments.
        let text = m.tokens.to_string();
        for part in text.split("crate ::").skip(1) {
            if let Some(name) = part.split_whitespace().next() {
                self.0.insert(
                    name.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        .to_string(),
                );
            }
        }
    }
}

/// Which top-level module depends on which (`main` and `lib` left out: they join the rest).
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in src_files() {
        let module = module_of(&path);
        if module == "main" || module == "lib" {
            continue;
        }
        let mut u = Uses::default();
        u.visit_file(&parse(&path));
        let entry = deps.entry(module.clone()).or_default();
        entry.extend(u.0.into_iter().filter(|m| *m != module));
    }
    let known: BTreeSet<String> = deps.keys().cloned().collect();
    for d in deps.values_mut() {
        d.retain(|m| known.contains(m));
    }
    deps
}

#[test]
fn modules_depend_on_each_other_without_a_cycle() {
    let deps = dependencies();
    // Depth-first search for a back edge; the path to it is the cycle.
    fn visit<'a>(
        m: &'a str,
        deps: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, bool>,
        path: &mut Vec<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        match state.get(m) {
            Some(true) => {
                let at = path.iter().position(|x| *x == m).unwrap_or(0);
                let mut c: Vec<&str> = path[at..].to_vec();
                c.push(m);
                cycles.push(c.join(" → "));
                return;
            }
            Some(false) => return,
            None => {}
        }
        state.insert(m, true);
        path.push(m);
        for d in &deps[m] {
            visit(d, deps, state, path, cycles);
        }
        path.pop();
        state.insert(m, false);
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    for m in deps.keys() {
        visit(m, &deps, &mut state, &mut Vec::new(), &mut cycles);
    }
    assert!(
        cycles.is_empty(),
        "modules that depend on each other in a cycle (a stage may use only the stages below it):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_dependency_reader_sees_uses_paths_and_macros() {
    let file: syn::File = syn::parse_quote! {
        use crate::{config::Config, util::fs};
        fn f() { crate::model::x(); format!("{}", crate::search::y()); }
        #[cfg(test)]
        mod tests { use crate::render; }
    };
    let mut u = Uses::default();
    u.visit_file(&file);
    let found: Vec<&str> = u.0.iter().map(String::as_str).collect();
    assert_eq!(found, ["config", "model", "search", "util"]);
}
