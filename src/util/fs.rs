//! Every filesystem call of the program goes through here, so every error names its path
//! ("failed to read `content/playbook/01-why.md`"). Nothing else calls `std::fs` directly.

use anyhow::{Context, Result};
use std::path::Path;

pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("failed to write `{}`", path.display()))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("failed to create the folder `{}`", path.display()))
}

pub fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("failed to copy `{}` to `{}`", from.display(), to.display()))
}

/// The BLAKE3 hash of the file at `path`, read in pieces (a download may be large).
pub fn hash_file(path: &Path) -> Result<blake3::Hash> {
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    let mut hasher = blake3::Hasher::new();
    std::io::copy(&mut file, &mut hasher)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    Ok(hasher.finalize())
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)
        .with_context(|| format!("failed to move `{}` to `{}`", from.display(), to.display()))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path)
        .with_context(|| format!("failed to remove the folder `{}`", path.display()))
}

/// Removes `path` and everything below it; a path that does not exist is not an error.
pub fn remove_dir_all_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other.with_context(|| format!("failed to remove the folder `{}`", path.display())),
    }
}

/// The size and modification time (nanoseconds since the epoch) of the file at `path`, or
/// `None` if it cannot be read: what `make` would look at, without reading the file.
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    let m = std::fs::metadata(path).ok()?;
    let modified = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((m.len(), modified.as_nanos()))
}

/// Returns true if and only if the file at `path` holds exactly `bytes`.
pub fn holds(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            std::fs::read(path).is_ok_and(|b| b == bytes)
        }
        _ => false,
    }
}

pub fn hard_link(from: &Path, to: &Path) -> Result<()> {
    std::fs::hard_link(from, to)
        .with_context(|| format!("failed to link `{}` to `{}`", to.display(), from.display()))
}

/// Returns true if and only if `path` is a folder (following links).
pub fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

/// Returns true if and only if `path` is a file (following links).
pub fn is_file(path: &Path) -> bool {
    path.is_file()
}

/// Returns true if and only if `path` exists (as a file, folder or link).
pub fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}
