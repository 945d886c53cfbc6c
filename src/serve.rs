//! The live preview behind `casebook watch --serve`: a small HTTP server, on
//! threads of its own, that shows the output folder in a browser as `mdbook
//! serve` does.
//!
//! ```text
//! GET /                          the guides: title, PDF, EPUB, the EPUB's chapters, build errors
//! GET /<id>.pdf, /<id>.epub      files of the output folder (no folders, no hidden files)
//! GET /<id>/epub/<entry>         any entry of <out>/<id>.epub, with the manifest's media type
//! GET /<id>/epub/                redirects to the first document of the spine
//! GET /__casebook/events         server-sent events: `reload` after every rebuild
//! GET /__casebook/live.js        the script every served page loads to follow those events
//! ```
//!
//! The index and every XHTML document of an EPUB load `live.js` (one
//! `<script>` element before `</body>`, which keeps XHTML well formed); it
//! listens to the event stream and reloads the page when [`Preview::reload`]
//! is called. An EPUB is read again when its file changes (size, time or
//! inode: the build replaces it by a rename).
//!
//! Only the output folder is served: request paths are split into segments
//! *before* percent-decoding, and a segment that decodes to `.`, `..` or
//! holds `/`, `\` or NUL is refused (400), as is a raw backslash; a file of
//! the output folder is served only when its canonical path (symlinks
//! followed) is still inside the canonical output folder; EPUB entries are
//! looked up by exact name in the archive, never on disk. Only GET and HEAD
//! are allowed (405); everything else is 404. When bound to a loopback
//! address, requests whose `Host` is not a loopback name are refused (400),
//! so that a web page cannot reach the preview through DNS rebinding.
//!
//! HTTP is plain std networking with `httparse` (hyper's request parser) for
//! the request head: one thread per connection, one response per connection
//! (`Connection: close`), at most [`MAX_CONNECTIONS`] at once. Every thread is
//! joined by [`Preview::shutdown`] (or on drop): open sockets are shut down,
//! and event streams end.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// At most this many connections are served at once; more get a 503.
pub const MAX_CONNECTIONS: usize = 64;
/// The longest request head read (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request head, or to take a response.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle event stream sends a comment (to notice a closed page).
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The largest EPUB the preview reads (uncompressed entries, in total).
const MAX_EPUB_BYTES: u64 = 1 << 30;

/// One guide as the index page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewGuide {
    /// The guide's id: its editions are `<out>/<id>.pdf`, `<out>/<id>.epub`, and so on.
    pub id: String,
    /// The guide's title.
    pub title: String,
    /// The files its build makes, in the output folder (file name, label).
    pub outputs: Vec<(String, String)>,
    /// The diagnostics of the guide's last build when it had errors (plain
    /// text; terminal colour codes are removed), `None` when it built. The
    /// last good edition stays linked either way.
    pub errors: Option<String>,
}

/// A running preview server; stops on [`Preview::shutdown`] or when dropped.
pub struct Preview {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

/// What the threads share.
struct Shared {
    out_dir: PathBuf,
    workspace_title: String,
    /// Whether `Host` headers must name a loopback host.
    loopback_only: bool,
    /// Distinguishes this server's generations from a previous run's.
    instance: String,
    state: Mutex<State>,
    /// Signalled on every change of `state` and on shutdown.
    changed: Condvar,
    stopping: AtomicBool,
    epubs: Mutex<HashMap<String, Arc<Epub>>>,
    /// Clones of the open sockets, to shut them down on stop.
    open: Mutex<OpenSockets>,
}

#[derive(Default)]
struct State {
    guides: Vec<PreviewGuide>,
    errors: Option<String>,
    generation: u64,
}

#[derive(Default)]
struct OpenSockets {
    next: u64,
    sockets: HashMap<u64, TcpStream>,
}

/// Locks a mutex, also after a thread panicked while holding it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Preview {
    /// Binds `addr` (the caller's default is 127.0.0.1:3000; port 0 picks a
    /// free port) and serves `out_dir` on a background thread. The output
    /// folder may not exist yet: pages say so until it does.
    pub fn start(addr: SocketAddr, out_dir: &Path, workspace_title: &str) -> io::Result<Preview> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let shared = Arc::new(Shared {
            out_dir: std::path::absolute(out_dir)?,
            workspace_title: workspace_title.to_owned(),
            loopback_only: addr.ip().is_loopback(),
            instance: format!("{:x}{:x}", nanos, std::process::id()),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            epubs: Mutex::new(HashMap::new()),
            open: Mutex::new(OpenSockets::default()),
        });
        let s = Arc::clone(&shared);
        let accept = std::thread::Builder::new().name("casebook-preview".into()).spawn(move || accept_loop(listener, s))?;
        Ok(Preview { shared, addr, accept: Some(accept) })
    }

    /// The bound address (with the port chosen when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address to print for a person: `http://127.0.0.1:3000/`.
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}/", SocketAddr::new(ip, self.addr.port()))
    }

    /// Sets the guides the index lists (it sorts them by id), with each one's
    /// last build errors. Open pages change on the next [`Preview::reload`].
    pub fn set_guides(&self, mut guides: Vec<PreviewGuide>) {
        guides.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.title.cmp(&b.title)));
        lock(&self.shared.state).guides = guides;
    }

    /// Sets errors that concern the whole workspace (an unreadable
    /// `casebook.toml`, say), shown above the guides; `None` clears them.
    pub fn set_errors(&self, errors: Option<String>) {
        lock(&self.shared.state).errors = errors;
    }

    /// Tells every open page to reload itself (call it after each rebuild).
    pub fn reload(&self) {
        lock(&self.shared.state).generation += 1;
        self.shared.changed.notify_all();
    }

    /// Stops the server: no new connections, open ones are closed, event
    /// streams end, and every thread is joined before this returns.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else { return };
        self.shared.stopping.store(true, Ordering::SeqCst);
        {
            // Taking the lock orders this wake-up after any waiter's check of `stopping`.
            let _state = lock(&self.shared.state);
            self.shared.changed.notify_all();
        }
        for socket in lock(&self.shared.open).sockets.values() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        // Wake the accept loop, which then sees `stopping`.
        let _ = TcpStream::connect_timeout(&wake_address(self.addr), Duration::from_secs(2));
        let _ = accept.join();
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An address that reaches a listener bound to `addr` (loopback for an unspecified address).
fn wake_address(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port()),
        _ => addr,
    }
}

/// Accepts connections until stopped, one thread each; joins them all at the end.
fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else {
            // Out of file descriptors, or a connection reset before it was accepted.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let (done, live): (Vec<_>, Vec<_>) = threads.into_iter().partition(|t| t.is_finished());
        for t in done {
            let _ = t.join();
        }
        threads = live;
        if threads.len() >= MAX_CONNECTIONS {
            let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
            let _ = write_response(&mut stream, false, &Response::text(503, "Too many connections to the preview; try again."));
            continue;
        }
        let id = {
            let mut open = lock(&shared.open);
            // Checked under the lock that `stop` takes after setting the flag:
            // a socket registered here is always shut down by `stop`.
            if shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(clone) = stream.try_clone() else { continue };
            open.next += 1;
            let id = open.next;
            open.sockets.insert(id, clone);
            id
        };
        let s = Arc::clone(&shared);
        let spawned = std::thread::Builder::new().name("casebook-preview-conn".into()).spawn(move || {
            handle_connection(&s, stream);
            lock(&s.open).sockets.remove(&id);
        });
        match spawned {
            Ok(t) => threads.push(t),
            Err(_) => {
                lock(&shared.open).sockets.remove(&id);
            }
        }
    }
    for t in threads {
        let _ = t.join();
    }
}

// ---------------------------------------------------------------------------
// Requests and responses

/// A response with a body held in memory.
struct Response {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Response {
    fn new(status: u16, content_type: impl Into<String>, body: Vec<u8>) -> Response {
        Response { status, content_type: content_type.into(), body, headers: Vec::new() }
    }

    fn text(status: u16, text: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{text}\n").into_bytes())
    }

    fn not_found() -> Response {
        Response::text(404, "Not found.")
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// The head of a response; every response is the last one on its connection.
fn head_text(status: u16, content_type: &str, length: Option<usize>, headers: &[(&'static str, String)]) -> String {
    let mut h = format!("HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\n", reason(status));
    if let Some(n) = length {
        h.push_str(&format!("Content-Length: {n}\r\n"));
    }
    h.push_str("Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n");
    for (name, value) in headers {
        h.push_str(&format!("{name}: {value}\r\n"));
    }
    h.push_str("\r\n");
    h
}

fn write_response(stream: &mut TcpStream, head_only: bool, r: &Response) -> io::Result<()> {
    let head = head_text(r.status, &r.content_type, Some(r.body.len()), &r.headers);
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

/// The parts of a request head the preview uses.
struct Request {
    method: String,
    target: String,
    host: Option<String>,
}

/// Why a request head could not be read.
enum HeadError {
    /// The connection closed or timed out: nothing to answer.
    Gone,
    /// A malformed or oversized head: answer with this status.
    Status(u16),
}

/// Reads and parses the request head.
fn read_request(stream: &mut TcpStream) -> Result<Request, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(HeadError::Gone),
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 48];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                if req.version != Some(1) && req.version != Some(0) {
                    return Err(HeadError::Status(505));
                }
                let host = req
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("host"))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned());
                return Ok(Request {
                    method: req.method.unwrap_or_default().to_owned(),
                    target: req.path.unwrap_or_default().to_owned(),
                    host,
                });
            }
            Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => continue,
            Ok(httparse::Status::Partial) => {
                return Err(HeadError::Status(if buf.windows(2).any(|w| w == b"\r\n") { 431 } else { 414 }));
            }
            Err(httparse::Error::TooManyHeaders) => return Err(HeadError::Status(431)),
            Err(httparse::Error::Version) => return Err(HeadError::Status(505)),
            Err(_) => return Err(HeadError::Status(400)),
        }
    }
}

/// Serves one connection: one request, one response.
fn handle_connection(shared: &Shared, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let request = match read_request(&mut stream) {
        Ok(r) => r,
        Err(HeadError::Gone) => return,
        Err(HeadError::Status(status)) => {
            let _ = write_response(&mut stream, false, &Response::text(status, reason(status)));
            linger(&mut stream);
            return;
        }
    };
    let head_only = request.method == "HEAD";
    let response = if request.method != "GET" && !head_only {
        Response::text(405, "Only GET and HEAD are allowed.").header("Allow", "GET, HEAD")
    } else if shared.loopback_only && !request.host.as_deref().map_or(true, is_loopback_host) {
        Response::text(400, "This preview answers only to localhost and loopback addresses.")
    } else {
        match route(&request.target) {
            Err(status) => Response::text(status, reason(status)),
            Ok(Route::Events { since }) => {
                event_stream(shared, &mut stream, head_only, since.as_deref());
                return;
            }
            Ok(route) => respond(shared, route),
        }
    };
    let _ = write_response(&mut stream, head_only, &response);
    linger(&mut stream);
}

/// Ends a connection so that the client reads the whole response: closing a
/// socket with unread input (a request body) would reset it.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 4096];
    let mut total = 0;
    while total < 1 << 20 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
}

/// Whether a `Host` header names this machine: `localhost` or a loopback address, with any port.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, _)) => ip,
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

// ---------------------------------------------------------------------------
// Routing

/// What a request path asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Index,
    Events { since: Option<String> },
    LiveScript,
    /// A file directly inside the output folder.
    OutFile(String),
    /// The first document of a guide's EPUB.
    EpubStart(String),
    /// An entry of a guide's EPUB: (guide id, entry name).
    EpubEntry(String, String),
}

/// Splits a request target into decoded path segments and routes it; an
/// error is the status to answer with.
fn route(target: &str) -> Result<Route, u16> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let Some(path) = path.strip_prefix('/') else { return Err(400) };
    if path.contains('\\') {
        return Err(400);
    }
    let mut segments = Vec::new();
    for raw in path.split('/') {
        let Ok(seg) = percent_decode_str(raw).decode_utf8() else { return Err(400) };
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0']) {
            return Err(400);
        }
        segments.push(seg.into_owned());
    }
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ok_name = |s: &str| !s.is_empty() && !s.starts_with('.');
    Ok(match segs.as_slice() {
        [""] | ["index.html"] => Route::Index,
        ["__casebook", "events"] => Route::Events { since: query.and_then(|q| query_value(q, "since")) },
        ["__casebook", "live.js"] => Route::LiveScript,
        [id, "epub"] | [id, "epub", ""] if ok_name(id) => Route::EpubStart((*id).to_owned()),
        [id, "epub", rest @ ..] if ok_name(id) && rest.iter().all(|s| !s.is_empty()) => {
            Route::EpubEntry((*id).to_owned(), rest.join("/"))
        }
        [name] if ok_name(name) && *name != "__casebook" => Route::OutFile((*name).to_owned()),
        _ => return Err(404),
    })
}

/// A query parameter's decoded value.
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode_str(v).decode_utf8_lossy().into_owned())
    })
}

fn respond(shared: &Shared, route: Route) -> Response {
    match route {
        Route::Index => Response::new(200, "text/html; charset=utf-8", index_page(shared).into_bytes()),
        Route::LiveScript => Response::new(200, "text/javascript; charset=utf-8", LIVE_JS.as_bytes().to_vec()),
        Route::OutFile(name) => match out_file(&shared.out_dir, &name) {
            Some(path) => match std::fs::read(&path) {
                Ok(bytes) => Response::new(200, content_type(&name), bytes),
                Err(_) => Response::not_found(),
            },
            None => Response::not_found(),
        },
        Route::EpubStart(id) => match epub(shared, &id) {
            Ok(book) => match book.chapters.first() {
                Some(c) => Response::text(302, "The first page of the book.").header("Location", epub_href(&id, &c.path)),
                None => Response::not_found(),
            },
            Err(_) => Response::not_found(),
        },
        Route::EpubEntry(id, entry) => {
            let Ok(book) = epub(shared, &id) else { return Response::not_found() };
            let Some(bytes) = book.entries.get(&entry) else { return Response::not_found() };
            let media_type = book.media_types.get(&entry).cloned().unwrap_or_else(|| content_type(&entry).to_owned());
            let body = if media_type == "application/xhtml+xml" || media_type == "text/html" {
                inject_live_script(bytes, &live_script_element(&token(shared), &page_links(shared, &id, &book, &entry)))
            } else {
                bytes.clone()
            };
            let media_type = if media_type.starts_with("text/") && !media_type.contains("charset") {
                format!("{media_type}; charset=utf-8")
            } else {
                media_type
            };
            Response::new(200, media_type, body)
        }
        Route::Events { .. } => Response::not_found(),
    }
}

/// A regular file directly inside the output folder, by canonical path: a
/// symlink is followed only when it stays inside the folder.
fn out_file(out_dir: &Path, name: &str) -> Option<PathBuf> {
    let root = out_dir.canonicalize().ok()?;
    let path = root.join(name).canonicalize().ok()?;
    (path.starts_with(&root) && path != root && path.metadata().ok()?.is_file()).then_some(path)
}

/// The content type of a file, from its extension.
fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        "xhtml" => "application/xhtml+xml",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "opf" => "application/oebps-package+xml",
        "ncx" => "application/x-dtbncx+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------
// Live reload

/// The script every served page loads: it follows the event stream and
/// reloads the page on `reload`; on EPUB pages it also adds a bar (index,
/// previous, next) and a comfortable reading width. The page's generation comes from the
/// `data-generation` attribute of its `<script>` element, so a rebuild that
/// lands between serving a page and opening its stream still reloads it.
const LIVE_JS: &str = r#"// casebook live preview: reloads this page after every rebuild, and gives
// an EPUB page a bar with the way back to the index and to the previous and
// next documents (also the left and right arrow keys).
(function () {
  "use strict";
  var script = document.currentScript;
  var data = function (name) { return script ? script.getAttribute("data-" + name) : null; };

  var index = data("index");
  if (index !== null && document.body) {
    var prev = data("prev"), next = data("next");
    var bar = document.createElement("nav");
    bar.id = "casebook-preview-bar";
    bar.setAttribute("aria-label", "casebook preview");
    bar.setAttribute("style", "position: sticky; top: 0; z-index: 2147483647; display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; " +
      "align-items: baseline; margin: 0 -1.5em 1.5em; padding: 0.5em 1.5em; font: 14px/1.4 system-ui, sans-serif; " +
      "background: Canvas; color: CanvasText; border-bottom: 1px solid GrayText;");
    var add = function (text, href, rel) {
      var e = document.createElement(href ? "a" : "span");
      e.textContent = text;
      if (href) e.setAttribute("href", href);
      if (rel) e.setAttribute("rel", rel);
      e.setAttribute("style", href ? "color: LinkText;" : "color: GrayText;");
      bar.appendChild(e);
    };
    add("← All guides", index);
    add(data("book") || "");
    if (data("position")) add(data("position"));
    var spacer = document.createElement("span");
    spacer.setAttribute("style", "flex: 1;");
    bar.appendChild(spacer);
    add("‹ Previous", prev, "prev");
    add("Next ›", next, "next");
    document.body.insertBefore(bar, document.body.firstChild);
    var s = document.body.style;
    s.maxWidth = "46em"; s.margin = "0 auto"; s.padding = "0 1.5em 3em";
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.localName || ""))) return;
      if (e.key === "ArrowLeft" && prev) window.location.href = prev;
      if (e.key === "ArrowRight" && next) window.location.href = next;
    });
  }

  if (!window.EventSource) return;
  var source = new EventSource("/__casebook/events?since=" + encodeURIComponent(data("generation") || ""));
  source.addEventListener("reload", function () {
    source.close();
    window.location.reload();
  });
})();
"#;

/// The current generation, as pages carry it.
fn token(shared: &Shared) -> String {
    format!("{}-{}", shared.instance, lock(&shared.state).generation)
}

/// What the preview bar of an EPUB page shows, as `data-` attributes of its
/// script: the way back to the index, the book's title, the page's place in
/// the spine, and the previous and next documents.
fn page_links(shared: &Shared, id: &str, book: &Epub, entry: &str) -> Vec<(&'static str, String)> {
    let title = lock(&shared.state).guides.iter().find(|g| g.id == id).map_or_else(|| id.to_owned(), |g| g.title.clone());
    let mut attrs = vec![("data-index", format!("/#guide-{}", utf8_percent_encode(id, SEGMENT))), ("data-book", title)];
    if let Some(i) = book.chapters.iter().position(|c| c.path == entry) {
        attrs.push(("data-position", format!("{} / {}", i + 1, book.chapters.len())));
        if let Some(prev) = i.checked_sub(1).and_then(|p| book.chapters.get(p)) {
            attrs.push(("data-prev", epub_href(id, &prev.path)));
        }
        if let Some(next) = book.chapters.get(i + 1) {
            attrs.push(("data-next", epub_href(id, &next.path)));
        }
    }
    attrs
}

/// The `<script>` element pages get, with the current generation and any other `data-` attributes.
fn live_script_element(token: &str, attrs: &[(&'static str, String)]) -> String {
    let mut e = format!("<script src=\"/__casebook/live.js\" data-generation=\"{}\"", escape(token));
    for (name, value) in attrs {
        e.push_str(&format!(" {name}=\"{}\"", escape(value)));
    }
    e.push_str("></script>");
    e
}

/// Puts a script element before the last `</body>` (unchanged when there is none).
fn inject_live_script(doc: &[u8], element: &str) -> Vec<u8> {
    let needle = b"</body>";
    match doc.windows(needle.len()).rposition(|w| w == needle) {
        Some(at) => {
            let mut out = Vec::with_capacity(doc.len() + element.len() + 1);
            out.extend_from_slice(&doc[..at]);
            out.extend_from_slice(element.as_bytes());
            out.push(b'\n');
            out.extend_from_slice(&doc[at..]);
            out
        }
        None => doc.to_vec(),
    }
}

/// Serves `GET /__casebook/events`: a `reload` event after every
/// [`Preview::reload`] (at once if the page's generation `since` is already
/// old), a comment every [`KEEP_ALIVE`], until the page goes or the server stops.
fn event_stream(shared: &Shared, stream: &mut TcpStream, head_only: bool, since: Option<&str>) {
    let head = head_text(200, "text/event-stream; charset=utf-8", None, &[]);
    if stream.write_all(head.as_bytes()).is_err() || head_only {
        return;
    }
    let mut seen = lock(&shared.state).generation;
    let mut first = b"retry: 1000\n\n".to_vec();
    if since.is_some_and(|s| !s.is_empty() && s != format!("{}-{seen}", shared.instance)) {
        first.extend_from_slice(format!("event: reload\ndata: {}-{seen}\n\n", shared.instance).as_bytes());
    }
    if stream.write_all(&first).and_then(|_| stream.flush()).is_err() {
        return;
    }
    loop {
        let generation = {
            let state = lock(&shared.state);
            let (state, _) = shared
                .changed
                .wait_timeout_while(state, KEEP_ALIVE, |s| s.generation == seen && !shared.stopping.load(Ordering::SeqCst))
                .unwrap_or_else(|e| e.into_inner());
            state.generation
        };
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let message = if generation != seen {
            seen = generation;
            format!("event: reload\ndata: {}-{generation}\n\n", shared.instance)
        } else {
            ": waiting for the next build\n\n".to_owned()
        };
        if stream.write_all(message.as_bytes()).and_then(|_| stream.flush()).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// EPUBs

/// A guide's EPUB as the preview serves it, read whole.
struct Epub {
    stamp: Stamp,
    /// Entry name -> bytes.
    entries: HashMap<String, Vec<u8>>,
    /// Entry name -> media type, from the package manifest.
    media_types: HashMap<String, String>,
    /// The spine, in reading order.
    chapters: Vec<Chapter>,
}

/// A document of the spine: entry name, title, and the document the
/// contents list it under (chapter-end case summaries under their chapter).
#[derive(Debug, Clone)]
struct Chapter {
    path: String,
    title: String,
    parent: Option<String>,
}

/// Identifies one version of a file: a rebuild's rename changes at least one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    Stamp { len: meta.len(), modified: meta.modified().ok(), inode }
}

/// The guide's EPUB, read again when its file changed.
fn epub(shared: &Shared, id: &str) -> Result<Arc<Epub>, String> {
    let path = out_file(&shared.out_dir, &format!("{id}.epub")).ok_or_else(|| "not built yet".to_owned())?;
    let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
    let current = stamp(&meta);
    if let Some(book) = lock(&shared.epubs).get(id) {
        if book.stamp == current {
            return Ok(Arc::clone(book));
        }
    }
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    // The file may have been replaced between the two calls: stamp what was read.
    let current = std::fs::metadata(&path).map(|m| stamp(&m)).unwrap_or(current);
    let book = Arc::new(read_epub(&bytes, current)?);
    lock(&shared.epubs).insert(id.to_owned(), Arc::clone(&book));
    Ok(book)
}

/// Reads an EPUB: its entries, the manifest's media types, and the spine with titles.
fn read_epub(bytes: &[u8], stamp: Stamp) -> Result<Epub, String> {
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| format!("not a ZIP archive: {e}"))?;
    let mut entries = HashMap::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(|e| format!("unreadable archive entry: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_owned();
        let mut data = Vec::new();
        (&mut file).take(MAX_EPUB_BYTES - total).read_to_end(&mut data).map_err(|e| format!("{name}: {e}"))?;
        total += data.len() as u64;
        if total >= MAX_EPUB_BYTES {
            return Err("the archive is larger than the preview reads".to_owned());
        }
        entries.insert(name, data);
    }
    let text = |name: &str| -> Result<String, String> {
        let data = entries.get(name).ok_or_else(|| format!("no {name} in the archive"))?;
        String::from_utf8(data.clone()).map_err(|_| format!("{name} is not UTF-8"))
    };
    let container = text("META-INF/container.xml")?;
    let container = parse_xml(&container).map_err(|e| format!("META-INF/container.xml: {e}"))?;
    let opf_path = container
        .descendants()
        .find(|n| n.has_tag_name("rootfile"))
        .and_then(|n| n.attribute("full-path"))
        .ok_or("META-INF/container.xml names no package document")?
        .to_owned();
    let opf_text = text(&opf_path)?;
    let opf = parse_xml(&opf_text).map_err(|e| format!("{opf_path}: {e}"))?;
    let base = parent(&opf_path);
    let mut media_types = HashMap::new();
    let mut items = HashMap::new();
    let mut nav = None;
    for item in opf.descendants().filter(|n| n.has_tag_name("item")) {
        let (Some(id), Some(href)) = (item.attribute("id"), item.attribute("href")) else { continue };
        let Some(path) = resolve_href(base, href) else { continue };
        if let Some(t) = item.attribute("media-type") {
            media_types.insert(path.clone(), t.to_owned());
        }
        if item.attribute("properties").is_some_and(|p| p.split_whitespace().any(|p| p == "nav")) {
            nav = Some(path.clone());
        }
        items.insert(id.to_owned(), path);
    }
    let spine: Vec<String> = opf
        .descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .filter_map(|n| n.attribute("idref").and_then(|id| items.get(id)).cloned())
        .collect();
    let (mut titles, parents) = nav.and_then(|nav| text(&nav).ok().map(|t| nav_titles(&nav, &t))).unwrap_or_default();
    let mut chapters: Vec<Chapter> = spine
        .into_iter()
        .map(|path| {
            let title = titles
                .remove(&path)
                .or_else(|| text(&path).ok().and_then(|t| document_title(&t)))
                .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(&path).to_owned());
            Chapter { parent: parents.get(&path).cloned(), path, title }
        })
        .collect();
    // A parent must be an earlier, top-level document of the spine.
    for i in 0..chapters.len() {
        let keep = chapters[i].parent.as_ref().is_some_and(|p| chapters[..i].iter().any(|c| &c.path == p && c.parent.is_none()));
        if !keep {
            chapters[i].parent = None;
        }
    }
    Ok(Epub { stamp, entries, media_types, chapters })
}

/// Parses XML that may carry `<!DOCTYPE html>`.
fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(text, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
}

/// The folder part of an entry name, with its trailing slash ("" at the root).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// An entry name from a relative URL in the document at folder `base`
/// (query and fragment dropped); `None` for absolute URLs and escapes from the archive.
fn resolve_href(base: &str, href: &str) -> Option<String> {
    let href = href.split(['#', '?']).next().unwrap_or("");
    if href.is_empty() || href.starts_with('/') || href.contains(':') {
        return None;
    }
    let decoded = percent_decode_str(href).decode_utf8().ok()?;
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Entry name -> title, from the links of the navigation document: the
/// contents first (links to whole documents before links into them), then
/// the landmarks. Also entry name -> the document whose contents entry
/// holds the entry's own (a nested list item).
fn nav_titles(nav_path: &str, text: &str) -> (HashMap<String, String>, HashMap<String, String>) {
    let mut titles = HashMap::new();
    let mut parents = HashMap::new();
    let Ok(doc) = parse_xml(text) else { return (titles, parents) };
    let base = parent(nav_path);
    let kind = |n: &roxmltree::Node| n.attribute(("http://www.idpf.org/2007/ops", "type")).unwrap_or("").to_owned();
    let navs: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("nav")).collect();
    let mut ordered: Vec<&roxmltree::Node> = navs.iter().filter(|n| kind(n).split_whitespace().any(|k| k == "toc")).collect();
    ordered.extend(navs.iter().filter(|n| !kind(n).split_whitespace().any(|k| k == "toc")));
    for whole in [true, false] {
        for nav in &ordered {
            for a in nav.descendants().filter(|n| n.has_tag_name("a")) {
                let Some(href) = a.attribute("href") else { continue };
                if whole == href.contains('#') {
                    continue;
                }
                let Some(path) = resolve_href(base, href) else { continue };
                if whole && kind(nav).split_whitespace().any(|k| k == "toc") && !parents.contains_key(&path) {
                    let outer = a.ancestors().filter(|n| n.has_tag_name("li")).nth(1);
                    let outer_link = outer.and_then(|li| li.children().find(|c| c.has_tag_name("a")));
                    if let Some(p) = outer_link.and_then(|l| l.attribute("href")).and_then(|h| resolve_href(base, h)) {
                        if p != path {
                            parents.insert(path.clone(), p);
                        }
                    }
                }
                let title = node_text(a);
                if !title.is_empty() {
                    titles.entry(path).or_insert(title);
                }
            }
        }
    }
    (titles, parents)
}

/// A document's `<title>`.
fn document_title(text: &str) -> Option<String> {
    let doc = parse_xml(text).ok()?;
    let title = node_text(doc.descendants().find(|n| n.has_tag_name("title"))?);
    (!title.is_empty()).then_some(title)
}

/// The text inside a node, with white space collapsed.
fn node_text(node: roxmltree::Node) -> String {
    let text: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// The index page

/// Characters a path segment keeps unencoded in a link.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The link to an EPUB entry.
fn epub_href(id: &str, entry: &str) -> String {
    let mut href = format!("/{}/epub", utf8_percent_encode(id, SEGMENT));
    for seg in entry.split('/') {
        href.push('/');
        href.extend(utf8_percent_encode(seg, SEGMENT));
    }
    href
}

/// Escapes text for HTML content and quoted attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Removes terminal escape sequences (colours) from diagnostics.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// A file size for people.
fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

const INDEX_CSS: &str = "
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --card: #ffffff; --bg: #f4f5f7; --accent: #1a56db; --bad: #b42318; --bad-bg: #fef3f2; --ok: #067647; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #a0a4ab; --line: #3a3d42; --card: #1f2023; --bg: #151618; --accent: #8ab4f8; --bad: #f97066; --bad-bg: #2d1512; --ok: #47cd89; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
header { background: var(--card); border-bottom: 1px solid var(--line); }
header div, main { max-width: 54rem; margin: 0 auto; padding: 1rem 1.5rem; }
header h1 { margin: 0; font-size: 1.4rem; }
header p { margin: 0.2rem 0 0; color: var(--muted); font-size: 0.9rem; }
main { padding-top: 1.5rem; }
section.guide { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.1rem 1.4rem 1.2rem; margin: 0 0 1.25rem; }
section.guide h2 { margin: 0; font-size: 1.2rem; }
.id { color: var(--muted); font: 0.85rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.editions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.8rem 0 0.4rem; padding: 0; list-style: none; }
.editions a, .editions span { display: inline-block; padding: 0.25rem 0.8rem; border: 1px solid var(--line); border-radius: 999px; font-size: 0.9rem; text-decoration: none; }
.editions a { color: var(--accent); }
.editions span { color: var(--muted); }
.editions small { color: var(--muted); }
.status { font-size: 0.9rem; margin: 0.4rem 0 0; }
.status.ok { color: var(--ok); }
.errors { border: 1px solid var(--bad); background: var(--bad-bg); border-radius: 8px; padding: 0.6rem 0.9rem; margin: 0.8rem 0 0.4rem; }
.errors h3 { margin: 0 0 0.3rem; font-size: 0.95rem; color: var(--bad); }
.errors pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 0.8rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
h3.chapters { margin: 0.9rem 0 0.3rem; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
ol.chapters { margin: 0; padding-left: 1.6rem; columns: 2 18rem; column-gap: 2rem; }
ol.chapters li { break-inside: avoid; padding: 0.1rem 0; }
ol.chapters ul { margin: 0; padding-left: 1.1rem; list-style: none; font-size: 0.9rem; }
ol.chapters ul li::before { content: '↳ '; color: var(--muted); }
ol.chapters a { color: var(--accent); text-decoration: none; }
ol.chapters a:hover, .editions a:hover { text-decoration: underline; }
p.empty { color: var(--muted); }
";

/// The index page: every guide with its editions, chapters and errors.
fn index_page(shared: &Shared) -> String {
    let (guides, errors, token) = {
        let state = lock(&shared.state);
        (state.guides.clone(), state.errors.clone(), format!("{}-{}", shared.instance, state.generation))
    };
    let title = if shared.workspace_title.is_empty() { "casebook" } else { &shared.workspace_title };
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!("<title>{} — casebook preview</title>\n<style>{INDEX_CSS}</style>\n</head>\n<body>\n", escape(title)));
    h.push_str(&format!(
        "<header><div><h1>{}</h1><p>casebook live preview · this page reloads after every build · serving {}</p></div></header>\n<main>\n",
        escape(title),
        escape(&shared.out_dir.display().to_string())
    ));
    if let Some(e) = &errors {
        h.push_str(&format!(
            "<div class=\"errors\" role=\"alert\"><h3>The workspace has errors</h3><pre>{}</pre></div>\n",
            escape(strip_ansi(e).trim_end())
        ));
    }
    if guides.is_empty() {
        h.push_str("<p class=\"empty\">No guide has been built yet.</p>\n");
    }
    for g in &guides {
        h.push_str(&format!("<section class=\"guide\" id=\"guide-{}\">\n", escape(&g.id)));
        h.push_str(&format!("<h2>{}</h2>\n<div class=\"id\">{}</div>\n", escape(&g.title), escape(&g.id)));
        h.push_str("<ul class=\"editions\">\n");
        for (name, label) in &g.outputs {
            match out_file(&shared.out_dir, name).and_then(|p| p.metadata().ok()) {
                Some(meta) => h.push_str(&format!(
                    "<li><a href=\"/{}\">{} <small>{}</small></a></li>\n",
                    escape(&utf8_percent_encode(name, SEGMENT).to_string()),
                    escape(label),
                    human_size(meta.len())
                )),
                None => h.push_str(&format!("<li><span>{}: not built</span></li>\n", escape(label))),
            }
        }
        h.push_str("</ul>\n");
        match &g.errors {
            Some(e) => h.push_str(&format!(
                "<div class=\"errors\" role=\"alert\"><h3>The last build failed; the last good edition is shown</h3><pre>{}</pre></div>\n",
                escape(strip_ansi(e).trim_end())
            )),
            None => h.push_str("<p class=\"status ok\">Built without errors.</p>\n"),
        }
        match epub(shared, &g.id) {
            Ok(book) => {
                h.push_str("<h3 class=\"chapters\">EPUB, as web pages</h3>\n<ol class=\"chapters\">\n");
                let link = |c: &Chapter| format!("<a href=\"{}\">{}</a>", escape(&epub_href(&g.id, &c.path)), escape(&c.title));
                for c in book.chapters.iter().filter(|c| c.parent.is_none()) {
                    h.push_str(&format!("<li>{}", link(c)));
                    let kids: Vec<&Chapter> = book.chapters.iter().filter(|k| k.parent.as_ref() == Some(&c.path)).collect();
                    if !kids.is_empty() {
                        h.push_str("\n<ul>\n");
                        for k in kids {
                            h.push_str(&format!("<li>{}</li>\n", link(k)));
                        }
                        h.push_str("</ul>\n");
                    }
                    h.push_str("</li>\n");
                }
                h.push_str("</ol>\n");
            }
            Err(e) if out_file(&shared.out_dir, &format!("{}.epub", g.id)).is_some() => {
                h.push_str(&format!("<p class=\"empty\">The EPUB could not be read: {}</p>\n", escape(&e)));
            }
            Err(_) => {}
        }
        h.push_str("</section>\n");
    }
    h.push_str("</main>\n");
    h.push_str(&live_script_element(&token, &[]));
    h.push_str("\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_refuse_traversal_and_decode_segments() {
        assert_eq!(route("/"), Ok(Route::Index));
        assert_eq!(route("/a.pdf"), Ok(Route::OutFile("a.pdf".into())));
        assert_eq!(route("/g/epub/EPUB/ch%2001.xhtml"), Ok(Route::EpubEntry("g".into(), "EPUB/ch 01.xhtml".into())));
        assert_eq!(route("/g/epub/"), Ok(Route::EpubStart("g".into())));
        assert_eq!(route("/__casebook/events?since=a-1"), Ok(Route::Events { since: Some("a-1".into()) }));
        for bad in ["/../x", "/%2e%2e/x", "/%2E%2E", "/x/..%2f..%2fetc/passwd", "/a\\b", "/a%5cb", "/a%00", "x", "/%ff"] {
            assert_eq!(route(bad), Err(400), "{bad}");
        }
        for missing in ["//etc/passwd", "/.hidden", "/a/b", "/g/epub/a//b", "/__casebook", "/__casebook/x"] {
            assert_eq!(route(missing), Err(404), "{missing}");
        }
    }

    #[test]
    fn hrefs_resolve_inside_the_archive_only() {
        assert_eq!(resolve_href("EPUB/", "ch01.xhtml#x").as_deref(), Some("EPUB/ch01.xhtml"));
        assert_eq!(resolve_href("EPUB/text/", "../css/a%20b.css").as_deref(), Some("EPUB/css/a b.css"));
        assert_eq!(resolve_href("", "../x"), None);
        assert_eq!(resolve_href("EPUB/", "https://example.org/"), None);
    }

    #[test]
    fn hosts_and_scripts() {
        for ok in ["localhost", "localhost:3000", "127.0.0.1:80", "[::1]:3000", "127.9.9.9"] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in ["example.org", "evil.localhost.example:3000", "10.0.0.1:3000", "[::2]"] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
        let doc = b"<html><body><p>x</p></body></html>";
        let element = live_script_element("t-1", &[("data-book", "A & <B>".to_owned())]);
        let out = String::from_utf8(inject_live_script(doc, &element)).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__casebook/live.js\" data-generation=\"t-1\" data-book=\"A &amp; &lt;B&gt;\"></script>\n</body></html>"
        );
        assert_eq!(strip_ansi("\u{1b}[1;31merror\u{1b}[0m: x"), "error: x");
    }
}
