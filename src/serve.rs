//! `playbook serve`: builds the site into memory and serves it on this computer (loopback by
//! default). Requests are answered only from the built files, so no request can reach a file
//! outside the site. Live reload is not here yet; a rebuild needs a restart.

use crate::build::{self, Target};
use anyhow::{Context, Result, anyhow};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

pub struct Options {
    pub root: PathBuf,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    pub drafts: bool,
    pub quiet: bool,
}

type Files = Arc<HashMap<String, Arc<[u8]>>>;

pub fn serve(opts: &Options) -> Result<()> {
    let ip: IpAddr = opts.bind.parse().with_context(|| format!("`{}` is not an IP address\n  hint: use 127.0.0.1 (this computer only) or 0.0.0.0 (every network)", opts.bind))?;
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
                opts.port.wrapping_add(1).max(1024)
            ),
            _ => anyhow!("cannot listen on {addr}: {e}"),
        })?;
        let port = listener.local_addr()?.port();
        if !ip.is_loopback() {
            eprintln!("warning: serving on {ip}: other computers on the network can read this preview, drafts included");
        }
        let host = if ip.is_unspecified() { "127.0.0.1".to_string() } else { ip.to_string() };
        let url = format!("http://{}:{port}/", if host.contains(':') { format!("[{host}]") } else { host });
        let bopts = build::Options { root: opts.root.clone(), base_url: Some(url.clone()), drafts: opts.drafts, progress: !opts.quiet };
        let files: Files = match build::build(&bopts, Target::Memory) {
            Ok(built) => {
                built.diags.eprint();
                if !opts.quiet {
                    eprintln!("Built {} pages in {:.2} s", built.pages, built.elapsed.as_secs_f64());
                }
                Arc::new(built.memory.unwrap_or_default())
            }
            Err(failed) => {
                failed.diags.eprint();
                eprintln!("The build failed; the preview shows the errors until you fix them and restart.");
                let page = error_page(&failed.diags.to_plain_string());
                Arc::new(HashMap::from([("404.html".to_string(), Arc::from(page.into_bytes()))]))
            }
        };
        eprintln!("Serving {url} (press Ctrl-C to stop)");
        if opts.open {
            open_browser(&url);
        }
        let app = Router::new().fallback(handle).with_state(files);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
                eprintln!("\nStopped.");
            })
            .await?;
        Ok(())
    })
}

fn error_page(text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><main><h1>The build failed</h1><pre>{}</pre></main></body></html>",
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

/// Decodes `%XX` escapes; `None` for malformed escapes or text that is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

async fn handle(State(files): State<Files>, uri: Uri) -> Response {
    let respond = |status: StatusCode, path: &str, body: Arc<[u8]>| {
        let mut r = Response::new(Body::from(body.to_vec()));
        *r.status_mut() = status;
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(path)),
        );
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    };
    let Some(path) = site_path(uri.path()) else {
        let mut r = Response::new(Body::from("Bad request: that path leaves the site.\n"));
        *r.status_mut() = StatusCode::BAD_REQUEST;
        return r;
    };
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if let Some(body) = files.get(&file) {
        return respond(StatusCode::OK, &file, body.clone());
    }
    if files.contains_key(&format!("{path}/index.html")) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
        if let Ok(v) = HeaderValue::from_str(&format!("{}/", uri.path())) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    match files.get("404.html") {
        Some(body) => respond(StatusCode::NOT_FOUND, "404.html", body.clone()),
        None => respond(
            StatusCode::NOT_FOUND,
            "x.txt",
            Arc::from(&b"Not found\n"[..]),
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
            "/%zz",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }
}
