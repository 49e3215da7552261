//! Live reload: the server-sent-events hub every open tab subscribes to at
//! `/__gazette/events`, the messages it broadcasts, and the script that
//! `http` injects into served HTML (never into `gazette build` output).
//!
//! The script reloads a tab when its own page (or a non-HTML, non-CSS file)
//! changed, swaps stylesheets in place when only CSS changed, and shows an
//! overlay with file, line and message while the latest build has errors.

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use serde::Serialize;

use super::store::{Changed, Store};
use crate::diagnostics::Diagnostic;

/// Path of the event stream.
pub(crate) const EVENTS_PATH: &str = "__gazette/events";

/// A comment line this often lets a closed tab's connection be noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// One diagnostic as the overlay shows it.
#[derive(Serialize)]
struct Problem<'a> {
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    code: String,
    message: &'a str,
    help: Option<&'a str>,
}

fn problems(errors: &[Diagnostic]) -> Vec<Problem<'_>> {
    errors
        .iter()
        .map(|d| Problem {
            path: d.path.to_string_lossy().into_owned(),
            line: d.line,
            column: d.column,
            code: d.code.as_str(),
            message: &d.message,
            help: d.help.as_deref(),
        })
        .collect()
}

/// The SSE frame announcing `changed`, or `None` when browsers need not know.
pub(crate) fn message(changed: &Changed, store: &Store) -> Option<String> {
    let generation = store.generation();
    if !store.errors().is_empty() {
        if !changed.errors {
            return None;
        }
        let data =
            serde_json::json!({ "generation": generation, "errors": problems(store.errors()) });
        return Some(frame("errors", &data));
    }
    let css_only = changed.pages.iter().all(|p| p.ends_with(".css"));
    let event = match (changed.pages.is_empty(), css_only) {
        (true, _) if changed.errors => "clear",
        (true, _) => return None,
        (false, true) => "css",
        (false, false) => "reload",
    };
    let data = serde_json::json!({ "generation": generation, "pages": changed.pages });
    Some(frame(event, &data))
}

fn frame(event: &str, data: &serde_json::Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// Every connected tab.
#[derive(Default)]
pub(crate) struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
}

impl Hub {
    /// Send `frame` to every tab; tabs that went away are dropped.
    pub(crate) fn broadcast(&self, frame: &str) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.send(frame.to_owned()).is_ok());
    }

    fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        rx
    }

    /// Stream events to one tab until it disconnects; `generation` lets a tab
    /// that missed an event while connecting reload itself.
    pub(crate) fn stream(&self, mut out: Box<dyn Write + Send>, generation: u64) {
        let rx = self.subscribe();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
        let hello = frame("hello", &serde_json::json!({ "generation": generation }));
        if write_flush(&mut out, &format!("{head}retry: 500\n\n{hello}")).is_err() {
            return;
        }
        loop {
            let text = match rx.recv_timeout(KEEPALIVE) {
                Ok(frame) => frame,
                Err(RecvTimeoutError::Timeout) => ": keepalive\n\n".to_owned(),
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if write_flush(&mut out, &text).is_err() {
                return;
            }
        }
    }
}

fn write_flush(out: &mut Box<dyn Write + Send>, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// The script injected before `</body>` of served pages, carrying the
/// store's generation and current errors.
pub(crate) fn script(store: &Store) -> String {
    let errors = serde_json::to_string(&problems(store.errors()))
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    format!(
        "<script id=\"__gazette_reload\">\nconst __gazette = {{ generation: {}, errors: {errors} }};\n{SCRIPT}</script>\n",
        store.generation(),
    )
}

const SCRIPT: &str = r#"(() => {
  const state = __gazette;
  const key = () => {
    const path = decodeURIComponent(location.pathname).replace(/^\//, "");
    return path === "" || path.endsWith("/") ? path + "index.html" : path;
  };
  // Diagnostics are English (as on the command line), so is their frame.
  // Dismissed, it stays away until the errors change.
  let dismissed = "";
  const overlay = (errors) => {
    document.getElementById("__gazette_overlay")?.remove();
    if (!errors.length || JSON.stringify(errors) === dismissed) return;
    const box = document.createElement("div");
    box.id = "__gazette_overlay";
    box.setAttribute("role", "alert");
    box.lang = "en";
    box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;background:#fff5f5;color:#3b0a0a;border:2px solid #c0392b;border-radius:6px;padding:1rem 1.25rem;font:14px/1.5 ui-monospace,monospace;box-shadow:0 4px 24px rgba(0,0,0,.25)";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.title = "Hide until the errors change (Esc)";
    close.style.cssText = "float:right;font:inherit;margin-left:1rem;cursor:pointer";
    const dismiss = () => { dismissed = JSON.stringify(errors); box.remove(); };
    close.addEventListener("click", dismiss);
    const title = document.createElement("strong");
    const n = errors.length;
    title.textContent = `gazette: ${n} error${n === 1 ? "" : "s"}; showing the last good build`;
    box.append(close, title);
    for (const e of errors) {
      const item = document.createElement("pre");
      item.className = "__gazette_error";
      item.style.cssText = "white-space:pre-wrap;margin:.75rem 0 0";
      const at = [e.path, e.line, e.column].filter((x) => x !== null && x !== "").join(":");
      item.textContent = `${at}\nerror[${e.code}]: ${e.message}` + (e.help ? `\nhelp: ${e.help}` : "");
      box.append(item);
    }
    document.body.append(box);
  };
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") document.getElementById("__gazette_overlay")?.querySelector("button")?.click();
  });
  const events = new EventSource("/__gazette/events");
  const on = (name, handle) => events.addEventListener(name, (e) => handle(JSON.parse(e.data)));
  on("hello", (d) => { if (d.generation !== state.generation) location.reload(); });
  on("reload", (d) => {
    state.generation = d.generation;
    overlay([]);
    if (d.pages.includes(key()) || d.pages.some((p) => !/\.(html|css)$/.test(p))) location.reload();
  });
  on("css", (d) => {
    state.generation = d.generation;
    overlay([]);
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("__gazette", d.generation);
      link.href = url.href;
    }
  });
  on("errors", (d) => { state.generation = d.generation; overlay(d.errors); });
  on("clear", (d) => { state.generation = d.generation; overlay([]); });
  overlay(state.errors);
})();
"#;
