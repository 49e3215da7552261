//! Headless Chromium against a built site: a loopback static file server
//! that records the bytes it sends, and `dump_dom` to load a page, let its
//! scripts run and return the resulting DOM. Shared by the browser tests and
//! the search benchmark (`examples/search_bench.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;

/// A static file server on 127.0.0.1 serving `root` under the URL `prefix`.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    log: Arc<Mutex<Vec<(String, usize)>>>,
    server: Arc<tiny_http::Server>,
    worker: Option<thread::JoinHandle<()>>,
}

impl Server {
    /// Serve `root` at `prefix` (`/` or `/rules/`) on a free loopback port.
    pub fn start(root: &Path, prefix: &str) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind loopback"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (root, prefix) = (root.to_path_buf(), prefix.to_owned());
        let (s, l) = (Arc::clone(&server), Arc::clone(&log));
        let worker = thread::spawn(move || {
            for request in s.incoming_requests() {
                respond(request, &root, &prefix, &l);
            }
        });
        Server {
            origin: format!("http://127.0.0.1:{port}"),
            log,
            server,
            worker: Some(worker),
        }
    }

    /// Requests served since the last call: (path, bytes of body).
    pub fn take_log(&self) -> Vec<(String, usize)> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

fn respond(
    request: tiny_http::Request,
    root: &Path,
    prefix: &str,
    log: &Mutex<Vec<(String, usize)>>,
) {
    let url = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_owned();
    let path = percent_encoding::percent_decode_str(&url)
        .decode_utf8_lossy()
        .into_owned();
    let file = path
        .strip_prefix(prefix)
        .filter(|rest| !rest.split('/').any(|seg| seg == ".."))
        .map(|rest| {
            let p = root.join(rest);
            if rest.is_empty() || rest.ends_with('/') {
                p.join("index.html")
            } else {
                p
            }
        });
    let body = file.as_ref().and_then(|f| std::fs::read(f).ok());
    let Some(body) = body else {
        let _ = request.respond(tiny_http::Response::empty(404));
        return;
    };
    let mime = match Path::new(&path).extension().and_then(|e| e.to_str()) {
        Some("html") | None => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    log.lock().unwrap().push((path, body.len()));
    let header = tiny_http::Header::from_bytes("Content-Type", mime).expect("valid header");
    let _ = request.respond(tiny_http::Response::from_data(body).with_header(header));
}

/// The Chromium binary, or `None` with a printed reason.
pub fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        eprintln!("skipping: chromium not installed (apt-get install chromium)");
    }
    found
}

/// Load `url` in headless Chromium, let scripts run, return the DOM as HTML.
pub fn dump_dom(chromium: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--virtual-time-budget=30000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Percent-encode a query parameter value.
pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}
