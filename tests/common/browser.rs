//! Headless Chromium against a built site: a loopback static file server
//! that answers byte ranges (as static hosts do) and records the bytes it
//! sends, `dump_dom` to load a page, let its scripts run and return the
//! resulting DOM, and a minimal WebDriver client
//! (chromedriver over plain HTTP/1.1) for typing, keys and real-time timings.
//! Shared by the browser tests and the search benchmark (`examples/search_bench.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

/// A static file server on 127.0.0.1 serving `root` under the URL `prefix`.
///
/// Each connection gets its own thread and carries one request
/// (`Connection: close`). tiny_http's connection pool can lose the wakeup
/// for a new connection while others are kept alive, leaving Chromium
/// waiting on a request the server never reads (seen as a stalled
/// `--dump-dom`); the dev server avoids that through its guard, this test
/// server by not pooling at all.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    log: Arc<Mutex<Vec<(String, usize)>>>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    worker: Option<thread::JoinHandle<()>>,
}

impl Server {
    /// Serve `root` at `prefix` (`/` or `/rules/`) on a free loopback port.
    pub fn start(root: &Path, prefix: &str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, prefix) = (Arc::new(root.to_path_buf()), Arc::new(prefix.to_owned()));
        let (l, s) = (Arc::clone(&log), Arc::clone(&stop));
        let worker = thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, prefix, log) = (root.clone(), prefix.clone(), l.clone());
                thread::spawn(move || serve(stream, &root, &prefix, &log));
            }
        });
        Server {
            origin: format!("http://{addr}"),
            log,
            addr,
            stop,
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
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(self.addr);
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// The request line's target and the `Range` header of one request head.
fn read_request(stream: &TcpStream) -> Option<(String, Option<String>)> {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let target = line.split_whitespace().nth(1)?.to_owned();
    let mut range = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_owned());
        }
    }
    Some((target, range))
}

fn serve(mut stream: TcpStream, root: &Path, prefix: &str, log: &Mutex<Vec<(String, usize)>>) {
    let Some((target, range)) = read_request(&stream) else {
        return;
    };
    let url = target.split(['?', '#']).next().unwrap_or("/").to_owned();
    let path = percent_encoding::percent_decode_str(&url)
        .decode_utf8_lossy()
        .into_owned();
    let file = path
        .strip_prefix(prefix)
        // Only plain names below root: `..` or a second leading slash
        // (`//etc/passwd`, which `join` would take as absolute) are refused.
        .filter(|rest| {
            Path::new(rest)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .map(|rest| {
            let p = root.join(rest);
            if rest.is_empty() || rest.ends_with('/') {
                p.join("index.html")
            } else {
                p
            }
        });
    let Some(body) = file.as_ref().and_then(|f| std::fs::read(f).ok()) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let mime = match Path::new(&path).extension().and_then(|e| e.to_str()) {
        Some("html") | None => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let total = body.len();
    let span = range.map(|r| gazette::serve::byte_range(&r, total as u64));
    let (status, extra, part) = match span {
        Some(gazette::serve::Span::Part(from, to)) => (
            "206 Partial Content",
            format!("Content-Range: bytes {from}-{to}/{total}\r\n"),
            &body[from as usize..=to as usize],
        ),
        _ => ("200 OK", String::new(), &body[..]),
    };
    log.lock().unwrap().push((path.clone(), part.len()));
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        part.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(part);
}

/// Say that a test skips, and why; with `GAZETTE_NO_SKIP` set (`.ci/run`
/// sets it: in CI nothing may skip) fail instead. Here, not in `common`,
/// because examples include this file alone.
pub fn skip(reason: &str) {
    if std::env::var_os("GAZETTE_NO_SKIP").is_some() {
        panic!("a test would skip, and GAZETTE_NO_SKIP is set: {reason}");
    }
    eprintln!("skipping: {reason}");
}

/// The Chromium binary, or `None` with a printed reason.
pub fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        skip("chromium not installed (apt-get install chromium)");
    }
    found
}

/// Load `url` in headless Chromium, let scripts run, return the DOM as HTML.
pub fn dump_dom(chromium: &Path, url: &str) -> String {
    // Headless Chromium occasionally stalls under load: give each attempt a
    // deadline and try again rather than hang the test run.
    for attempt in 1..=3 {
        if let Some(dom) = dump_dom_once(chromium, url, std::time::Duration::from_secs(60)) {
            return dom;
        }
        eprintln!("chromium --dump-dom timed out (attempt {attempt}), retrying: {url}");
    }
    panic!("chromium --dump-dom never finished for {url}");
}

fn dump_dom_once(chromium: &Path, url: &str, deadline: std::time::Duration) -> Option<String> {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=30000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
        out
    });
    let started = std::time::Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned())
}

/// Percent-encode a query parameter value.
pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A chromedriver process on a free loopback port; killed when dropped.
pub struct Driver {
    port: u16,
    child: Child,
}

impl Driver {
    /// Start chromedriver, or `None` with a printed reason.
    pub fn start() -> Option<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| skip(&format!("chromedriver not available ({e})")))
            .ok()?;
        let driver = Driver { port, child };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(driver);
            }
            thread::sleep(Duration::from_millis(50));
        }
        skip("chromedriver did not start");
        None
    }

    /// A fresh headless Chromium session with its own profile.
    pub fn session(&self) -> Session<'_> {
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--no-first-run", format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let created = self.call("POST", "/session", &caps);
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_owned();
        Session {
            driver: self,
            id,
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = body.to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("chromedriver");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write to chromedriver");
        // Read the head, then exactly Content-Length bytes: chromedriver
        // may keep the connection open.
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_lowercase();
        let length = head
            .split("content-length:")
            .nth(1)
            .and_then(|v| v.split("\r\n").next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        s.read_exact(&mut body).expect("chromedriver response");
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session; closed when dropped.
pub struct Session<'d> {
    driver: &'d Driver,
    id: String,
    _profile: tempfile::TempDir,
}

impl Session<'_> {
    /// Navigate to `url`.
    pub fn goto(&self, url: &str) {
        self.call("url", &json!({ "url": url }));
    }

    /// Run `js` (a function body; `return` gives the result).
    pub fn script(&self, js: &str) -> Value {
        self.call("execute/sync", &json!({ "script": js, "args": [] }))["value"].clone()
    }

    /// Wait until the search page has settled (results shown or failed).
    pub fn wait_for_search(&self) {
        let js = "const done = arguments[0]; const poll = () => { const a = document.getElementById('search-app'); \
            if (a && a.dataset.state) done(a.dataset.state); else setTimeout(poll, 20); }; poll();";
        self.call("execute/async", &json!({ "script": js, "args": [] }));
    }

    /// Send keystrokes to the focused element (`\u{E015}` is ArrowDown).
    pub fn keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            "actions",
            &json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    /// Resize the browser window (CSS pixels).
    pub fn window(&self, width: u32, height: u32) {
        self.call("window/rect", &json!({ "width": width, "height": height }));
    }

    /// Run a Chrome DevTools Protocol command, e.g. `Emulation.setEmulatedMedia`.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call("goog/cdp/execute", &json!({ "cmd": cmd, "params": params }))
    }

    fn call(&self, what: &str, body: &Value) -> Value {
        let path = format!("/session/{}/{what}", self.id);
        self.driver.call("POST", &path, body)
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.driver
            .call("DELETE", &format!("/session/{}", self.id), &json!({}));
    }
}
