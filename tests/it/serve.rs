//! `playbook serve` as an author uses it: a real process on a free port, edited files, and the
//! events the browser receives. HTTP is spoken over raw TCP so that paths like `/../` reach the
//! server as sent.

use crate::support::gunzip;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    /// The site's folder, removed with the server (`None`: another server's).
    _dir: Option<tempfile::TempDir>,
    root: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const SITE: &[(&str, &str)] = &[
    ("playbook.yaml", "title: Live\nbase_url: /\n"),
    ("content/index.md", "---\ntitle: Home\n---\nWelcome.\n"),
    (
        "content/book/_index.md",
        "---\ntitle: Book\nkind: book\n---\nThe book.\n",
    ),
    (
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text.\n",
    ),
    (
        "content/book/02-two.md",
        "---\ntitle: Two\n---\nSecond text.\n",
    ),
];

fn start() -> Server {
    start_site(SITE)
}

fn start_site(files: &[(&str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    for (rel, text) in files {
        write(&root, rel, text);
    }
    let mut s = start_in(&root);
    s._dir = Some(dir);
    s
}

/// A server of the site in `root` (which it leaves in place).
fn start_in(root: &Path) -> Server {
    let root = root.to_path_buf();
    let mut child = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(["serve", "--port", "0"])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut port = 0;
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.trim().strip_prefix("Serving http://127.0.0.1:") {
            port = rest.split('/').next().unwrap().parse().unwrap();
            break;
        }
        line.clear();
    }
    assert!(port > 0, "server did not start: {line}");
    std::thread::spawn(move || for _ in err.lines() {});
    Server {
        child,
        port,
        _dir: None,
        root,
    }
}

/// Sends a GET of `target` and returns the whole response as received.
fn get_raw(port: u16, target: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    buf
}

/// Sends a raw request line and returns (status, body).
fn request(port: u16, target: &str) -> (u16, String) {
    let text = String::from_utf8_lossy(&get_raw(port, target)).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// GETs `target` and returns (status, body bytes).
fn get(port: u16, target: &str) -> (u16, Vec<u8>) {
    let buf = get_raw(port, target);
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&buf[..end])
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, buf[end + 4..].to_vec())
}

/// The search fragments a server holds, by page number, as their JSON: each read with the
/// dictionary its index names; a page whose kind letter is a capital has none, and its lead
/// (which holds all its text) is given instead. `None` when the index changed while it was
/// read (a file the manifest names is gone, or a fragment file is there for a capital letter
/// or missing for a small one).
fn fragments(port: u16) -> Option<std::collections::BTreeMap<usize, String>> {
    let gzipped = |path: &str| {
        let (status, bytes) = get(port, path);
        (status == 200).then(|| gunzip(&bytes))
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&gzipped("/search/index.json.gz")?).ok()?;
    let dict = gzipped(&format!("/search/{}", manifest["dict"].as_str()?))?;
    let kinds = manifest["page_kinds"].as_str()?.as_bytes().to_vec();
    let mut leads = std::collections::BTreeMap::new();
    for group in manifest["leads"].as_array()? {
        let json = gzipped(&format!("/search/{}", group[1].as_str()?))?;
        let pages: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&json).ok()?;
        for (i, lead) in pages {
            leads.insert(i.parse::<usize>().ok()?, lead.to_string());
        }
    }
    let mut out = std::collections::BTreeMap::new();
    for (i, kind) in kinds.iter().enumerate() {
        let (status, bytes) = get(port, &format!("/search/f/{i}.bin"));
        if (status == 200) != kind.is_ascii_lowercase() {
            return None;
        }
        if kind.is_ascii_uppercase() {
            out.insert(i, leads.get(&i)?.clone());
        }
        if status != 200 {
            continue;
        }
        let mut d = flate2::Decompress::new(false);
        d.set_dictionary(&dict).ok()?;
        let mut json = Vec::with_capacity(bytes.len() * 8 + 1024);
        d.decompress_vec(&bytes, &mut json, flate2::FlushDecompress::Finish)
            .ok()?;
        out.insert(i, String::from_utf8(json).ok()?);
    }
    Some(out)
}

/// Subscribes to the event stream; yields (event name, data) pairs.
fn subscribe(port: u16) -> mpsc::Receiver<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /__playbook/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut name = String::new();
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { return };
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                if tx.send((name.clone(), d.to_string())).is_err() {
                    return;
                }
            }
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    rx
}

fn next_event(rx: &mpsc::Receiver<(String, String)>, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((n, d)) if n == name => return d,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no `{name}` event within 10 s");
}

#[test]
fn serves_pages_with_the_live_script_and_a_404() {
    let s = start();
    let (status, body) = request(s.port, "/book/one/");
    assert_eq!(status, 200);
    assert!(body.contains("First text.") && body.contains("/__playbook/live.js"));
    let (status, body) = request(s.port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    assert_eq!(request(s.port, "/book/one").0, 301);
    assert_eq!(request(s.port, "/__playbook/live.js").0, 200);
}

#[test]
fn serve_never_registers_the_offline_worker_and_serves_one_that_removes_itself() {
    let s = start();
    let (_, body) = request(s.port, "/book/one/");
    assert!(!body.contains("data-sw=") && !body.contains("offline-note"));
    // A worker left on this origin by a built copy of the site finds, at its next update check,
    // one that deletes its caches and unregisters: the preview is never answered from a cache.
    let (status, sw) = request(s.port, "/sw.js");
    assert_eq!(status, 200);
    assert!(sw.contains("\"enabled\":false"), "{sw}");
}

#[test]
fn requests_outside_the_site_are_refused() {
    let s = start();
    std::os::unix::fs::symlink("/etc/hostname", s.root.join("content/escape.txt")).unwrap();
    write(
        &s.root,
        "content/book/02-two.md",
        "---\ntitle: Two\n---\nSecond text, edited.\n",
    );
    std::thread::sleep(Duration::from_millis(600));
    for target in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/book/..%2f..%2f..%2fetc/passwd",
        "/%2E%2E%5C%2E%2E%5Cetc",
        "/book/%00",
        "//etc/passwd",
    ] {
        let (status, body) = request(s.port, target);
        assert!(status == 400 || status == 404, "{target}: {status}");
        assert!(!body.contains("root:"), "{target} leaked a file");
    }
    assert_eq!(
        request(s.port, "/escape.txt").0,
        404,
        "a link to a file outside the site is not published"
    );
}

#[test]
fn a_body_edit_reloads_that_page_with_new_content() {
    let s = start();
    let events = subscribe(s.port);
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text, edited.\n",
    );
    let data = next_event(&events, "reload");
    assert_eq!(
        data, r#"{"paths":["/book/one/"]}"#,
        "only the edited page reloads"
    );
    assert!(
        request(s.port, "/book/one/")
            .1
            .contains("First text, edited.")
    );
    let print = next_event(&events, "reload");
    assert_eq!(
        print, r#"{"paths":["/book/print/"]}"#,
        "then the print view that shows its text"
    );
    assert!(
        request(s.port, "/book/print/")
            .1
            .contains("First text, edited.")
    );
}

#[test]
fn after_edits_the_search_fragments_are_those_a_fresh_start_makes() {
    let s = start();
    let events = subscribe(s.port);
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text, edited.\n",
    );
    next_event(&events, "reload");
    // The book's new title is in its chapters' breadcrumbs, though their text is unchanged.
    write(
        &s.root,
        "content/book/_index.md",
        "---\ntitle: Handbook\nkind: book\n---\nThe book.\n",
    );
    next_event(&events, "reload");
    let fresh = start_in(&s.root);
    let want = (fragments(fresh.port), leads(fresh.port));
    assert!(
        want.0
            .as_ref()
            .expect("a fresh start's index reads whole")
            .values()
            .any(|f| f.contains("Handbook") && f.contains("First text, edited.")),
        "{want:?}"
    );
    // The index is made again once saves pause.
    let got = settled(&want, || (fragments(s.port), leads(s.port)));
    assert_eq!(got, want);
}

/// What `get` returns once it equals `want`, or after 10 seconds (the index is made again
/// once saves pause).
fn settled<T: PartialEq>(want: &T, get: impl Fn() -> T) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = get();
    while got != *want && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        got = get();
    }
    got
}

/// A body edit takes the recount path (not a new structure): the page's lead is made again too.
#[test]
fn after_a_body_edit_the_search_leads_are_those_a_fresh_start_makes() {
    let s = start();
    let before = leads(s.port);
    let events = subscribe(s.port);
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text, edited.\n",
    );
    next_event(&events, "reload");
    let want = leads(start_in(&s.root).port);
    assert_ne!(want, before, "the edit shows in a lead");
    let got = settled(&want, || leads(s.port));
    assert_eq!(got, want);
}

/// The leads groups the search manifest lists (content-hashed names: the same names, the same
/// leads).
fn leads(port: u16) -> serde_json::Value {
    let (_, manifest) = get(port, "/search/index.json.gz");
    let manifest: serde_json::Value = serde_json::from_slice(&gunzip(&manifest)).unwrap();
    manifest["leads"].clone()
}

#[test]
fn new_renamed_and_deleted_files_update_their_collection() {
    let s = start();
    let events = subscribe(s.port);
    write(
        &s.root,
        "content/book/03-three.md",
        "---\ntitle: Three\n---\nThird text.\n",
    );
    let data = next_event(&events, "reload");
    assert!(
        data.contains("/book/three/") && data.contains("/book/two/"),
        "{data}"
    );
    assert!(
        request(s.port, "/book/two/")
            .1
            .contains("href=\"/book/three/\""),
        "the old last chapter links to the new one"
    );
    std::fs::rename(
        s.root.join("content/book/03-three.md"),
        s.root.join("content/book/03-drei.md"),
    )
    .unwrap();
    next_event(&events, "reload");
    assert_eq!(request(s.port, "/book/three/").0, 404);
    assert_eq!(request(s.port, "/book/drei/").0, 200);
    std::fs::remove_file(s.root.join("content/book/03-drei.md")).unwrap();
    next_event(&events, "reload");
    assert_eq!(request(s.port, "/book/drei/").0, 404);
    assert!(!request(s.port, "/book/").1.contains("Three"));
}

#[test]
fn a_broken_front_matter_shows_the_error_and_fixing_it_clears_it() {
    let s = start();
    let events = subscribe(s.port);
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitel: One\n---\nFirst text.\n",
    );
    let err = next_event(&events, "errors");
    assert!(
        err.contains("content/book/01-one.md:2:1") && err.contains("did you mean"),
        "{err}"
    );
    assert!(
        request(s.port, "/book/one/").1.contains("First text."),
        "the last good page stays served"
    );
    let late = subscribe(s.port);
    assert!(
        next_event(&late, "errors").contains("titel"),
        "a page opened later sees the error too"
    );
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text, fixed.\n",
    );
    assert_eq!(next_event(&events, "errors"), r#"{"text":""}"#);
    assert!(
        request(s.port, "/book/one/")
            .1
            .contains("First text, fixed.")
    );
}

#[test]
fn a_stylesheet_change_is_swapped_without_reloading() {
    let s = start();
    let events = subscribe(s.port);
    write(
        &s.root,
        "themes/default/static/style.css",
        "body { color: black; }\n",
    );
    assert_eq!(
        next_event(&events, "css"),
        r#"{"paths":["/assets/style.css"]}"#
    );
    assert!(
        request(s.port, "/assets/style.css")
            .1
            .contains("color: black")
    );
}

#[test]
fn survives_malformed_requests_and_many_connections() {
    let s = start();
    for junk in [
        &b"\x00\x01\x02 garbage\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ] {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        let _ = c.write_all(junk);
    }
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let port = s.port;
            std::thread::spawn(move || request(port, "/book/two/").0)
        })
        .collect();
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|c| *c == 200)
        .count();
    assert_eq!(ok, 200);
}

#[test]
fn a_port_in_use_is_explained_and_ctrl_c_exits_cleanly() {
    let s = start();
    let o = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(["serve", "--port", &s.port.to_string()])
        .current_dir(&s.root)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("already in use") && err.contains("--port"),
        "{err}"
    );
    let mut s = s;
    Command::new("kill")
        .args(["-INT", &s.child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "did not exit on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_folder_moved_in_appears_and_moved_out_disappears() {
    let s = start();
    let events = subscribe(s.port);
    let outside = tempfile::tempdir_in(s.root.parent().unwrap()).unwrap();
    write(
        outside.path(),
        "b2/_index.md",
        "---\ntitle: Book two\nkind: book\n---\n",
    );
    write(
        outside.path(),
        "b2/01-alpha.md",
        "---\ntitle: Alpha\n---\nA.\n",
    );
    std::fs::rename(outside.path().join("b2"), s.root.join("content/book2")).unwrap();
    next_event(&events, "reload");
    assert_eq!(
        request(s.port, "/book2/alpha/").0,
        200,
        "the pages of a folder moved in are served"
    );
    std::fs::rename(s.root.join("content/book2"), outside.path().join("b3")).unwrap();
    next_event(&events, "reload");
    assert_eq!(
        request(s.port, "/book2/alpha/").0,
        404,
        "the pages of a folder moved out are gone"
    );
    assert!(!request(s.port, "/").1.contains("Book two"));
}

#[test]
fn older_editions_follow_the_latest_and_their_own_sources() {
    let mut files: Vec<(&str, &str)> = SITE
        .iter()
        .filter(|(rel, _)| *rel != "playbook.yaml")
        .copied()
        .collect();
    files.push((
        "playbook.yaml",
        "title: Live\nbase_url: /\neditions:\n  - name: \"2025\"\n    label: \"2025 edition\"\n",
    ));
    files.extend([
        (
            "versions/2025/index.md",
            "---\ntitle: Home\n---\nWelcome.\n",
        ),
        (
            "versions/2025/book/_index.md",
            "---\ntitle: Book\nkind: book\n---\nThe book.\n",
        ),
        (
            "versions/2025/book/01-one.md",
            "---\ntitle: One\n---\nFirst text.\n",
        ),
        (
            "versions/2025/book/03-three.md",
            "---\ntitle: Three\n---\nOld third text.\n",
        ),
    ]);
    let s = start_site(&files);
    let events = subscribe(s.port);
    let older = |path: &str| request(s.port, path).1;
    // Chapter three is only in the 2025 edition: its banner leads to the nearest page that
    // exists in the latest, the book.
    let page = older("/editions/2025/book/three/");
    assert!(page.contains("Old third text."), "{page}");
    assert!(!page.contains("href=\"/book/three/\""), "{page}");
    // The latest edition gains chapter three: once the deferred work has run, the older
    // edition's banner and switcher lead to it.
    write(
        &s.root,
        "content/book/03-three.md",
        "---\ntitle: Three\n---\nNew third text.\n",
    );
    next_event(&events, "reload");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !older("/editions/2025/book/three/").contains("href=\"/book/three/\"") {
        assert!(
            Instant::now() < deadline,
            "the 2025 page never linked to the new chapter: {}",
            older("/editions/2025/book/three/")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // An edit to the older edition's own sources shows too.
    write(
        &s.root,
        "versions/2025/book/01-one.md",
        "---\ntitle: One\n---\nRevised 2025 text.\n",
    );
    next_event(&events, "reload");
    assert!(older("/editions/2025/book/one/").contains("Revised 2025 text."));
}

/// Sends `raw` as it is and returns the response's status, its header lines (lowercase
/// names) and its body.
fn exchange(port: u16, raw: &str) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn methods_other_than_get_and_head_are_answered_405_with_allow() {
    let s = start();
    for method in ["POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS", "FOO"] {
        for path in [
            "/",
            "/book/one/",
            "/__playbook/events",
            "/__playbook/live.js",
            "/nowhere",
        ] {
            let (status, headers, body) = exchange(
                s.port,
                &format!(
                    "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                ),
            );
            assert_eq!(status, 405, "{method} {path}");
            assert_eq!(
                header(&headers, "allow"),
                Some("GET, HEAD"),
                "{method} {path}"
            );
            assert!(
                !body.contains("<html"),
                "{method} {path} answered with the page"
            );
        }
    }
    let (status, headers, body) = exchange(
        s.port,
        "HEAD /book/one/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(body.is_empty(), "HEAD has no body: {body}");
    assert_eq!(request(s.port, "/book/one/").0, 200);
}

#[test]
fn a_folder_redirect_never_names_another_host() {
    let s = start();
    for (target, location) in [
        ("/book", "/book/"),
        ("//book", "/book/"),
        ("///book", "/book/"),
        ("//book//", "/book/"),
    ] {
        let (status, headers, _) = exchange(
            s.port,
            &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        );
        if status == 301 {
            assert_eq!(header(&headers, "location"), Some(location), "{target}");
        } else {
            assert!(
                status == 200 || status == 404,
                "{target}: {status} {headers:?}"
            );
        }
    }
    for target in ["//book", "/%2F/book", "//book/../book"] {
        let (_, headers, _) = exchange(
            s.port,
            &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        );
        if let Some(loc) = header(&headers, "location") {
            assert!(
                loc.starts_with('/') && !loc.starts_with("//") && !loc.contains('\\'),
                "{target} → {loc}"
            );
        }
    }
}

/// Opens a connection that sends half a request header and waits; returns when the server
/// closes it, with the time that took (`None`: still open after `wait`).
fn half_sent(port: u16, wait: Duration) -> std::thread::JoinHandle<Option<Duration>> {
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    let start = Instant::now();
    std::thread::spawn(move || {
        c.set_read_timeout(Some(wait)).unwrap();
        let mut buf = [0u8; 1024];
        loop {
            match c.read(&mut buf) {
                Ok(0) => return Some(start.elapsed()),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(_) => return Some(start.elapsed()),
            }
        }
    })
}

#[test]
fn half_sent_requests_are_closed_and_open_connections_are_bounded() {
    use playbook::serve::{HEADER_TIMEOUT, MAX_CONNECTIONS};
    let s = start();
    let n = MAX_CONNECTIONS + 44;
    let wait = HEADER_TIMEOUT * 3 + Duration::from_secs(5);
    let slow: Vec<_> = (0..n).map(|_| half_sent(s.port, wait)).collect();
    // A reader's request waits at most until the first slow ones are closed.
    let t = Instant::now();
    assert_eq!(request(s.port, "/book/one/").0, 200);
    assert!(
        t.elapsed() < HEADER_TIMEOUT * 2 + Duration::from_secs(2),
        "answered after {:?}",
        t.elapsed()
    );
    let closed: Vec<Option<Duration>> = slow.into_iter().map(|h| h.join().unwrap()).collect();
    let open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(
        open, 0,
        "{open} of {n} half-sent requests still open after {wait:?}"
    );
    let first_wave = closed
        .iter()
        .flatten()
        .filter(|d| **d < HEADER_TIMEOUT + HEADER_TIMEOUT / 2)
        .count();
    assert!(first_wave > 0, "none closed after the header timeout");
    assert!(
        first_wave <= MAX_CONNECTIONS,
        "{first_wave} connections were open at once"
    );
    assert!(
        closed
            .iter()
            .flatten()
            .all(|d| *d >= HEADER_TIMEOUT - Duration::from_millis(500)),
        "a connection was closed before its header timeout"
    );
}

#[test]
fn live_reload_streams_outlive_the_header_timeout_and_never_use_up_connections() {
    use playbook::serve::{HEADER_TIMEOUT, MAX_CONNECTIONS, MAX_EVENT_STREAMS};
    let s = start();
    let events = subscribe(s.port);
    // Every other place for a stream, taken.
    let streams: Vec<TcpStream> = (1..MAX_EVENT_STREAMS)
        .map(|_| {
            let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
            c.write_all(b"GET /__playbook/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                .unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut head = [0u8; 12];
            c.read_exact(&mut head).unwrap();
            assert_eq!(&head, b"HTTP/1.1 200");
            c
        })
        .collect();
    let (status, _, _) = exchange(
        s.port,
        "GET /__playbook/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 503, "one stream more than MAX_EVENT_STREAMS");
    // Connections that send nothing take every place but the streams'…
    let idle: Vec<TcpStream> = (0..MAX_CONNECTIONS - MAX_EVENT_STREAMS)
        .map(|_| TcpStream::connect(("127.0.0.1", s.port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // …and a reader's request is still answered at once: the streams hold no connection place.
    let t = Instant::now();
    assert_eq!(request(s.port, "/book/one/").0, 200);
    assert!(
        t.elapsed() < HEADER_TIMEOUT / 2,
        "answered after {:?}: the open streams used up the connections",
        t.elapsed()
    );
    drop(idle);
    // Past the header timeout, the stream still delivers.
    std::thread::sleep(HEADER_TIMEOUT + Duration::from_secs(1));
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitle: One\n---\nEdited later.\n",
    );
    let data = next_event(&events, "reload");
    assert!(data.contains("book/one"), "{data}");
    drop(streams);
}

#[test]
fn one_front_matter_typo_is_one_error_in_the_overlay() {
    let s = start_site(&[
        ("playbook.yaml", "title: T\n"),
        ("content/index.md", "---\ntitle: Home\n---\nWelcome.\n"),
        (
            "content/book/_index.md",
            "---\ntitle: Book\nkind: book\n---\n",
        ),
        (
            "content/book/01-one.md",
            "---\ntitle: One\n---\n## Start\n\nText.\n",
        ),
        (
            "content/book/02-two.md",
            "---\ntitle: Two\n---\nSee [one](01-one.md#start).\n",
        ),
        (
            "content/about.md",
            "---\ntitle: About\n---\n[First](book/01-one.md#start) and [again](book/01-one.md).\n",
        ),
    ]);
    let events = subscribe(s.port);
    write(
        &s.root,
        "content/book/01-one.md",
        "---\ntitel: One\n---\n## Start\n\nText.\n",
    );
    let err = next_event(&events, "errors");
    assert_eq!(
        err.matches("error:").count(),
        1,
        "one root error, nothing that follows from it: {err}"
    );
    assert!(err.contains("titel"), "{err}");
}
