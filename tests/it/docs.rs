//! ARCHITECTURE.md must stay true: every repository path it names in backticks exists.

#[test]
fn every_path_named_in_architecture_md_exists() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for (i, part) in text.split('`').enumerate() {
        let looks_like_path = i % 2 == 1
            && (part.starts_with("src/")
                || part.starts_with("tests/")
                || part.starts_with("themes/")
                || part.starts_with("bench/")
                || part == "content/")
            && !part.contains('<');
        if looks_like_path && !std::path::Path::new(root).join(part).exists() {
            missing.push(part.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}
