//! Drives a real `gazette serve` process for the dev-server tests: starts it
//! on an ephemeral port, talks plain HTTP/1.1 and server-sent events over
//! `TcpStream`, and kills the process when dropped (no orphans, even when a
//! test panics).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any wait in these tests may take before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running `gazette serve`.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// What the server printed on stderr so far.
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Start serving the site at `root` on any free port, statuses as of `as_of`.
    #[track_caller]
    pub fn start(root: &Path, as_of: &str) -> Server {
        Server::start_with(root, &["--port", "0", "--as-of", as_of])
    }

    /// Start `gazette serve --root ROOT ARGS…`.
    #[track_caller]
    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
            .args(["serve", "--root"])
            .arg(root)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gazette runs");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        // Owned before anything can panic, so the process is always killed.
        let mut server = Server {
            child,
            addr: String::new(),
            log,
        };
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        server.addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_owned();
        server
    }

    /// Send a raw request line for `target` with `method`; returns the response.
    pub fn request(&self, method: &str, target: &str) -> Reply {
        self.request_with(method, target, "")
    }

    /// Like [`Server::request`], with `headers` (`Name: value\r\n` lines).
    pub fn request_with(&self, method: &str, target: &str, headers: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {}\r\n{headers}Connection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Reply::parse(&raw)
    }

    /// Wait until the server's stderr contains `needle`; returns all of it.
    #[track_caller]
    pub fn wait_for_log(&self, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let log = self.log.lock().unwrap().clone();
            if log.contains(needle) {
                return log;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{needle:?} never logged:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `GET target`.
    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target)
    }

    /// Subscribe to live-reload events.
    pub fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "GET /__gazette/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        events.next_named("hello");
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP response.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy).
    pub body: String,
    /// The body as sent.
    pub bytes: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n");
        let (head, bytes) = match end {
            Some(at) => (&raw[..at], raw[at + 4..].to_vec()),
            None => (raw, Vec::new()),
        };
        let head = String::from_utf8_lossy(head);
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// Value of header `name` (case-insensitive), or "".
    pub fn header(&self, name: &str) -> &str {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// An open event stream.
pub struct Events {
    reader: BufReader<TcpStream>,
}

/// One server-sent event.
#[derive(Debug)]
pub struct Event {
    pub name: String,
    pub data: serde_json::Value,
}

impl Events {
    /// The next event, whatever its name.
    #[track_caller]
    pub fn next(&mut self) -> Event {
        let deadline = Instant::now() + PATIENCE;
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no event within {PATIENCE:?}");
            self.reader.get_ref().set_read_timeout(Some(left)).unwrap();
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("event stream open");
            assert!(n > 0, "event stream closed");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_owned();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_owned();
            } else if line.is_empty() && !name.is_empty() {
                let data = serde_json::from_str(&data).unwrap();
                return Event { name, data };
            }
        }
    }

    /// The next reload of a page other than the review page: the server
    /// renders that page after announcing the others, and announces it
    /// apart (when the queue changed), reloading only a tab showing it.
    #[track_caller]
    pub fn next_page_reload(&mut self) -> Event {
        loop {
            let reload = self.next_named("reload");
            let pages = reload.data["pages"].as_array().cloned().unwrap_or_default();
            if pages.iter().any(|p| p != "review/index.html") {
                return reload;
            }
        }
    }

    /// Skip events until one named `name`.
    #[track_caller]
    pub fn next_named(&mut self, name: &str) -> Event {
        loop {
            let event = self.next();
            if event.name == name {
                return event;
            }
        }
    }
}

/// Write `text` to `path` the way editors save: a temporary file renamed over it.
pub fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}
