//! `gazette serve`: builds the site into memory, serves it over HTTP on a
//! loopback address by default, watches the sources, rebuilds only what a
//! change affects, and live-reloads open tabs.
//!
//! Owns all dev-server state (the `Store` behind `Arc<RwLock<_>>`, the reload
//! hub, the rebuild engine); no globals. Only `main.rs` calls it. It reads
//! sources and never writes a file: neither `public/` nor the content.

mod guard;
mod http;
mod rebuild;
mod reload;
mod store;
mod watch;

pub use http::{Span, byte_range};

use std::fmt;
use std::io::{ErrorKind, IsTerminal, Write};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::search::snippets;
use rebuild::{Engine, Outcome};
use reload::Hub;
use store::Store;

/// How many ports above the requested one to try when it is taken.
const PORT_ATTEMPTS: u16 = 20;
/// Threads answering ordinary requests (event streams get their own).
const WORKERS: usize = 4;

/// Resolved options of `gazette serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site and status date; `base_url` and `output` are ignored.
    pub build: BuildOptions,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// `site.toml` or the theme is broken.
    Site(Diagnostics),
    /// The address, the site folder or the watcher failed.
    Io(String),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Site(d) => write!(f, "the site has {} problem(s)", d.len()),
            ServeError::Io(message) => f.write_str(message),
        }
    }
}

/// Build, serve and watch until the process is stopped (Ctrl-C).
pub fn serve(opts: ServeOptions) -> Result<(), ServeError> {
    let root = std::fs::canonicalize(&opts.build.root).map_err(|e| {
        ServeError::Io(format!(
            "cannot open site folder {}: {e}",
            opts.build.root.display()
        ))
    })?;
    let listener = bind(opts.bind, opts.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Io(e.to_string()))?;
    let url = format!("http://{}/", link_addr(addr));
    let started = Instant::now();
    let mut engine = Engine::new(BuildOptions {
        root: root.clone(),
        output: None,
        base_url: Some(url.clone()),
        ..opts.build
    })
    .map_err(ServeError::Site)?;
    engine.review_page = addr.ip().is_loopback() || engine.publishes_review();
    // Watch before the first build, so edits made meanwhile are not lost.
    let watcher = watch::SiteWatcher::new(&root, &engine.layout())
        .map_err(|e| ServeError::Io(format!("cannot watch {}: {e}", root.display())))?;
    let sink = Sink {
        root: root.clone(),
        store: Arc::new(RwLock::new(Store::default())),
        hub: Arc::new(Hub::default()),
        indexer: Indexer::default(),
    };
    sink.publish(engine.build(), started);
    if !addr.ip().is_loopback() {
        crate::say!(
            "warning: listening on {addr}, reachable from other machines; use --bind 127.0.0.1 to keep it local"
        );
    }
    let _ = writeln!(
        std::io::stdout(),
        "serving {} at {url}  (Ctrl-C to stop)",
        root.display()
    );
    let _ = std::io::stdout().flush();
    let (store, hub) = (sink.store.clone(), sink.hub.clone());
    spawn_rebuilds(engine, watcher, sink);
    if opts.open {
        open_browser(&url);
    }
    let secret = guard::secret();
    run_http(listener, http::Shared { store, hub, secret })
}

/// Rebuild on every burst of changes, for as long as the watcher runs.
fn spawn_rebuilds(mut engine: Engine, mut watcher: watch::SiteWatcher, sink: Sink) {
    std::thread::spawn(move || {
        loop {
            // Work done now is work no save waits for.
            engine.prepare();
            let Some(changes) = watcher.next_batch(&engine.layout()) else {
                return;
            };
            let started = Instant::now();
            sink.indexer.cancel();
            let outcome = engine.rebuild(&changes);
            watcher.follow(&engine.layout());
            sink.publish(outcome, started);
            if let Some(review) = engine.review() {
                sink.publish_review(review);
            }
        }
    });
}

/// How long the site must stay unchanged before the search index is rebuilt.
const INDEX_DELAY_MS: u64 = 300;

/// Rebuilds the search index in the background after each good build, so
/// indexing (about a second on a large site) never delays a reload. Only the
/// newest build's index is stored.
#[derive(Default, Clone)]
struct Indexer {
    latest: Arc<std::sync::atomic::AtomicU64>,
}

impl Indexer {
    /// Make the index being built stale: a rebuild has begun, which a
    /// reader waits for, and its catalogue will replace this one.
    fn cancel(&self) {
        self.latest
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn spawn(&self, catalogue: Arc<crate::catalogue::Catalogue>, store: Arc<RwLock<Store>>) {
        use std::sync::atomic::Ordering;
        let ticket = self.latest.fetch_add(1, Ordering::SeqCst) + 1;
        let latest = self.latest.clone();
        std::thread::spawn(move || {
            // Wait for a quiet moment, and index on one thread, so a burst of
            // saves keeps the other core for the rebuilds readers wait on.
            // Even giving up frees a whole catalogue: do that slowly too.
            lowest_priority();
            std::thread::sleep(std::time::Duration::from_millis(INDEX_DELAY_MS));
            if latest.load(Ordering::SeqCst) != ticket {
                return;
            }
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .start_handler(|_| lowest_priority());
            let Ok(pool) = pool.build() else {
                return;
            };
            // A newer build makes this index stale: give up at once.
            let stale = || latest.load(Ordering::SeqCst) != ticket;
            let files = pool.install(|| {
                let prepared = crate::search::prepare_unless(&catalogue, &stale)?;
                let pages = |path: &str| {
                    let store = store.read().unwrap_or_else(|e| e.into_inner());
                    store.get(path).map(|html| snippets::articles(&html))
                };
                Some(prepared.finish(&catalogue, &pages))
            });
            let files = match files {
                None => return,
                Some(Ok(files)) => files,
                Some(Err(e)) => return crate::say!("{e}; the search index keeps its last build"),
            };
            if latest.load(Ordering::SeqCst) == ticket {
                store
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .put_index(files);
            }
        });
    }
}

/// Listen on `ip:port`, or on the next free port if it is taken.
fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, ServeError> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS)
    };
    let mut candidate = port;
    loop {
        match TcpListener::bind(SocketAddr::new(ip, candidate)) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == ErrorKind::AddrInUse && candidate < last => {
                crate::say!(
                    "port {candidate} is in use, trying {} (choose one with --port)",
                    candidate + 1
                );
                candidate += 1;
            }
            Err(e) => {
                return Err(ServeError::Io(format!(
                    "cannot listen on {}: {e}; choose another address or port with --bind/--port",
                    SocketAddr::new(ip, candidate)
                )));
            }
        }
    }
}

/// The address links should use: a wildcard bind is reached through loopback.
fn link_addr(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        let ip: IpAddr = if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        };
        SocketAddr::new(ip, addr.port())
    } else {
        addr
    }
}

/// Where builds go: the store requests read, the tabs to reload, the
/// background indexer, and the site root (to quote source lines).
struct Sink {
    root: PathBuf,
    store: Arc<RwLock<Store>>,
    hub: Arc<Hub>,
    indexer: Indexer,
}

impl Sink {
    /// Serve the build, and report it: terminal first, then browsers.
    fn publish(&self, mut outcome: Outcome, started: Instant) {
        let catalogue = outcome.catalogue.take();
        let ms = started.elapsed().as_millis();
        let (failed, complete, documents) =
            (outcome.failed_build(), outcome.complete, outcome.documents);
        let diagnostics = outcome.diagnostics.clone();
        let changed = self.serve(outcome);
        if let Some(catalogue) = catalogue {
            self.indexer.spawn(catalogue, Arc::clone(&self.store));
        }
        if failed {
            let errors = self.print_errors(&diagnostics);
            crate::say!(
                "error: build failed with {errors} error(s) in {ms} ms; still serving the last good build"
            );
            return;
        }
        let warnings = diagnostics.warning_count();
        let note = match warnings {
            0 => String::new(),
            n => format!("; {n} warning(s), `gazette check` lists them"),
        };
        if complete {
            crate::say!("built {documents} document(s) in {ms} ms{note}");
        } else {
            crate::say!(
                "rebuilt in {ms} ms: {documents} document page(s) rendered, {} file(s) changed{note}",
                changed.pages.len()
            );
        }
    }

    /// Serve the review page rendered after a build was published: only
    /// the tabs showing it reload, and only its errors are reported.
    fn publish_review(&self, outcome: Outcome) {
        let diagnostics = outcome.diagnostics.clone();
        if outcome.failed_build() {
            let errors = self.print_errors(&diagnostics);
            crate::say!("error: the review page failed with {errors} error(s)");
        }
        self.serve(outcome);
    }

    /// Apply `outcome` to the store and tell the browsers what changed.
    fn serve(&self, outcome: Outcome) -> store::Changed {
        let (changed, frame) = {
            let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
            let changed = store.apply(outcome);
            let frame = reload::message(&changed, &store);
            (changed, frame)
        };
        if let Some(frame) = frame {
            self.hub.broadcast(&frame);
        }
        changed
    }

    /// Print the errors among `diagnostics` with their source lines; how many.
    fn print_errors(&self, diagnostics: &Diagnostics) -> usize {
        let styled = std::io::stderr().is_terminal();
        let read = |p: &Path| crate::site::read_source(&self.root, p);
        let errors = Diagnostics(
            diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect(),
        );
        for text in errors.render_with_sources(read, styled) {
            crate::say!("{text}\n");
        }
        errors.len()
    }
}

/// Give the calling thread the lowest CPU priority, so that the rebuilds
/// readers wait on take both cores whenever they need them, even while the
/// search index of an earlier save is being built.
fn lowest_priority() {
    // SAFETY: on Linux niceness is per thread; setpriority with the calling
    // thread's id changes only its own scheduling priority.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19);
    }
}

/// Serve requests: `guard` takes connections on `listener` and passes the
/// acceptable requests to tiny_http workers on a private loopback port.
fn run_http(listener: TcpListener, shared: http::Shared) -> Result<(), ServeError> {
    let failed =
        |e: &dyn fmt::Display| ServeError::Io(format!("cannot start the HTTP server: {e}"));
    let inner = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).map_err(|e| failed(&e))?;
    let inner_addr = inner.local_addr().map_err(|e| failed(&e))?;
    let server = tiny_http::Server::from_listener(inner, None).map_err(|e| failed(&e))?;
    let secret = shared.secret.clone();
    std::thread::spawn(move || guard::run(listener, inner_addr, secret));
    let server = Arc::new(server);
    let shared = Arc::new(shared);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, shared) = (server.clone(), shared.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    if request
                        .url()
                        .trim_start_matches('/')
                        .starts_with(reload::EVENTS_PATH)
                    {
                        let shared = shared.clone();
                        std::thread::spawn(move || http::handle(request, &shared));
                    } else {
                        http::handle(request, &shared);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

/// Best effort: a missing browser only costs a message.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let spawned = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        crate::say!(
            "warning: could not open a browser ({}); open {url} yourself",
            opener[0]
        );
    }
}
