//! The live preview (`casebook::serve`, behind `casebook watch --serve`),
//! tested over real sockets:
//!
//! - HTTP: the index lists the guides, their editions and the EPUB's spine
//!   with titles; PDF, EPUB and every EPUB entry are served with the right
//!   type; XHTML pages stay well formed with the live-reload script;
//! - security: traversal in every spelling, symlinks out of the output
//!   folder, folders, hidden files, foreign `Host`s and malformed requests
//!   never return a file from outside the output folder; only GET and HEAD;
//! - live reload: the event stream announces `reload()`, and shutdown ends
//!   open streams and joins every thread;
//! - a real browser: headless Chromium (over WebDriver) shows a chapter,
//!   the EPUB is replaced by a rebuild of an edited source, and after
//!   `reload()` the page shows the new text. Screenshots of the index and
//!   of a chapter are left in `$CARGO_TARGET_TMPDIR/serve/`.
//!
//! The EPUBs are real ones: `casebook build` of a `casebook new` workspace,
//! then of the same workspace with one sentence of a chapter edited.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use casebook::serve::{Preview, PreviewGuide};
use support::browser::{http, http_raw, Browser};
use support::{shared_temp_dir, TempDir};

mod support;

const OLD_SENTENCE: &str = "The prosecution must prove the mental element the offence requires at the time of the act.";
const NEW_SENTENCE: &str = "The prosecution must prove the fault element, freshly edited for the preview test.";
const SECRET: &str = "TOP-SECRET-f3a9c1: never served";
const GUIDE: &str = "my-guide";
const TITLE: &str = "Criminal Law Essentials";

/// The editions of a `casebook new` workspace, with case summaries at the
/// end of each chapter: the first build (PDF and EPUB) in `v1/`, and the EPUB after editing one sentence of the chapter
/// `fault.md` in `v2/`.
struct Editions {
    v1: PathBuf,
    v2: PathBuf,
}

/// A guide's two editions as the preview lists them.
fn pdf_and_epub(id: &str) -> Vec<(String, String)> {
    vec![(format!("{id}.pdf"), "PDF".into()), (format!("{id}.epub"), "EPUB".into())]
}

fn build(ws: &Path, out: &Path, formats: &[&str]) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"));
    cmd.arg("build").arg("--out").arg(out);
    for f in formats {
        cmd.args(["--format", f]);
    }
    let run = cmd.arg(ws).env_remove("SOURCE_DATE_EPOCH").output().expect("casebook runs");
    assert!(run.status.success(), "casebook build failed: {}", String::from_utf8_lossy(&run.stderr));
}

fn editions() -> &'static Editions {
    static EDITIONS: OnceLock<Editions> = OnceLock::new();
    EDITIONS.get_or_init(|| {
        let dir = shared_temp_dir("serve-editions");
        let _ = std::fs::remove_dir_all(&dir);
        let ws = dir.join("ws");
        casebook::scaffold::create(&ws).unwrap();
        // Case summaries at the end of each chapter: documents the contents nest under their chapter.
        let manifest = ws.join("my-guide/guide.toml");
        let toml = std::fs::read_to_string(&manifest).unwrap();
        assert!(!toml.lines().any(|l| l.starts_with('[')), "guide.toml has no table, so a key can be appended:\n{toml}");
        std::fs::write(&manifest, format!("{toml}case-summaries = \"chapter-end\"\n")).unwrap();
        let v1 = dir.join("v1");
        build(&ws, &v1, &["pdf", "epub"]);
        let chapter = ws.join("my-guide/fault.md");
        let text = std::fs::read_to_string(&chapter).unwrap();
        assert!(text.contains(OLD_SENTENCE), "the scaffold's chapter has the sentence this test edits");
        std::fs::write(&chapter, text.replace(OLD_SENTENCE, NEW_SENTENCE)).unwrap();
        let v2 = dir.join("v2");
        build(&ws, &v2, &["epub"]);
        Editions { v1, v2 }
    })
}

/// A served output folder: `<tmp>/out` holds the first editions; beside it
/// lie a secret file and a `casebook.toml` that must never be served.
struct Site {
    dir: TempDir,
    preview: Preview,
}

impl Site {
    fn new(name: &str) -> Site {
        let dir = TempDir::new(name);
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        for ext in ["pdf", "epub"] {
            std::fs::copy(editions().v1.join(format!("{GUIDE}.{ext}")), out.join(format!("{GUIDE}.{ext}"))).unwrap();
        }
        std::fs::write(dir.join("secret.txt"), SECRET).unwrap();
        std::fs::write(dir.join("casebook.toml"), SECRET).unwrap();
        let preview = Preview::start(([127, 0, 0, 1], 0).into(), &out, "My Law School").unwrap();
        preview.set_guides(vec![PreviewGuide { id: GUIDE.into(), title: TITLE.into(), outputs: pdf_and_epub(GUIDE), errors: None }]);
        Site { dir, preview }
    }

    fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    fn addr(&self) -> SocketAddr {
        self.preview.addr()
    }

    /// Replaces the EPUB as a build does: a temporary file, then a rename.
    fn publish_v2(&self) {
        let tmp = self.out().join(".my-guide.epub.tmp");
        std::fs::copy(editions().v2.join(format!("{GUIDE}.epub")), &tmp).unwrap();
        std::fs::rename(&tmp, self.out().join(format!("{GUIDE}.epub"))).unwrap();
    }
}

/// The EPUB's entries (name -> bytes), its spine (entry names) and manifest media types.
fn unpack(epub: &Path) -> (Vec<(String, Vec<u8>)>, Vec<String>, Vec<(String, String)>) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let entries: Vec<(String, Vec<u8>)> = (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_owned(), b)
        })
        .collect();
    let opf = String::from_utf8(entries.iter().find(|(n, _)| n == "EPUB/package.opf").unwrap().1.clone()).unwrap();
    let doc = roxmltree::Document::parse(&opf).unwrap();
    let items: Vec<(String, String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|n| (n.attribute("id").unwrap().into(), format!("EPUB/{}", n.attribute("href").unwrap()), n.attribute("media-type").unwrap().into()))
        .collect();
    let spine = doc
        .descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .map(|r| items.iter().find(|(id, _, _)| id == r.attribute("idref").unwrap()).unwrap().1.clone())
        .collect();
    (entries, spine, items.into_iter().map(|(_, p, t)| (p, t)).collect())
}

fn parse_xml(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(text, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
        .unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{text}"))
}

// ---------------------------------------------------------------------------
// HTTP

#[test]
fn index_lists_guides_editions_and_chapters_in_order() {
    let site = Site::new("serve-index");
    let r = http(site.addr(), "GET", "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let page = r.text();
    assert!(page.contains(&format!("<h2>{TITLE}</h2>")), "{page}");
    assert!(page.contains("<a href=\"/my-guide.pdf\">PDF <small>"), "{page}");
    assert!(page.contains("<a href=\"/my-guide.epub\">EPUB <small>"), "{page}");
    assert!(page.contains("<script src=\"/__casebook/live.js\" data-generation=\""), "{page}");

    // Every spine document, in spine order, with its title from the navigation document.
    let (_, spine, _) = unpack(&site.out().join("my-guide.epub"));
    let links: Vec<&str> = page.split("<a href=\"/my-guide/epub/").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    let expected: Vec<String> = spine.iter().map(|p| p.to_string()).collect();
    assert_eq!(links, expected);
    for (entry, title) in [("EPUB/ch02-fault.xhtml", "Fault"), ("EPUB/cases.xhtml", "Table of cases"), ("EPUB/cover.xhtml", "Cover")] {
        assert!(page.contains(&format!("<li><a href=\"/my-guide/epub/{entry}\">{title}</a>")), "{entry} titled {title}:\n{page}");
    }
    // A chapter's case summaries are listed under it, as the contents nest them.
    assert!(
        page.contains(concat!(
            "<li><a href=\"/my-guide/epub/EPUB/ch02-fault.xhtml\">Fault</a>\n<ul>\n",
            "<li><a href=\"/my-guide/epub/EPUB/ch02-fault-cases.xhtml\">Case summaries</a></li>\n</ul>\n</li>\n"
        )),
        "{page}"
    );

    // Errors are shown escaped and without terminal colours; guides come sorted by id.
    site.preview.set_guides(vec![
        PreviewGuide { id: "zz-other".into(), title: "Other <Guide>".into(), outputs: pdf_and_epub("zz-other"), errors: None },
        PreviewGuide {
            id: GUIDE.into(),
            title: TITLE.into(),
            outputs: pdf_and_epub(GUIDE),
            errors: Some("\u{1b}[1;31merror[unknown-case]\u{1b}[0m: no case `r-v-x` <here>\n  --> fault.md:3:5\n".into()),
        },
    ]);
    site.preview.set_errors(Some("error: casebook.toml: expected `=`".into()));
    let page = http(site.addr(), "GET", "/").text();
    assert!(page.contains("error[unknown-case]: no case `r-v-x` &lt;here&gt;\n  --&gt; fault.md:3:5</pre>"), "{page}");
    assert!(page.contains("error: casebook.toml: expected `=`"), "{page}");
    assert!(!page.contains('\u{1b}'));
    assert!(page.contains("Other &lt;Guide&gt;"));
    assert!(page.find("id=\"guide-my-guide\"").unwrap() < page.find("id=\"guide-zz-other\"").unwrap());
    assert!(page.contains("<li><span>PDF: not built</span></li>"), "the other guide has no files:\n{page}");
    assert_eq!(page, http(site.addr(), "GET", "/").text(), "the index is deterministic");
    site.preview.shutdown();
}

#[test]
fn editions_and_every_epub_entry_are_served_with_their_types() {
    let site = Site::new("serve-types");
    let pdf = http(site.addr(), "GET", "/my-guide.pdf");
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    assert_eq!(pdf.body, std::fs::read(site.out().join("my-guide.pdf")).unwrap());
    let head = http(site.addr(), "HEAD", "/my-guide.pdf");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some(pdf.body.len().to_string().as_str()));
    assert!(head.body.is_empty());
    let epub = http(site.addr(), "GET", "/my-guide.epub");
    assert_eq!((epub.status, epub.header("content-type")), (200, Some("application/epub+zip")));
    assert_eq!(epub.header("cache-control"), Some("no-store"));

    let (entries, spine, types) = unpack(&site.out().join("my-guide.epub"));
    let start = http(site.addr(), "GET", "/my-guide/epub/");
    assert_eq!(start.status, 302);
    assert_eq!(start.header("location"), Some(format!("/my-guide/epub/{}", spine[0]).as_str()));
    let mut kinds = std::collections::BTreeSet::new();
    for (name, bytes) in &entries {
        let r = http(site.addr(), "GET", &format!("/my-guide/epub/{name}"));
        assert_eq!(r.status, 200, "{name}");
        let ty = r.header("content-type").unwrap().to_owned();
        kinds.insert(ty.clone());
        match types.iter().find(|(p, _)| p == name) {
            Some((_, t)) if t.starts_with("text/") => assert_eq!(ty, format!("{t}; charset=utf-8"), "{name}"),
            Some((_, t)) => assert_eq!(&ty, t, "{name}"),
            None => {}
        }
        if ty == "application/xhtml+xml" {
            // Well formed, unchanged but for one script element at the end of the body.
            let text = r.text();
            let doc = parse_xml(&text);
            let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
            let script = body.children().filter(|n| n.is_element()).last().unwrap();
            assert_eq!(script.tag_name().name(), "script", "{name}");
            assert_eq!(script.tag_name().namespace(), Some("http://www.w3.org/1999/xhtml"));
            assert_eq!(script.attribute("src"), Some("/__casebook/live.js"));
            let original = String::from_utf8(bytes.clone()).unwrap();
            let injected = text.find("<script src=\"/__casebook/live.js\"").unwrap();
            let close = text[injected..].find("</script>\n").unwrap() + injected + "</script>\n".len();
            assert_eq!(format!("{}{}", &text[..injected], &text[close..]), original, "{name}");
        } else {
            assert_eq!(&r.body, bytes, "{name}");
        }
    }
    for kind in ["application/xhtml+xml", "text/css; charset=utf-8", "image/png", "image/svg+xml"] {
        assert!(kinds.contains(kind), "{kind} among {kinds:?}");
    }
    let js = http(site.addr(), "GET", "/__casebook/live.js");
    assert_eq!((js.status, js.header("content-type")), (200, Some("text/javascript; charset=utf-8")));
    assert!(js.text().contains("new EventSource(\"/__casebook/events"));

    // A rebuild replaces the EPUB by a rename: the next request reads the new one.
    let chapter = "/my-guide/epub/EPUB/ch02-fault.xhtml";
    assert!(http(site.addr(), "GET", chapter).text().contains(OLD_SENTENCE));
    site.publish_v2();
    let text = http(site.addr(), "GET", chapter).text();
    assert!(text.contains(NEW_SENTENCE) && !text.contains(OLD_SENTENCE));
    for missing in ["/my-guide/epub/EPUB/nothing.xhtml", "/other/epub/EPUB/ch02-fault.xhtml", "/other.pdf", "/nothing"] {
        assert_eq!(http(site.addr(), "GET", missing).status, 404, "{missing}");
    }
}

#[test]
fn nothing_outside_the_out_folder_is_ever_served() {
    let site = Site::new("serve-traversal");
    let out = site.out();
    std::os::unix::fs::symlink("../secret.txt", out.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink("..", out.join("up")).unwrap();
    std::os::unix::fs::symlink(site.dir.join("secret.txt"), out.join("abs-leak.txt")).unwrap();
    std::fs::create_dir(out.join("sub")).unwrap();
    std::fs::write(out.join("sub/inner.txt"), "inner").unwrap();
    std::fs::write(out.join(".hidden"), "hidden").unwrap();
    std::fs::copy(out.join("my-guide.pdf"), out.join("inside-link-target.pdf")).unwrap();
    std::os::unix::fs::symlink("inside-link-target.pdf", out.join("inside-link.pdf")).unwrap();

    let targets = [
        "/../secret.txt",
        "/../casebook.toml",
        "/..",
        "/%2e%2e/secret.txt",
        "/%2E%2E/casebook.toml",
        "/%2e%2e%2fsecret.txt",
        "/x/..%2f..%2fsecret.txt",
        "/x/..%2f..%2fetc/passwd",
        "/my-guide/epub/../../secret.txt",
        "/my-guide/epub/..%2f..%2f..%2fsecret.txt",
        "/my-guide/epub/EPUB/%2e%2e/%2e%2e/secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/%2e%2e%5csecret.txt",
        "/..%00/secret.txt",
        "/leak.txt",
        "/abs-leak.txt",
        "/up/secret.txt",
        "/up%2fsecret.txt",
        "/up",
        "/sub",
        "/sub/",
        "/sub/inner.txt",
        "/.hidden",
        "/%2ehidden",
        "/./my-guide.pdf",
        "http://127.0.0.1/../secret.txt",
        "*",
        "/..;/secret.txt",
        "/%252e%252e/secret.txt",
    ];
    for target in targets {
        let r = http(site.addr(), "GET", target);
        assert!(matches!(r.status, 400 | 404), "{target}: {} {}", r.status, r.text());
        assert!(!r.text().contains("TOP-SECRET"), "{target} leaked the secret");
        assert!(!r.text().contains("inner") && !r.text().contains("hidden"), "{target}: {}", r.text());
    }
    // A symlink that stays inside the folder is followed.
    assert_eq!(http(site.addr(), "GET", "/inside-link.pdf").status, 200);

    // Malformed, oversized and foreign requests get an error, never a panic,
    // and the server keeps answering.
    let long_header = format!("GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: {}\r\n\r\n", "a".repeat(20_000));
    let many_headers = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: b\r\n".repeat(100));
    let bad: [(&[u8], u16); 8] = [
        (b"\x00\xff\xfe garbage\r\n\r\n", 400),
        (b"GET\r\n\r\n", 400),
        (b"GET / HTTP/9.9\r\n\r\n", 505),
        (b"GET /\xff HTTP/1.1\r\n\r\n", 400),
        (long_header.as_bytes(), 431),
        (many_headers.as_bytes(), 431),
        (b"GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n", 400),
        (b"GET /../secret.txt HTTP/1.0\r\n\r\n", 400),
    ];
    for (request, status) in bad {
        let r = http_raw(site.addr(), request);
        assert_eq!(r.status, status, "{:?}", String::from_utf8_lossy(request));
        assert!(!r.text().contains("TOP-SECRET"));
    }
    // A client that connects and leaves, or sends half a head, changes nothing.
    drop(TcpStream::connect(site.addr()).unwrap());
    let mut half = TcpStream::connect(site.addr()).unwrap();
    half.write_all(b"GET /my-gui").unwrap();
    drop(half);
    assert_eq!(http(site.addr(), "GET", "/").status, 200);
    assert_eq!(http_raw(site.addr(), b"GET / HTTP/1.1\r\nHost: localhost:1234\r\n\r\n").status, 200);
    assert_eq!(http_raw(site.addr(), b"GET / HTTP/1.0\r\n\r\n").status, 200);
}

#[test]
fn only_get_and_head_are_allowed() {
    let site = Site::new("serve-methods");
    let post = http_raw(site.addr(), b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\nhello=world");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    for method in ["PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"] {
        assert_eq!(http(site.addr(), method, "/my-guide.pdf").status, 405, "{method}");
    }
}

#[test]
fn connections_beyond_the_limit_are_refused_and_the_server_recovers() {
    let site = Site::new("serve-limit");
    // Idle connections that never send a request hold their threads (until a timeout).
    let idle: Vec<TcpStream> = (0..casebook::serve::MAX_CONNECTIONS).map(|_| TcpStream::connect(site.addr()).unwrap()).collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = http(site.addr(), "GET", "/");
        if r.status == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "the connection after the limit was served: {}", r.status);
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(5);
    while http(site.addr(), "GET", "/").status != 200 {
        assert!(Instant::now() < deadline, "the server did not recover once the idle connections closed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads from an event stream until `needle` arrives; returns all that was read.
fn read_until(stream: &mut TcpStream, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    while !String::from_utf8_lossy(&got).contains(needle) {
        assert!(Instant::now() < deadline, "no {needle:?} within {timeout:?}; got {:?}", String::from_utf8_lossy(&got));
        match stream.read(&mut buf) {
            Ok(0) => panic!("the stream ended before {needle:?}; got {:?}", String::from_utf8_lossy(&got)),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn open_events(addr: SocketAddr, query: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(format!("GET /__casebook/events{query} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n").as_bytes()).unwrap();
    s
}

#[test]
fn the_event_stream_announces_every_reload_and_shutdown_ends_it() {
    let site = Site::new("serve-events");
    let mut events = open_events(site.addr(), "");
    let head = read_until(&mut events, "retry: 1000\n\n", Duration::from_secs(5));
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Type: text/event-stream"), "{head}");
    assert!(!head.contains("event: reload"));
    site.preview.reload();
    let first = read_until(&mut events, "event: reload\n", Duration::from_secs(5));
    site.preview.reload();
    let both = first + &read_until(&mut events, "event: reload\n", Duration::from_secs(5));
    assert_eq!(both.matches("event: reload\n").count(), 2, "{both}");

    // A page served before a reload and connecting after it reloads at once.
    let index = http(site.addr(), "GET", "/").text();
    let token = index.split("data-generation=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let mut current = open_events(site.addr(), &format!("?since={token}"));
    read_until(&mut current, "retry: 1000\n\n", Duration::from_secs(5));
    site.preview.reload();
    let mut stale = open_events(site.addr(), &format!("?since={token}"));
    read_until(&mut stale, "event: reload\n", Duration::from_secs(5));
    read_until(&mut current, "event: reload\n", Duration::from_secs(5));

    // Shutdown with open streams and an idle connection returns promptly,
    // ends the streams, and the port is closed.
    let idle = TcpStream::connect(site.addr()).unwrap();
    let addr = site.addr();
    let started = Instant::now();
    let Site { dir, preview } = site;
    preview.shutdown();
    assert!(started.elapsed() < Duration::from_secs(3), "shutdown took {:?}", started.elapsed());
    for mut s in [events, current, stale, idle] {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut rest = Vec::new();
        match s.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) => assert!(!matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut), "still open: {e}"),
        }
    }
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(), "nothing listens any more");
    drop(dir);
}

// ---------------------------------------------------------------------------
// A real browser

#[test]
fn chromium_shows_the_rebuilt_chapter_after_reload() {
    let site = Site::new("serve-browser");
    let base = format!("http://{}", site.addr());
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve");
    std::fs::create_dir_all(&shots).unwrap();
    let browser = Browser::start();

    // The index, live: a rebuild that fails shows its errors after reload().
    browser.goto(&format!("{base}/"));
    browser.wait_for_text(Duration::from_secs(10), "the index", |t| t.contains(TITLE) && t.contains("Fault"));
    browser.screenshot(&shots.join("index.png"));
    site.preview.set_guides(vec![PreviewGuide {
        id: GUIDE.into(),
        title: TITLE.into(),
        outputs: pdf_and_epub(GUIDE),
        errors: Some("error[unknown-case]: no case `r-v-nobody` in the bank\n  --> my-guide/fault.md:9:12".into()),
    }]);
    site.preview.reload();
    browser.wait_for_text(Duration::from_secs(10), "the build error", |t| t.contains("no case `r-v-nobody` in the bank"));
    browser.screenshot(&shots.join("index-errors.png"));

    // A chapter as a web page: XHTML with its stylesheet.
    browser.goto(&format!("{base}/my-guide/epub/EPUB/ch02-fault.xhtml"));
    browser.wait_for_text(Duration::from_secs(10), "the chapter", |t| t.contains(OLD_SENTENCE));
    assert_eq!(browser.eval("return document.contentType"), "application/xhtml+xml");
    assert_eq!(browser.eval("return document.styleSheets.length"), 1, "the EPUB's stylesheet loaded");
    // The preview bar: back to the index, previous and next documents of the spine.
    let (_, spine, _) = unpack(&site.out().join("my-guide.epub"));
    let at = spine.iter().position(|p| p == "EPUB/ch02-fault.xhtml").unwrap();
    let link = |rel: &str| browser.eval(&format!("var a = document.querySelector('#casebook-preview-bar a[rel={rel}]'); return a && a.getAttribute('href')"));
    assert_eq!(link("prev"), format!("/my-guide/epub/{}", spine[at - 1]).as_str());
    assert_eq!(link("next"), format!("/my-guide/epub/{}", spine[at + 1]).as_str());
    let bar = browser.eval("return document.getElementById('casebook-preview-bar').innerText");
    assert!(bar.as_str().unwrap().contains(&format!("{TITLE}")) && bar.as_str().unwrap().contains(&format!("{} / {}", at + 1, spine.len())), "{bar}");
    browser.eval("window.casebookMarker = 'before reload'; return null");
    browser.screenshot(&shots.join("chapter.png"));

    // The source was edited and rebuilt: the new EPUB replaces the old one, then reload().
    site.publish_v2();
    site.preview.reload();
    let text = browser.wait_for_text(Duration::from_secs(10), "the edited sentence", |t| t.contains(NEW_SENTENCE));
    assert!(!text.contains(OLD_SENTENCE));
    assert_eq!(browser.eval("return window.casebookMarker === undefined"), true, "the page was reloaded");
    browser.screenshot(&shots.join("chapter-reloaded.png"));
    drop(browser);
    site.preview.shutdown();
}
