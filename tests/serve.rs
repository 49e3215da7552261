//! End-to-end tests of `gazette serve`: the real binary on an ephemeral
//! port, serving a temp copy of a fixture site while the test edits it.

mod common;

use common::server::{Server, save};
use common::{Fixture, gunzip_json};

const AS_OF: &str = "2026-11-27";

const CONDUCT: &str = "---\ntitle: 工作作风十项规定\nnumber: 测发〔2013〕5号\nissuer: 测试市委\npublished: 2013-03-01\n---\n# 工作作风十项规定\n\n第一条 改进调查研究。\n\n第二条 精简会议活动。\n\n第三条 规范公务接待。\n";

fn pages(event: &common::server::Event) -> Vec<String> {
    event.data["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn serves_pages_from_memory_with_types_404_and_unicode_paths() {
    let f = Fixture::new("lifecycle");
    f.write(
        "content/法规/条例(2019-03-02).md",
        "# 测试条例\n\n第一条 内容。\n",
    );
    let server = Server::start(f.root(), AS_OF);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(home.header("cache-control"), "no-store");
    assert!(home.body.contains("Lifecycle fixture"));
    assert!(
        home.body.contains("/__gazette/events"),
        "reload script injected"
    );
    let css = server.get("/static/style.css?v=1");
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    let json = server.get("/catalogue.json");
    assert_eq!(
        json.header("content-type"),
        "application/json; charset=utf-8"
    );
    assert!(
        json.body.contains("http://127.0.0.1:"),
        "base_url is the local address"
    );
    let chinese = server.get("/docs/%E6%B3%95%E8%A7%84/%E6%9D%A1%E4%BE%8B(2019-03-02)/");
    assert_eq!(chinese.status, 200);
    assert!(chinese.body.contains("测试条例"));
    let folder = server.get("/docs/rules/conduct");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), "/docs/rules/conduct/");
    let missing = server.get("/docs/nope/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body,
        server.get("/404.html").body,
        "the site's own 404 page"
    );
    let head = server.request("HEAD", "/catalogue/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(server.request("POST", "/").status, 405);
    assert!(!f.out().exists(), "serve never writes public/");
}

#[test]
fn edit_sends_reload_event_and_serves_new_text() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let mut events = server.events();
    save(
        &f.root().join("content/rules/conduct.md"),
        &CONDUCT.replace("改进调查研究", "深入调查研究"),
    );
    let reload = events.next_named("reload");
    // The document's page, and the pages its text appears on: its versions
    // (the consolidated one is computed from this text) and their 对照表.
    let touched = pages(&reload);
    assert!(touched.contains(&"docs/rules/conduct/index.html".to_owned()));
    assert!(
        touched.iter().all(|p| p.starts_with("docs/rules/conduct/")),
        "body edit touches only the document's pages: {touched:?}"
    );
    let page = server.get("/docs/rules/conduct/").body;
    assert!(page.contains("深入调查研究"));
    assert!(!page.contains("改进调查研究"));
}

#[test]
fn byte_ranges_serve_one_article_of_a_page() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let page = server.get("/docs/rules/conduct/");
    assert_eq!(page.header("accept-ranges"), "bytes");
    let at = page
        .body
        .find("<p id=\"art-1\"")
        .expect("an article anchor");
    let range = format!("Range: bytes={at}-{}\r\n", at + 19);
    let part = server.request_with("GET", "/docs/rules/conduct/", &range);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, page.body[at..at + 20]);
    assert_eq!(
        part.header("content-range"),
        format!("bytes {at}-{}/{}", at + 19, page.body.len())
    );
    let ignored = server.request_with("GET", "/docs/rules/conduct/", "Range: bytes=x-1\r\n");
    assert_eq!((ignored.status, ignored.body.len()), (200, page.body.len()));
}

/// Issue 17.16: several ranges are answered as the one span covering them,
/// a range beyond the body with 416, as static hosts do.
#[test]
fn issue_17_multiple_and_unsatisfiable_ranges() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let page = server.get("/catalogue.json");
    let several = server.request_with("GET", "/catalogue.json", "Range: bytes=0-1,5-6\r\n");
    assert_eq!(several.status, 206);
    assert_eq!(several.body, page.body[..7]);
    let beyond = server.request_with("GET", "/catalogue.json", "Range: bytes=99999999-\r\n");
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        format!("bytes */{}", page.bytes.len())
    );
}

/// Issue 17.16: request heads are bounded in size, header count and time,
/// and a loopback server answers only to loopback host names.
#[test]
fn issue_17_request_heads_are_bounded_and_hosts_checked() {
    use std::io::{Read, Write};
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let big = format!("X-Big: {}\r\n", "a".repeat(64 << 10));
    assert_eq!(server.request_with("GET", "/", &big).status, 431);
    let flood: Vec<_> = (0..3)
        .map(|_| {
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                let chunk = vec![b'a'; 1 << 20];
                let _ = s.write_all(b"GET / HTTP/1.1\r\nX-Big: ");
                for _ in 0..100 {
                    if s.write_all(&chunk).is_err() {
                        break;
                    }
                }
            })
        })
        .collect();
    for attack in flood {
        attack.join().unwrap();
    }
    let many: String = (0..200).map(|i| format!("X-{i}: x\r\n")).collect();
    assert_eq!(server.request_with("GET", "/", &many).status, 431);
    let mut rebound = std::net::TcpStream::connect(&server.addr).unwrap();
    write!(rebound, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n").unwrap();
    let mut reply = String::new();
    rebound.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 421"), "{reply}");
    let mut slow = std::net::TcpStream::connect(&server.addr).unwrap();
    write!(slow, "GET / HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    let mut reply = String::new();
    slow.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert_eq!(server.get("/").status, 200, "still serving");
}

/// JSON of a gzipped index file.
#[test]
fn background_index_points_snippets_at_articles_of_served_pages() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let manifest = wait_for(&server, "/search/manifest.json", |body| !body.is_empty());
    let docs_bin = serde_json::from_str::<serde_json::Value>(&manifest).unwrap()["docs"]
        .as_str()
        .unwrap()
        .to_owned();
    let meta = gunzip_json(&server.get(&format!("/search/{docs_bin}")).bytes);
    let docs = meta["docs"].as_array().unwrap();
    let columns = meta["columns"].as_array().unwrap();
    let col = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let (id, table_len, body) = (col("id"), col("table"), col("body"));
    let n = docs.iter().position(|d| d[id] == "rules/conduct").unwrap();
    // The document's table: one gzip member in its group's file, after the
    // members of the documents before it in the group.
    let group = meta["files"]["group"].as_u64().unwrap() as usize;
    let from: u64 = docs[n - n % group..n]
        .iter()
        .map(|d| d[table_len].as_u64().unwrap())
        .sum();
    let len = docs[n][table_len].as_u64().unwrap();
    assert!(len > 0, "the document has a snippet table");
    let file = meta["files"]["tables"][n / group].as_str().unwrap();
    let range = format!("Range: bytes={from}-{}\r\n", from + len - 1);
    let table = server.request_with("GET", &format!("/search/{file}"), &range);
    assert_eq!(table.status, 206);
    let rows = gunzip_json(&table.bytes);
    let mut byte = docs[n][body].as_i64().unwrap();
    let mut checked = 0;
    for row in rows.as_array().unwrap() {
        byte += row[2].as_i64().unwrap();
        let Some(anchor) = row[1].as_str() else {
            continue;
        };
        let range = format!(
            "Range: bytes={byte}-{}\r\n",
            byte + row[3].as_i64().unwrap() - 1
        );
        let part = server.request_with("GET", "/docs/rules/conduct/", &range);
        assert_eq!(part.status, 206);
        assert!(
            part.body.starts_with(&format!("<p id=\"{anchor}\"")),
            "{anchor}: {}",
            part.body
        );
        checked += 1;
    }
    assert!(checked >= 2, "{rows}");
}

#[test]
fn deleted_document_page_is_404() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    assert_eq!(server.get("/docs/rules/action-plan/").status, 200);
    let mut events = server.events();
    std::fs::remove_file(f.root().join("content/rules/action-plan.md")).unwrap();
    let reload = events.next_named("reload");
    assert!(pages(&reload).contains(&"docs/rules/action-plan/index.html".to_owned()));
    assert_eq!(server.get("/docs/rules/action-plan/").status, 404);
    assert!(!server.get("/catalogue/").body.contains("rules/action-plan"));
}

#[test]
fn front_matter_error_shows_overlay_and_keeps_last_good_page() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let mut events = server.events();
    let path = f.root().join("content/rules/conduct.md");
    save(
        &path,
        &CONDUCT.replace("published: 2013-03-01", "published: 2013-02-30"),
    );
    let errors = events.next_named("errors");
    // The terminal quotes the source line, as `gazette check` does.
    let log = server.wait_for_log("still serving the last good build");
    assert!(log.contains("published: 2013-02-30"), "{log}");
    assert!(
        log.starts_with("built ") && log.contains(" document(s) in "),
        "{log}"
    );
    assert!(
        !log.contains("file(s) changed") && !log.contains("gazette check"),
        "the first build reports documents, and no warnings it does not have: {log}"
    );
    let error = errors.data["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "content/rules/conduct.md")
        .expect("an error in the edited file");
    assert_eq!(error["line"], 5);
    assert!(!error["message"].as_str().unwrap().is_empty());
    let page = server.get("/docs/rules/conduct/").body;
    assert!(page.contains("改进调查研究"), "last good page still served");
    assert!(
        page.contains("\"path\":\"content/rules/conduct.md\""),
        "overlay data injected"
    );
    save(&path, &CONDUCT.replace("改进调查研究", "修正后的文字"));
    let reload = events.next_named("reload");
    assert!(pages(&reload).contains(&"docs/rules/conduct/index.html".to_owned()));
    let page = server.get("/docs/rules/conduct/").body;
    assert!(page.contains("修正后的文字"));
    assert!(page.contains("errors: []"), "overlay gone");
}

#[test]
fn traversal_paths_are_refused() {
    let f = Fixture::new("lifecycle");
    f.write("secret.txt", "top secret");
    let server = Server::start(f.root(), AS_OF);
    for target in [
        "/../secret.txt",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/docs/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/docs/%00",
    ] {
        let reply = server.get(target);
        assert_eq!(reply.status, 403, "{target}");
        assert!(!reply.body.contains("top secret"), "{target}");
    }
    assert_eq!(
        server.get("/secret.txt").status,
        404,
        "sources are never served"
    );
}

#[test]
fn stylesheet_change_swaps_css_without_reload() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let mut events = server.events();
    f.write("static/style.css", "body { background: #fec; }\n");
    let css = events.next_named("css");
    assert_eq!(pages(&css), vec!["static/style.css"]);
    assert!(server.get("/static/style.css").body.contains("#fec"));
}

#[test]
fn build_output_has_no_reload_script() {
    let f = Fixture::new("lifecycle");
    f.build(AS_OF);
    assert!(!f.read("index.html").contains("__gazette"));
    assert!(
        !f.read("docs/rules/conduct/index.html")
            .contains("__gazette")
    );
}

#[test]
fn burst_of_new_files_is_coalesced() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let mut events = server.events();
    let n = 500;
    for i in 0..n {
        f.write(
            &format!("content/bulk/doc-{i}.md"),
            &format!("# 批量文件{i}\n\n第一条 内容{i}。\n"),
        );
    }
    // One rebuild is the rule; a writer stalled past the quiet period on a
    // busy machine may split the burst, but never into many rebuilds.
    // A page written in two halves may be announced by both rebuilds.
    let (mut announced, mut rebuilds) = (std::collections::BTreeSet::new(), 0);
    while announced.len() < n {
        let reload = events.next_page_reload();
        rebuilds += 1;
        announced.extend(
            pages(&reload)
                .into_iter()
                .filter(|p| p.starts_with("docs/bulk/")),
        );
    }
    assert_eq!(announced.len(), n);
    assert!(rebuilds <= 3, "{n} new files took {rebuilds} rebuilds");
    assert_eq!(server.get("/docs/bulk/doc-499/").status, 200);
}

#[test]
fn template_change_rebuilds_everything_and_broken_template_keeps_serving() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let mut events = server.events();
    f.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>找不到了</p>{% endblock %}",
    );
    let reload = events.next_named("reload");
    assert_eq!(
        pages(&reload),
        vec!["404.html"],
        "only the output that changed"
    );
    assert!(server.get("/nope").body.contains("找不到了"));
    f.write("templates/404.html", "{% block main %}");
    let errors = events.next_named("errors");
    assert_eq!(errors.data["errors"][0]["path"], "templates/404.html");
    assert!(
        server.get("/nope").body.contains("找不到了"),
        "last good site"
    );
    f.write(
        "site.toml",
        "title = \"新标题\"\nbase_url = \"https://example.org/\"\n",
    );
    std::fs::remove_file(f.root().join("templates/404.html")).unwrap();
    let reload = events.next_named("reload");
    assert!(pages(&reload).contains(&"docs/rules/conduct/index.html".to_owned()));
    assert!(server.get("/").body.contains("新标题"));
}

#[test]
fn taken_port_moves_to_the_next_free_one() {
    let f = Fixture::new("lifecycle");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let server = Server::start_with(f.root(), &["--port", &port, "--as-of", AS_OF]);
    assert_ne!(server.addr, format!("127.0.0.1:{port}"));
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn search_index_is_served_and_follows_edits() {
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let manifest = wait_for(&server, "/search/manifest.json", |body| !body.is_empty());
    assert!(manifest.contains('{'), "manifest is JSON: {manifest}");
    assert_eq!(server.get("/search/").status, 200);
    // The index is rebuilt off the reload path after an edit: the manifest
    // names a new docs.bin once a document is added.
    let before = manifest.clone();
    let mut events = server.events();
    save(
        &f.root().join("content/rules/new-doc.md"),
        "+++\ntitle = \"独一无二的新标题\"\npublished = 2020-01-01\n+++\n第一条 正文。\n",
    );
    events.next_named("reload");
    assert_eq!(server.get("/docs/rules/new-doc/").status, 200);
    wait_for(&server, "/search/manifest.json", |body| body != before);
}

/// GET `target` until `ready(body)` holds (the index is built in the background).
fn wait_for(server: &Server, target: &str, ready: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let reply = server.get(target);
        if reply.status == 200 && ready(&reply.body) {
            return reply.body;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{target} never became ready");
}

/// Issue 17.2: links made while serving are skipped like `build` skips them.
#[cfg(unix)]
#[test]
fn issue_17_symlinks_added_while_serving_are_never_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = "# 机密文件\n\n第一条 不应发布。\n";
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("host.md"), secret).unwrap();
    std::fs::write(outside.path().join("dir/inner.md"), secret).unwrap();
    let f = Fixture::new("lifecycle");
    let server = Server::start(f.root(), AS_OF);
    let content = f.root().join("content");
    symlink(outside.path().join("host.md"), content.join("host.md")).unwrap();
    symlink(outside.path().join("dir"), content.join("linked")).unwrap();
    std::fs::remove_file(content.join("rules/action-plan.md")).unwrap();
    symlink(
        outside.path().join("host.md"),
        content.join("rules/action-plan.md"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    std::fs::write(outside.path().join("dir/inner.md"), secret).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    save(&content.join("marker.md"), "# 标记\n\n第一条 内容。\n");
    wait_for(&server, "/docs/marker/", |_| true);
    for page in [
        "/docs/host/",
        "/docs/linked/inner/",
        "/docs/rules/action-plan/",
    ] {
        let reply = server.get(page);
        assert_eq!(reply.status, 404, "{page} was served");
        assert!(!reply.body.contains("机密文件"));
    }
}

/// Issue 14: the dev server shows the review queue on a local page and
/// follows edits of the campaign files.
#[test]
fn review_page_follows_campaign_edits() {
    let f = Fixture::new("review");
    let server = Server::start(f.root(), "2026-12-02");
    let page = server.get("/review/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("reason-basis-changed") && page.body.contains("依据基础规定的细则"));
    let mut events = server.events();
    let campaign = std::fs::read_to_string(f.root().join("reviews/2026.toml")).unwrap();
    save(
        &f.root().join("reviews/2026.toml"),
        &format!(
            "{campaign}\n[[record]]\ndoc = \"rules/child\"\ndate = 2026-04-01\noutcome = \"keep\"\n"
        ),
    );
    let reload = events.next_named("reload");
    assert_eq!(pages(&reload), ["review/index.html"]);
    let page = server.get("/review/");
    assert!(
        !page.body.contains("reason-basis-changed"),
        "reviewed since its basis changed"
    );
}
