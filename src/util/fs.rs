//! Every filesystem call of the program goes through here, so every error names its path
//! ("failed to read `content/playbook/01-why.md`"). Nothing else calls `std::fs` directly.

// The one place allowed to call `std::fs` and `Path`'s disk methods (see clippy.toml).
#![allow(clippy::disallowed_methods)]

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

/// The device and inode of the folder at `path` (`None` if it cannot be read, or off Unix):
/// which folder a build cache describes.
pub fn folder_id(path: &Path) -> Option<(u64, u64)> {
    node_id(path, true)
}

/// The device and inode of the regular file at `path` (not following a link; `None` if there
/// is none, or off Unix): two paths with the same id are one file.
pub fn file_id(path: &Path) -> Option<(u64, u64)> {
    node_id(path, false)
}

/// The device and inode of the folder (`folder`) or regular file at `path`, not following a
/// link; `None` if there is no such thing there, or off Unix.
fn node_id(path: &Path, folder: bool) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let m = std::fs::symlink_metadata(path).ok()?;
        let kind = if folder { m.is_dir() } else { m.is_file() };
        kind.then(|| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, folder);
        None
    }
}

/// What an entry of a folder is, not following links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// A link, a socket, a device…
    Other,
}

/// Every entry below folder `dir` (not `dir` itself, not following links) as a path relative
/// to it with `/` separators, and what it is; a folder comes before what it holds.
pub fn tree(dir: &Path) -> Result<Vec<(String, Kind)>> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let e = entry.with_context(|| format!("failed to list the folder `{}`", dir.display()))?;
        let Ok(rel) = e.path().strip_prefix(dir) else {
            continue;
        };
        let t = e.file_type();
        let kind = if t.is_file() {
            Kind::File
        } else if t.is_dir() {
            Kind::Dir
        } else {
            Kind::Other
        };
        found.push((rel.to_string_lossy().replace('\\', "/"), kind));
    }
    Ok(found)
}

/// The size of the regular file at `path`, or `None` if there is none.
/// The size and the device and inode (off Unix, `(0, 0)`) of the regular file at `path`, not
/// following a link, in one look; `None` if there is none there.
pub fn file_stat(path: &Path) -> Option<(u64, (u64, u64))> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some((m.len(), (m.dev(), m.ino())))
    }
    #[cfg(not(unix))]
    {
        Some((m.len(), (0, 0)))
    }
}

pub fn file_size(path: &Path) -> Option<u64> {
    let m = std::fs::symlink_metadata(path).ok()?;
    m.is_file().then_some(m.len())
}

/// Reads the file at `path`, or `None` if it cannot be read.
pub fn read_if_exists(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

/// Writes a new file at `path` through `fill` (buffered), for files too large to make in
/// memory first.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("failed to create `{}`", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    fill(&mut out).with_context(|| format!("failed to write `{}`", path.display()))
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

/// Writes `bytes` to a new file at `path`. A file already there is unlinked first, never
/// written through: it may be a hard link to a file of the published output, which must not
/// change before the build commits.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let open = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let file = match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            remove_file_if_exists(path)?;
            open()
        }
        other => other,
    };
    file.and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("failed to write `{}`", path.display()))
}

/// Copies the file at `from` to a new file at `to`, unlinking a file already at `to` first (see
/// `write_new`).
pub fn copy_new(from: &Path, to: &Path) -> Result<()> {
    remove_file_if_exists(to)?;
    copy(from, to)
}

/// Removes the file (or link) at `path`; a path that does not exist is not an error.
pub fn remove_file_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other.with_context(|| format!("failed to remove `{}`", path.display())),
    }
}

/// Removes whatever is at `path` (a folder with everything below it, a file or a link); a path
/// that does not exist is not an error.
pub fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => remove_dir_all_if_exists(path),
        Ok(_) => remove_file_if_exists(path),
        Err(_) => Ok(()),
    }
}

/// Removes folder `path` and everything below it in another process that this one does not
/// wait for (`rm -rf`), so that a command need not wait for the removal of a large tree; where
/// that process cannot be started (or off Unix), removes it here.
pub fn remove_dir_all_detached(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        use std::process::{Command, Stdio};
        let started = Command::new("rm")
            .arg("-rf")
            .arg("--")
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        if started.is_ok() {
            return Ok(());
        }
    }
    remove_dir_all_if_exists(path)
}

/// The names of the entries of folder `path`, sorted (not `.` or `..`).
pub fn entries(path: &Path) -> Result<Vec<std::ffi::OsString>> {
    let context = || format!("failed to list the folder `{}`", path.display());
    let mut names = Vec::new();
    for entry in std::fs::read_dir(path).with_context(context)? {
        names.push(entry.with_context(context)?.file_name());
    }
    names.sort();
    Ok(names)
}

/// Returns true if and only if `path` is a folder (not a link to one).
pub fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Makes folder `to` (which must not exist) a copy of folder `from` in which every file is a
/// hard link to the file in `from`, or a copy where linking fails (another filesystem). `from`
/// is only read: nothing is ever moved out of it.
pub fn link_tree(from: &Path, to: &Path) -> Result<()> {
    create_dir_all(to)?;
    for name in entries(from)? {
        let (src, dst) = (from.join(&name), to.join(&name));
        let meta = std::fs::symlink_metadata(&src)
            .with_context(|| format!("failed to read `{}`", src.display()))?;
        if meta.is_dir() {
            link_tree(&src, &dst)?;
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&src)
                .with_context(|| format!("failed to read the link `{}`", src.display()))?;
            symlink(&target, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() && !exists(&dst) {
            copy(&src, &dst)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, link)
        .with_context(|| format!("failed to create the link `{}`", link.display()))
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> Result<()> {
    anyhow::bail!(
        "cannot recreate the link `{}` (to `{}`) on this system",
        link.display(),
        target.display()
    )
}

/// What `exchange` did.
#[derive(Debug)]
pub enum Exchange {
    /// The two paths swapped places in one step.
    Done,
    /// The system or the filesystem cannot swap two paths in one step (other systems than
    /// Linux; `EINVAL`, `ENOSYS` or `EOPNOTSUPP` from `renameat2`).
    Unsupported,
    /// One of the paths is a mount point, or they are on different mounts (`EBUSY`, `EXDEV`):
    /// no rename can move either.
    AcrossMounts,
}

/// Swaps `a` and `b`, which must both exist, in one atomic step: `renameat2` with
/// `RENAME_EXCHANGE` on Linux. Someone reading either path sees the old or the new entry,
/// never neither.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn exchange(a: &Path, b: &Path) -> Result<Exchange> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(Exchange::Done),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(Exchange::Unsupported),
        Err(Errno::BUSY | Errno::XDEV) => Ok(Exchange::AcrossMounts),
        Err(e) => Err(std::io::Error::from(e))
            .with_context(|| format!("failed to swap `{}` with `{}`", a.display(), b.display())),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn exchange(_a: &Path, _b: &Path) -> Result<Exchange> {
    Ok(Exchange::Unsupported)
}

/// Returns true if and only if folder `path` is the root of a mount (a Docker volume, a network
/// share, a bind mount): no rename can move it or replace it. On Linux `statx` says so
/// directly (bind mounts of the same filesystem included); elsewhere, or on kernels before
/// 5.8, a folder on another device than its parent's is taken for one.
pub fn is_mount_point(path: &Path) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
        if let Ok(s) = statx(
            CWD,
            path,
            AtFlags::NO_AUTOMOUNT | AtFlags::SYMLINK_NOFOLLOW,
            StatxFlags::empty(),
        ) {
            if s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT) {
                return s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        if let (Ok(a), Ok(b)) = (std::fs::symlink_metadata(path), std::fs::metadata(parent)) {
            return a.is_dir() && a.dev() != b.dev();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    false
}

/// The files under `dir` (following links that stay inside `site`), sorted, as paths relative
/// to `dir` with `/` separators, leaving out every entry whose name `skip` returns true for;
/// and a message naming the path of each entry that could not be read. A missing `dir` has
/// no files and no problems.
pub fn walk_files(
    dir: &Path,
    site: &Path,
    skip: impl Fn(&str) -> bool,
) -> (Vec<(String, std::path::PathBuf)>, Vec<String>) {
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    if !is_dir(dir) {
        return (files, problems);
    }
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || (!skip(&e.file_name().to_string_lossy())
                    && (!e.path_is_symlink() || is_inside(site, e.path())))
        });
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if let Ok(rel) = e.path().strip_prefix(dir) {
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    files.push((rel, e.path().to_path_buf()));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(dir).display().to_string();
                let cause = e
                    .io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string);
                problems.push(format!("failed to read `{path}`: {cause}"));
            }
        }
    }
    files.sort();
    (files, problems)
}

/// Returns true if and only if `path` (after following links) is a file or folder inside
/// `site`. A link may point anywhere inside the site, never outside it: otherwise a link in
/// `static/` would publish (and `serve` would serve) a file from elsewhere on the computer.
pub fn is_inside(site: &Path, path: &Path) -> bool {
    match (site.canonicalize(), path.canonicalize()) {
        (Ok(site), Ok(target)) => target.starts_with(site),
        _ => false,
    }
}
