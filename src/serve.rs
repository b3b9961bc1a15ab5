//! `playbook serve`: builds the site into memory, serves it on this computer (loopback by
//! default), watches the sources and rebuilds the least a change affects (see `live`).
//!
//! Every page gets one extra script in serve mode only (`/__playbook/live.js`). It listens to
//! Server-Sent Events from `/__playbook/events`: a reload of the pages that changed (only if the
//! reader is looking at one, keeping the scroll position), a stylesheet swap, or the current
//! build errors shown as an overlay. Requests are answered only from the built files, so no
//! request can reach a file outside the site. The server only reads (GET and HEAD), gives a
//! connection `HEADER_TIMEOUT` to send each request header and serves at most
//! `MAX_CONNECTIONS` at once, live-reload streams apart.

use crate::build;
use crate::live::{Event, Live};
use crate::output::{Held, SharedFiles};
use anyhow::{Context, Result, anyhow};
use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use axum::response::sse::{self, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify::{RecursiveMode, Watcher};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

pub struct Options {
    pub root: PathBuf,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    pub drafts: bool,
    pub quiet: bool,
}

/// A change must be followed by this much quiet before it is rebuilt, so an editor's atomic
/// save or a `git checkout` of many files is one rebuild.
pub const QUIET: Duration = Duration::from_millis(20);
/// …but a stream of changes is rebuilt at least this often.
pub const MAX_WAIT: Duration = Duration::from_millis(500);
/// How long the sources must stay unchanged before deferred work (search index, print views)
/// is done.
pub const IDLE: Duration = Duration::from_millis(400);

/// A connection must send a request's whole header within this time (the first request, and
/// each next one on a kept-alive connection), or it is closed: a client that sends half a
/// request holds nothing for long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this many connections are served at once; more wait to be accepted until one
/// closes. Live-reload streams do not count here (see `MAX_EVENT_STREAMS`).
pub const MAX_CONNECTIONS: usize = 256;
/// At most this many live-reload streams (one per open page) are kept open at once; one more
/// is answered 503. A stream gives back its connection's place among `MAX_CONNECTIONS`, so
/// open pages never keep the preview from answering.
pub const MAX_EVENT_STREAMS: usize = 64;

const LIVE_JS: &str = include_str!("live.js");
const LIVE_PATH: &str = "__playbook/live.js";
const EVENTS_PATH: &str = "__playbook/events";

#[derive(Clone)]
struct AppState {
    files: SharedFiles,
    events: broadcast::Sender<Event>,
    errors: Arc<RwLock<String>>,
    /// Places for live-reload streams (`MAX_EVENT_STREAMS`).
    streams: Arc<Semaphore>,
}

/// A connection's place among `MAX_CONNECTIONS`, which a request to the event stream takes
/// out (and lets go) when the stream gets a place of its own.
#[derive(Clone)]
struct Place(Arc<std::sync::Mutex<Option<OwnedSemaphorePermit>>>);

pub fn serve(opts: &Options) -> Result<()> {
    let ip: IpAddr = opts
        .bind
        .parse()
        .with_context(|| format!("`{}` is not an IP address\n  hint: use 127.0.0.1 (this computer only) or 0.0.0.0 (every network)", opts.bind))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let addr = SocketAddr::new(ip, opts.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => anyhow!(
                "port {} is already in use on {}\n  hint: another program (perhaps another `playbook serve`) is using it; pick another port with `--port {}`",
                opts.port,
                opts.bind,
                opts.port.checked_add(1).unwrap_or(8001)
            ),
            _ => anyhow!("cannot listen on {addr}: {e}"),
        })?;
        let port = listener.local_addr()?.port();
        if !ip.is_loopback() {
            eprintln!("warning: serving on {ip}: other computers on the network can read this preview, drafts included");
        }
        let host = if ip.is_unspecified() { "127.0.0.1".to_string() } else { ip.to_string() };
        let url = format!("http://{}:{port}/", if host.contains(':') { format!("[{host}]") } else { host });
        let bopts = build::Options { base_url: Some(url.clone()), drafts: opts.drafts, progress: !opts.quiet, live: true, ..build::Options::new(&opts.root) };
        let state = AppState { files: Default::default(), events: broadcast::channel(64).0, errors: Default::default(), streams: Arc::new(Semaphore::new(MAX_EVENT_STREAMS)) };
        let inject = format!("<script src=\"/{LIVE_PATH}\" defer></script>\n");
        let live = start(&bopts, &state, &inject, opts.quiet);
        let watch = Watch { root: std::path::absolute(&opts.root).unwrap_or_else(|_| opts.root.clone()), bopts, inject, quiet: opts.quiet, state: state.clone() };
        std::thread::spawn(move || {
            if let Err(e) = watch.run(live) {
                eprintln!("error: watching for changes stopped: {e:#}");
            }
        });
        eprintln!("Serving {url} (press Ctrl-C to stop)");
        if opts.open {
            open_browser(&url);
        }
        let app = Router::new()
            .route(&format!("/{EVENTS_PATH}"), get(events))
            .route(&format!("/{LIVE_PATH}"), get(live_js))
            .fallback(file)
            .with_state(state);
        tokio::select! {
            () = accept(listener, app) => {}
            _ = tokio::signal::ctrl_c() => eprintln!("\nStopped."),
        }
        Ok(())
    })
}

/// Accepts connections while fewer than `MAX_CONNECTIONS` are open and serves each with
/// HTTP/1.1, closing it when a request's header takes longer than `HEADER_TIMEOUT`.
async fn accept(listener: tokio::net::TcpListener, app: Router) {
    let places = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = places.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was accepted.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let place = Place(Arc::new(std::sync::Mutex::new(Some(permit))));
        let app = app.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(place.clone());
                    let mut app = app.clone();
                    async move {
                        if req.method() != Method::GET && req.method() != Method::HEAD {
                            return Ok(method_not_allowed());
                        }
                        tower_service::Service::call(&mut app, req.map(Body::new)).await
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The preview only reads: any method but GET and HEAD is answered 405.
fn method_not_allowed() -> Response {
    let mut r = Response::new(Body::from(
        "Method not allowed: the preview only answers GET and HEAD.\n",
    ));
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

/// The first build. On failure the errors are shown on every page until a change fixes them.
fn start(bopts: &build::Options, state: &AppState, inject: &str, quiet: bool) -> Option<Live> {
    let t = Instant::now();
    match Live::start(bopts, state.files.clone(), inject.to_string()) {
        Ok((live, warnings)) => {
            warnings.eprint();
            if !quiet {
                eprintln!(
                    "Built {} pages in {:.2} s",
                    live.page_count(),
                    t.elapsed().as_secs_f64()
                );
            }
            *state.errors.write().unwrap_or_else(|e| e.into_inner()) = String::new();
            Some(live)
        }
        Err(failed) => {
            failed.diags.eprint();
            eprintln!("The build failed; the preview shows the errors until you fix them.");
            let text = failed.diags.to_plain_string();
            let page = error_page(&text, inject);
            state
                .files
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert("404.html".into(), Held::plain(page.into_bytes()));
            *state.errors.write().unwrap_or_else(|e| e.into_inner()) = text.clone();
            let _ = state.events.send(Event::Errors(text));
            None
        }
    }
}

struct Watch {
    root: PathBuf,
    bopts: build::Options,
    inject: String,
    quiet: bool,
    state: AppState,
}

/// The folders of a site whose files change what it builds (older editions in `versions/`).
const SOURCE_DIRS: [&str; 4] = ["content", "static", "themes", "versions"];

impl Watch {
    /// Watches the sources and applies each batch of changes to the live site (starting it
    /// when the first build failed), until the watcher is gone.
    fn run(self, mut live: Option<Live>) -> Result<()> {
        let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
        let mut watcher = notify::recommended_watcher(tx)?;
        let mut watched = self.watch_sources(&mut watcher)?;
        let mut last_printed = String::new();
        loop {
            let Some(first) = self.wait_for_change(&rx, &mut live) else {
                return Ok(());
            };
            let Some(mut paths) = gather(&rx, first) else {
                return Ok(());
            };
            self.watch_new_dirs(&mut watcher, &mut watched, &mut paths)?;
            paths.sort();
            paths.dedup();
            paths.retain(|p| self.relevant(p));
            if paths.is_empty() {
                continue;
            }
            let Some(l) = live.as_mut() else {
                live = start(&self.bopts, &self.state, &self.inject, self.quiet);
                if live.is_some() {
                    let _ = self.state.events.send(Event::Errors(String::new()));
                    let _ = self.state.events.send(Event::Reload(None));
                }
                continue;
            };
            let (events, summary) = l.apply(&paths);
            for e in events {
                if let Event::Errors(text) = &e {
                    self.show_errors(text, &mut last_printed);
                }
                let _ = self.state.events.send(e);
            }
            if !self.quiet && summary.pages > 0 {
                eprintln!(
                    "Rebuilt {} page{} in {} ms",
                    summary.pages,
                    if summary.pages == 1 { "" } else { "s" },
                    summary.elapsed.as_millis()
                );
            }
        }
    }

    /// Watches the site's source folders that exist (recursively) and the site folder itself
    /// (for `playbook.yaml`); returns the source folders watched.
    fn watch_sources(&self, watcher: &mut impl Watcher) -> Result<Vec<PathBuf>> {
        // Only what can change the site: not `public/` or `target/` beside the sources.
        for dir in SOURCE_DIRS {
            let path = self.root.join(dir);
            if crate::util::fs::is_dir(&path) {
                watcher.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        watcher.watch(&self.root, RecursiveMode::NonRecursive)?;
        Ok(SOURCE_DIRS
            .iter()
            .map(|d| self.root.join(d))
            .filter(|p| crate::util::fs::is_dir(p))
            .collect())
    }

    /// The next change of the sources; `None` when the watcher is gone. Work that can wait
    /// (the search index, print views) runs only when no change has come for IDLE, so a burst
    /// of saves is never queued behind it.
    fn wait_for_change(
        &self,
        rx: &mpsc::Receiver<notify::Result<notify::Event>>,
        live: &mut Option<Live>,
    ) -> Option<notify::Result<notify::Event>> {
        loop {
            if !live.as_ref().is_some_and(Live::has_secondary) {
                return rx.recv().ok();
            }
            match rx.recv_timeout(IDLE) {
                Ok(ev) => return Some(ev),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(l) = live.as_mut() {
                        for e in l.secondary() {
                            let _ = self.state.events.send(e);
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// A source folder created after the start (say `themes/`) is watched from now on, and
    /// what was written into it before the watch began counts as changed (added to `paths`).
    fn watch_new_dirs(
        &self,
        watcher: &mut impl Watcher,
        watched: &mut Vec<PathBuf>,
        paths: &mut Vec<PathBuf>,
    ) -> Result<()> {
        for dir in SOURCE_DIRS.map(|d| self.root.join(d)) {
            if crate::util::fs::is_dir(&dir)
                && !watched.contains(&dir)
                && paths
                    .iter()
                    .any(|p| p.starts_with(&dir) || dir.starts_with(p))
            {
                watcher.watch(&dir, RecursiveMode::Recursive)?;
                paths.extend(crate::load::walk_files(&dir).into_iter().map(|(_, p)| p));
                watched.push(dir);
            }
        }
        Ok(())
    }

    /// Keeps the build's errors (`text`, empty when it builds) for the overlay and prints
    /// them, once each, to the terminal (`last_printed` is what was printed last).
    fn show_errors(&self, text: &str, last_printed: &mut String) {
        *self.state.errors.write().unwrap_or_else(|e| e.into_inner()) = text.to_string();
        if text.is_empty() && !last_printed.is_empty() {
            eprintln!("Fixed: the site builds again.");
        } else if !text.is_empty() && text != last_printed.as_str() {
            eprint!("{text}");
        }
        *last_printed = text.to_string();
    }

    /// Returns true if and only if `path` is a source of the site (not output, not VCS data).
    fn relevant(&self, path: &Path) -> bool {
        let Ok(rel) = path
            .strip_prefix(&self.root)
            .or_else(|_| path.strip_prefix(std::path::absolute(&self.root).unwrap_or_default()))
        else {
            return false;
        };
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        first == "playbook.yaml" || SOURCE_DIRS.contains(&first.as_str())
    }
}

/// Adds the paths an event of the watcher names to `paths`. A watcher error (say, too many
/// folders to watch) is printed with the paths it names: changes there may go unseen.
fn collect(ev: notify::Result<notify::Event>, paths: &mut Vec<PathBuf>) {
    match ev {
        Ok(ev) if !matches!(ev.kind, notify::EventKind::Access(_)) => paths.extend(ev.paths),
        Ok(_) => {}
        Err(e) => {
            let named: Vec<String> = e.paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "warning: watching for changes failed{}: {e}\n  hint: changes there may not be seen until you restart `playbook serve`{}",
                if named.is_empty() {
                    String::new()
                } else {
                    format!(" for `{}`", named.join("`, `"))
                },
                if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                    "; the system's limit on watched folders is reached (on Linux, raise fs.inotify.max_user_watches)"
                } else {
                    ""
                }
            );
        }
    }
}

/// The paths of change `first` and of the changes that follow it until QUIET passes without
/// one (or MAX_WAIT in all); `None` when the watcher is gone.
fn gather(
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    first: notify::Result<notify::Event>,
) -> Option<Vec<PathBuf>> {
    let mut paths = Vec::new();
    collect(first, &mut paths);
    let deadline = Instant::now() + MAX_WAIT;
    loop {
        match rx.recv_timeout(QUIET) {
            Ok(ev) => collect(ev, &mut paths),
            Err(mpsc::RecvTimeoutError::Timeout) => break,
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
        }
        if Instant::now() > deadline {
            break;
        }
    }
    Some(paths)
}

fn error_page(text: &str, inject: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><main><h1>The build failed</h1><pre>{}</pre></main>{inject}</body></html>",
        crate::util::escape_html(text)
    )
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        eprintln!("could not open a browser; open {url} yourself");
    }
}

fn event_json(e: &Event) -> (&'static str, String) {
    match e {
        Event::Reload(None) => ("reload", serde_json::json!({ "all": true }).to_string()),
        Event::Reload(Some(paths)) => ("reload", serde_json::json!({ "paths": paths }).to_string()),
        Event::Css(paths) => ("css", serde_json::json!({ "paths": paths }).to_string()),
        Event::Asset(paths) => ("asset", serde_json::json!({ "paths": paths }).to_string()),
        Event::Errors(text) => ("errors", serde_json::json!({ "text": text }).to_string()),
    }
}

async fn events(State(state): State<AppState>, place: Option<Extension<Place>>) -> Response {
    // A stream lasts as long as its page stays open: it takes a place among the streams and
    // gives back its connection's, so open pages never use up the connections.
    let Ok(stream_place) = state.streams.clone().try_acquire_owned() else {
        let mut r = Response::new(Body::from(
            "Too many open pages are listening for changes.\n",
        ));
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return r;
    };
    if let Some(Extension(Place(p))) = place {
        drop(p.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
    let current = state
        .errors
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let first = tokio_stream::iter((!current.is_empty()).then_some(Event::Errors(current)));
    let rest = BroadcastStream::new(state.events.subscribe()).filter_map(Result::ok);
    let stream = first.chain(rest).map(move |e| {
        let _held = &stream_place;
        let (name, data) = event_json(&e);
        Ok::<_, std::convert::Infallible>(sse::Event::default().event(name).data(data))
    });
    Sse::new(stream)
        .keep_alive(sse::KeepAlive::default())
        .into_response()
}

async fn live_js() -> Response {
    let mut r = Response::new(Body::from(LIVE_JS));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Decodes `%XX` escapes; `None` for text that is not UTF-8 once decoded (a `%` not followed
/// by two hex digits stays as it is).
fn percent_decode(path: &str) -> Option<String> {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// The site path a request names, or `None` when it tries to leave the site (`..`, NUL,
/// backslashes, encoded or not).
pub fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    if decoded.split('/').any(|seg| seg == ".." || seg == ".") {
        return None;
    }
    Some(decoded.trim_start_matches('/').to_string())
}

/// Where a request for folder `raw` (a path without its final `/`) is redirected: the same
/// path with one `/` between segments and at the end. Never `//host/…`, which a browser would
/// read as another site's address.
pub fn folder_location(raw: &str) -> String {
    let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", segments.join("/"))
    }
}

/// The `Content-Type` of the file at site path `path`, from its extension (`mime_guess`'s
/// table, which knows the video and caption files lessons use: `.webm`, `.vtt`); text in
/// UTF-8, as the build writes it.
pub fn content_type(path: &str) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml");
    let value = if text && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

async fn file(State(state): State<AppState>, uri: Uri) -> Response {
    let respond = |status: StatusCode, path: &str, body: &Held| {
        let mut r = Response::new(Body::from(body.to_vec()));
        *r.status_mut() = status;
        r.headers_mut()
            .insert(header::CONTENT_TYPE, content_type(path));
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    };
    let Some(path) = site_path(uri.path()) else {
        let mut r = Response::new(Body::from("Bad request: that path leaves the site.\n"));
        *r.status_mut() = StatusCode::BAD_REQUEST;
        return r;
    };
    let files = state.files.read().unwrap_or_else(|e| e.into_inner());
    let name = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if let Some(body) = files.get(&name) {
        return respond(StatusCode::OK, &name, body);
    }
    if files.contains_key(&format!("{path}/index.html")) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
        if let Ok(v) = HeaderValue::from_str(&folder_location(uri.path())) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    match files.get("404.html") {
        Some(body) => respond(StatusCode::NOT_FOUND, "404.html", body),
        None => respond(
            StatusCode::NOT_FOUND,
            "x.txt",
            &Held::plain(b"Not found\n".to_vec()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        assert_eq!(site_path("/lessons/").as_deref(), Some("lessons/"));
        assert_eq!(site_path("/a%20b/").as_deref(), Some("a b/"));
        for bad in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/a/..%2f..%2fetc",
            "/a%5c..%5cb",
            "/a%00",
            "/%ff",
            "/./a",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn escapes_decode_as_utf_8_and_a_lone_percent_stays() {
        assert_eq!(site_path("/%C3%A9t%C3%A9.svg").as_deref(), Some("été.svg"));
        assert_eq!(site_path("/100%25/%zz").as_deref(), Some("100%/%zz"));
    }

    #[test]
    fn content_types_cover_video_and_captions() {
        for (path, want) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("assets/style.1.css", "text/css; charset=utf-8"),
            ("assets/a.1.js", "text/javascript; charset=utf-8"),
            ("media/roci.webm", "video/webm"),
            ("media/roci.en.vtt", "text/vtt; charset=utf-8"),
            ("search/index.json", "application/json; charset=utf-8"),
            ("img/f.svg", "image/svg+xml"),
            ("no-extension", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), want, "{path}");
        }
    }

    #[test]
    fn folder_redirects_never_name_another_host() {
        assert_eq!(folder_location("/lessons"), "/lessons/");
        assert_eq!(folder_location("//lessons"), "/lessons/");
        assert_eq!(folder_location("///evil.example//x"), "/evil.example/x/");
        assert_eq!(folder_location("//"), "/");
    }
}
