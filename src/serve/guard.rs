//! The dev server's front door. It accepts every connection, reads the
//! request head within fixed limits (size, header count, time; 431 or 408
//! beyond them), drops clients that stop reading the answer, refuses a
//! `Host` that is not loopback while the server is bound to loopback (DNS
//! rebinding), and passes one request per connection to the HTTP handler
//! behind it, marked with a secret the handler checks.
//!
//! Knows nothing of pages: `http` answers the requests it lets through.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) accepted, in bytes.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most header lines accepted in one request.
pub(crate) const MAX_HEADERS: usize = 100;
/// Longest time a client may take to send its request head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a client may leave one write of the answer unread.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Most connections served at once (event streams included).
const MAX_CONNECTIONS: usize = 256;
/// Header the guard adds; the handler refuses requests without it.
pub(crate) const GUARD_HEADER: &str = "X-Gazette-Guard";

/// A random secret for this process, proving a request came through the guard.
pub(crate) fn secret() -> String {
    format!("{:016x}", RandomState::new().hash_one(std::process::id()))
}

/// Accept connections on `public` and pass each acceptable request to the
/// handler listening on `inner`, for as long as the listener works.
pub(crate) fn run(public: TcpListener, inner: SocketAddr, secret: String) {
    let loopback_only = public.local_addr().is_ok_and(|a| a.ip().is_loopback());
    let open = Arc::new(AtomicUsize::new(0));
    let secret = Arc::new(secret);
    for client in public.incoming().flatten() {
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let (open, secret) = (open.clone(), secret.clone());
        std::thread::spawn(move || {
            pass(client, inner, &secret, loopback_only);
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Check one request and relay it, and the handler's answer, whole.
fn pass(mut client: TcpStream, inner: SocketAddr, secret: &str, loopback_only: bool) {
    let head = match read_head(&mut client) {
        Ok(head) => head,
        Err(status) => return refuse(client, status),
    };
    if loopback_only && !host_is_loopback(&head) {
        return refuse(client, 421);
    }
    let Ok(mut upstream) = TcpStream::connect(inner) else {
        return refuse(client, 503);
    };
    // A client that stops reading frees its connection after WRITE_TIMEOUT.
    let timed = client.set_write_timeout(Some(WRITE_TIMEOUT)).is_ok();
    if timed
        && upstream
            .write_all(relayed(&head, secret).as_bytes())
            .is_ok()
    {
        let _ = std::io::copy(&mut upstream, &mut client);
    }
}

/// The request head up to its blank line, or the status refusing it:
/// 431 when too large or with too many headers, 408 when too slow, 400
/// when not text.
fn read_head(client: &mut TcpStream) -> Result<String, u16> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while find_end(&head).is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || client.set_read_timeout(Some(left)).is_err() {
            return Err(408);
        }
        match client.read(&mut chunk) {
            Ok(0) => return Err(400),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(408),
        }
        if head.len() > MAX_HEAD_BYTES && find_end(&head).is_none_or(|end| end > MAX_HEAD_BYTES) {
            return Err(431);
        }
    }
    head.truncate(find_end(&head).unwrap_or(head.len()));
    let head = String::from_utf8(head).map_err(|_| 400u16)?;
    if head.lines().count() > MAX_HEADERS + 1 {
        return Err(431);
    }
    Ok(head)
}

/// Length of the head including its terminating blank line, once complete.
fn find_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// True if the `Host` header, if any, names a loopback address or `localhost`.
fn host_is_loopback(head: &str) -> bool {
    let Some(host) = head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then(|| value.trim())
    }) else {
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `head` as passed on: one request per connection, marked with `secret`.
fn relayed(head: &str, secret: &str) -> String {
    let mut lines = head.lines().filter(|l| !l.is_empty());
    let mut out = String::with_capacity(head.len() + 64);
    out.push_str(lines.next().unwrap_or_default());
    out.push_str("\r\n");
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().trim();
        let dropped = ["connection", &GUARD_HEADER.to_ascii_lowercase()];
        if !dropped.contains(&name.to_ascii_lowercase().as_str()) {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!(
        "Connection: close\r\n{GUARD_HEADER}: {secret}\r\n\r\n"
    ));
    out
}

/// Most bytes of a refused request read and dropped before closing, so the
/// client sees the answer rather than a reset.
const DRAIN_BYTES: u64 = 1 << 20;

/// Answer `status` with a one-line reason and close.
fn refuse(mut client: TcpStream, status: u16) {
    let reason = match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        421 => "Misdirected Request: this server answers only to localhost",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let _ = write!(
        client,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reason}\n",
        reason.len() + 1
    );
    let _ = client.shutdown(std::net::Shutdown::Write);
    if client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .is_ok()
    {
        let _ = std::io::copy(&mut (&client).take(DRAIN_BYTES), &mut std::io::sink());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_pass() {
        for host in [
            "localhost:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
            "a.localhost",
            "127.0.0.2",
        ] {
            assert!(
                host_is_loopback(&format!("GET / HTTP/1.1\r\nHost: {host}")),
                "{host}"
            );
        }
        for host in [
            "evil.example:1111",
            "192.168.1.2",
            "[2001:db8::1]:80",
            "localhost.evil.com",
        ] {
            assert!(
                !host_is_loopback(&format!("GET / HTTP/1.1\r\nHost: {host}")),
                "{host}"
            );
        }
        assert!(host_is_loopback("GET / HTTP/1.0\r\n"));
    }

    #[test]
    fn relayed_head_closes_and_carries_the_secret() {
        let head = "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nX-Gazette-Guard: forged\r\n\r\n";
        assert_eq!(
            relayed(head, "s3"),
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Gazette-Guard: s3\r\n\r\n"
        );
    }
}
