//! Live reload in a real browser: headless Chromium, driven through
//! chromedriver's WebDriver HTTP API with a few lines of plain-TCP HTTP (no
//! WebDriver crate needed for five commands), watches `gazette serve` pages
//! change as the test edits the site. Skipped, with the reason printed, when
//! Chromium or chromedriver is not installed.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Fixture;
use common::server::{PATIENCE, Server, save};
use serde_json::{Value, json};

const CONDUCT: &str = "---\ntitle: 工作作风十项规定\nnumber: 测发〔2013〕5号\nissuer: 测试市委\npublished: 2013-03-01\n---\n# 工作作风十项规定\n\n第一条 改进调查研究。\n\n第二条 精简会议活动。\n\n第三条 规范公务接待。\n";

/// A chromedriver process with one headless Chromium session.
struct Browser {
    driver: Child,
    addr: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            addr: format!("127.0.0.1:{port}"),
            session: String::new(),
            _profile: profile,
        };
        wait_for("chromedriver to start", || {
            TcpStream::connect(&browser.addr).is_ok()
                && browser.call("GET", "/status", None)["value"]["ready"] == true
        });
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--no-first-run".into(),
            format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "goog:chromeOptions": { "binary": chromium, "args": args }
        }}});
        let reply = browser.call("POST", "/session", Some(caps));
        browser.session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        browser
    }

    /// One WebDriver command; returns the JSON reply.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        // chromedriver keeps connections open: read exactly Content-Length bytes.
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut json = vec![0; length];
        reader.read_exact(&mut json).unwrap();
        serde_json::from_slice(&json).unwrap_or(Value::Null)
    }

    fn session_call(&self, method: &str, rest: &str, body: Value) -> Value {
        let path = format!("/session/{}{rest}", self.session);
        let mut reply = self.call(method, &path, Some(body));
        reply["value"].take()
    }

    fn open(&self, url: &str) {
        self.session_call("POST", "/url", json!({ "url": url }));
    }

    /// Run `script` (a function body) in the page and return its result.
    fn eval(&self, script: &str) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Wait until `script` returns `true`.
    #[track_caller]
    fn wait_until(&self, what: &str, script: &str) {
        wait_for(what, || self.eval(script) == true);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // Quits Chromium; then chromedriver itself is stopped.
            let path = format!("/session/{}", self.session);
            self.call("DELETE", &path, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[track_caller]
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Chromium and chromedriver, or `None` with the reason printed.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    };
    match (
        find(&["chromium", "chromium-browser", "google-chrome"]),
        find(&["chromedriver"]),
    ) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            common::skip("chromium and chromedriver are needed for the browser test");
            None
        }
    }
}

#[test]
fn browser_reloads_on_edit_shows_overlay_and_swaps_css() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), "2026-11-27");
    let browser = Browser::start(&chromium, &chromedriver);
    browser.open(&format!("http://{}/docs/rules/conduct/", server.addr));
    browser.wait_until(
        "the page",
        "return document.body.innerText.includes('改进调查研究')",
    );
    browser.eval("window.__marker = 1; return true");
    let doc = f.root().join("content/rules/conduct.md");

    save(&doc, &CONDUCT.replace("改进调查研究", "深入调查研究"));
    browser.wait_until(
        "the edit to appear by itself",
        "return document.body.innerText.includes('深入调查研究')",
    );
    assert_eq!(
        browser.eval("return window.__marker === undefined"),
        true,
        "the page was reloaded"
    );

    save(&doc, &CONDUCT.replace("2013-03-01", "2013-02-30"));
    browser.wait_until(
        "the error overlay",
        "const o = document.getElementById('__gazette_overlay'); \
         return !!o && o.innerText.includes('content/rules/conduct.md:5');",
    );
    assert_eq!(
        browser.eval("return document.body.innerText.includes('深入调查研究')"),
        true,
        "the last good page stays"
    );
    assert_eq!(
        browser.eval(
            "const o = document.getElementById('__gazette_overlay'); \
             return o.lang === 'en' && o.innerText.includes('1 error; showing the last good build');"
        ),
        true,
        "one language in the overlay"
    );
    browser.eval(
        "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' })); return true",
    );
    browser.wait_until(
        "Escape to dismiss the overlay",
        "return !document.getElementById('__gazette_overlay')",
    );

    save(&doc, &CONDUCT.replace("改进调查研究", "修好了"));
    browser.wait_until(
        "the fix to replace the overlay",
        "return document.body.innerText.includes('修好了') && !document.getElementById('__gazette_overlay')",
    );

    browser.eval("window.__marker = 2; return true");
    f.write(
        "static/style.css",
        "body { background-color: rgb(1, 2, 3); }\n",
    );
    browser.wait_until(
        "the new stylesheet",
        "return getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
    );
    assert_eq!(
        browser.eval("return window.__marker"),
        2,
        "CSS swapped without a reload"
    );
}
