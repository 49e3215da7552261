//! HTTP side of the dev server: maps request paths to stored pages
//! (percent-decoded, `index.html` for folders, the site's `404.html` with
//! status 404), refuses anything that could name a file outside the site,
//! sets content types and no-store caching, and injects the live-reload
//! script into HTML, answers single byte ranges (search snippets fetch one
//! article of a page). `GET` and `HEAD` only.
//!
//! Reads the store; never touches the file system.

use std::io::Cursor;
use std::sync::{Arc, RwLock};

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::reload::{self, EVENTS_PATH, Hub};
use super::store::Store;
use crate::routes;

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused(&'static str);

/// The site-relative path a request URL names (no leading `/`, decoded),
/// or why it cannot name anything inside the site.
pub(crate) fn site_path(url: &str) -> Result<String, Refused> {
    let raw = url.split(['?', '#']).next().unwrap_or_default();
    let Some(raw) = raw.strip_prefix('/') else {
        return Err(Refused("not an absolute path"));
    };
    let lower = raw.to_ascii_lowercase();
    if raw.contains('\\') || ["%2f", "%5c", "%00"].iter().any(|e| lower.contains(e)) {
        return Err(Refused("encoded separators are not allowed"));
    }
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refused("path is not UTF-8"))?;
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if (segment.is_empty() && i != last) || *segment == "." || *segment == ".." {
            return Err(Refused("path leaves the site"));
        }
        if segment.chars().any(char::is_control) {
            return Err(Refused("control characters are not allowed"));
        }
    }
    Ok(decoded.into_owned())
}

/// What a `Range` header value asks of a body.
#[derive(Debug, PartialEq, Eq)]
pub enum Span {
    /// The whole body: no range, another unit, or a malformed one (ignored).
    Whole,
    /// First and last byte: one range, or several coalesced into one.
    Part(u64, u64),
    /// No range lies within the body (answered with 416).
    Unsatisfiable,
}

/// The span a `Range` header value asks for in a body of `len` bytes:
/// `bytes=a-b`, `bytes=a-`, `bytes=-n`, or several of these, which are
/// coalesced into the one span covering them (as static hosts may).
pub fn byte_range(value: &str, len: u64) -> Span {
    let Some(specs) = value.trim().strip_prefix("bytes=") else {
        return Span::Whole;
    };
    let mut spans = Vec::new();
    for spec in specs.split(',') {
        match one_range(spec, len) {
            Some(Some(span)) => spans.push(span),
            Some(None) => {}
            None => return Span::Whole,
        }
    }
    let from = spans.iter().map(|s| s.0).min();
    let to = spans.iter().map(|s| s.1).max();
    match from.zip(to) {
        Some((from, to)) => Span::Part(from, to),
        None => Span::Unsatisfiable,
    }
}

/// One `a-b` spec: `None` if malformed, `Some(None)` if outside the body.
fn one_range(spec: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let (from, to) = spec.split_once('-')?;
    let parse = |s: &str| s.trim().parse::<u64>().ok();
    let last = len.checked_sub(1);
    Some(match (parse(from), parse(to)) {
        (Some(from), Some(to)) if from <= to => {
            last.filter(|l| from <= *l).map(|l| (from, to.min(l)))
        }
        (Some(from), None) if to.trim().is_empty() => {
            last.filter(|l| from <= *l).map(|l| (from, l))
        }
        (None, Some(n)) if from.trim().is_empty() && n > 0 => {
            last.map(|l| (len.saturating_sub(n), l))
        }
        (None, Some(0)) if from.trim().is_empty() => None,
        _ => return None,
    })
}

/// `Content-Type` by file extension; text is always UTF-8.
fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// State every request handler shares.
pub(crate) struct Shared {
    /// The served site.
    pub(crate) store: Arc<RwLock<Store>>,
    /// Live-reload subscribers.
    pub(crate) hub: Arc<Hub>,
    /// What `guard` marks every request it lets through with.
    pub(crate) secret: String,
}

/// Answer one request (an event stream keeps its thread until the tab closes).
pub(crate) fn handle(request: Request, shared: &Shared) {
    let guarded = request
        .headers()
        .iter()
        .any(|h| h.field.equiv(super::guard::GUARD_HEADER) && h.value == shared.secret.as_str());
    if !guarded {
        let _ = request.respond(text(403, "refused: not through the server's front door\n"));
        return;
    }
    let response = match (request.method(), site_path(request.url())) {
        (Method::Get, Ok(path)) if path == EVENTS_PATH => {
            let generation = read(&shared.store).generation();
            shared.hub.stream(request.into_writer(), generation);
            return;
        }
        (Method::Get | Method::Head, Ok(path)) => {
            let range = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Range"))
                .map(|h| h.value.as_str());
            page(&path, range, &read(&shared.store))
        }
        (Method::Get | Method::Head, Err(Refused(why))) => text(403, &format!("refused: {why}\n")),
        _ => text(405, "only GET and HEAD are supported\n"),
    };
    // The client may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

fn read(store: &RwLock<Store>) -> std::sync::RwLockReadGuard<'_, Store> {
    store.read().unwrap_or_else(|e| e.into_inner())
}

type Reply = Response<Cursor<Vec<u8>>>;

/// The page at `path` (the part a `Range` header value asks for, if one
/// satisfiable span), a redirect to its folder form, or the site's 404 page.
fn page(path: &str, range: Option<&str>, store: &Store) -> Reply {
    let key = routes::page_file(path);
    if let Some(bytes) = store.get(&key) {
        let reply = body(200, &key, &bytes, store);
        return match range {
            Some(range) => ranged(reply, range),
            None => reply,
        };
    }
    let folder = format!("{path}/");
    if store.get(&routes::page_file(&folder)).is_some() {
        let location = format!("/{}", routes::encode_path(&folder));
        return text(301, "moved\n").with_header(header("Location", &location));
    }
    match store.get(routes::NOT_FOUND) {
        Some(bytes) => body(404, routes::NOT_FOUND, &bytes, store),
        None => body(
            404,
            routes::NOT_FOUND,
            b"<!DOCTYPE html><title>404</title><body><h1>404</h1></body>",
            store,
        ),
    }
}

fn body(status: u16, key: &str, bytes: &[u8], store: &Store) -> Reply {
    let kind = content_type(key);
    let bytes = if kind.starts_with("text/html") {
        inject(bytes, &reload::script(store))
    } else {
        bytes.to_vec()
    };
    Response::from_data(bytes)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Accept-Ranges", "bytes"))
}

/// `reply` cut to the span `range` asks for (status 206), whole if it asks
/// for none, or 416 if nothing it asks for lies within the body.
fn ranged(reply: Reply, range: &str) -> Reply {
    let len = reply.data_length().unwrap_or(0);
    let (from, to) = match byte_range(range, len as u64) {
        Span::Whole => return reply,
        Span::Part(from, to) => (from, to),
        Span::Unsatisfiable => {
            return text(416, "range not satisfiable\n")
                .with_header(header("Content-Range", &format!("bytes */{len}")));
        }
    };
    let total = format!("bytes {from}-{to}/{len}");
    let headers = reply.headers().to_vec();
    let mut bytes = reply.into_reader().into_inner();
    bytes.truncate(to as usize + 1);
    bytes.drain(..from as usize);
    let mut out = Response::from_data(bytes)
        .with_status_code(StatusCode(206))
        .with_header(header("Content-Range", &total));
    for h in headers {
        out.add_header(h);
    }
    out
}

/// `html` with `script` before its last `</body>` (or at the end).
fn inject(html: &[u8], script: &str) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn text(status: u16, message: &str) -> Reply {
    Response::from_string(message)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values are ASCII constants or percent-encoded paths")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_cover_one_satisfiable_span() {
        assert_eq!(byte_range("bytes=2-5", 10), Span::Part(2, 5));
        assert_eq!(byte_range("bytes=2-50", 10), Span::Part(2, 9));
        assert_eq!(byte_range("bytes=7-", 10), Span::Part(7, 9));
        assert_eq!(byte_range("bytes=-3", 10), Span::Part(7, 9));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), Span::Part(0, 5));
        assert_eq!(byte_range("bytes=4-5, 20-30", 10), Span::Part(4, 5));
        for ignored in ["bytes=5-2", "items=0-1", "bytes=x-", "bytes=0-1,x"] {
            assert_eq!(byte_range(ignored, 10), Span::Whole, "{ignored}");
        }
        for unsatisfiable in ["bytes=10-12", "bytes=-0", "bytes=20-,30-40"] {
            assert_eq!(
                byte_range(unsatisfiable, 10),
                Span::Unsatisfiable,
                "{unsatisfiable}"
            );
        }
        assert_eq!(byte_range("bytes=0-", 0), Span::Unsatisfiable);
    }

    #[test]
    fn unicode_paths_are_decoded() {
        assert_eq!(
            site_path("/docs/%E8%A1%8C%E6%94%BF%E6%B3%95/a(2019-03-02)/?x=1").unwrap(),
            "docs/行政法/a(2019-03-02)/"
        );
        assert_eq!(site_path("/").unwrap(), "");
    }

    #[test]
    fn the_url_routes_give_a_page_leads_back_to_its_file() {
        use crate::model::DocId;
        for id in ["a", "行政法规/条例(2019-03-02)", "a b/c[d]^`{e}"] {
            let id = DocId::new(id).unwrap();
            let date = "2020-01-02".parse().unwrap();
            let pages = [
                (routes::doc_url(&id), routes::doc_page_file(&id)),
                (
                    routes::encode_path(&routes::version_dir(&id, date)),
                    routes::page_file(&routes::version_dir(&id, date)),
                ),
            ];
            for (url, file) in pages {
                let path = site_path(&format!("/{url}")).unwrap();
                assert_eq!(routes::page_file(&path), file, "{url}");
            }
        }
        let home = site_path(&format!("/{}", routes::HOME)).unwrap();
        assert_eq!(routes::page_file(&home), "index.html");
        assert_eq!(routes::page_file("static/style.css"), "static/style.css");
    }

    #[test]
    fn traversal_is_refused() {
        for url in [
            "/../etc/passwd",
            "/docs/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2fetc",
            "/docs%2f..%2fsecret",
            "/..%5csecret",
            "/a\\..\\b",
            "//etc/passwd",
            "/./index.html",
            "etc/passwd",
            "http://evil/x",
            "/%00",
            "/%ff",
        ] {
            assert!(site_path(url).is_err(), "{url} was not refused");
        }
    }

    #[test]
    fn types_are_utf8_for_text() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("catalogue.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("x.png"), "image/png");
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, "<script></script>")).unwrap();
        assert_eq!(out, "<html><body><p>x</p><script></script></BODY></html>");
    }
}
