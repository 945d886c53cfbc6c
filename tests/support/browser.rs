//! A raw HTTP/1.1 client over `std::net` (the bytes sent are exactly the
//! bytes given, so tests can send malformed and hostile requests), and a
//! small WebDriver client that drives Debian's headless Chromium through
//! `chromedriver` (Debian package `chromium-driver`). A missing browser or
//! driver fails the test that needs it; nothing is skipped.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A response as read off the socket.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header of that (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` as is and reads the response: up to its `Content-Length`
/// (some servers keep the connection open), else until the server closes
/// the connection (within 20 s). The response to HEAD is read until the
/// server closes, and whatever follows its head is kept as its body.
pub fn http_raw(addr: SocketAddr, request: &[u8]) -> HttpResponse {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).expect("send the request");
    let head_only = request.starts_with(b"HEAD ");
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
            match length {
                Some(n) if !head_only && raw.len() >= end + 4 + n => break,
                _ => {}
            }
        }
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) => panic!("reading the response: {e}; got {:?}", String::from_utf8_lossy(&raw)),
        }
    }
    parse_response(&raw, head_only).unwrap_or_else(|| panic!("not an HTTP response: {:?}", String::from_utf8_lossy(&raw)))
}

/// `GET target` (or another method) with a Host header for `addr`.
pub fn http(addr: SocketAddr, method: &str, target: &str) -> HttpResponse {
    http_raw(addr, format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: casebook-tests\r\n\r\n").as_bytes())
}

/// Parses a complete response (head and body; for HEAD, all that follows the head).
pub fn parse_response(raw: &[u8], head_only: bool) -> Option<HttpResponse> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body)?;
    } else if let Some((_, len)) = headers.iter().find(|(n, _)| n == "content-length" && !head_only) {
        body.truncate(len.parse().ok()?);
    }
    Some(HttpResponse { status, headers, body })
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

/// A JSON request to a local HTTP server (chromedriver), returning the JSON body.
fn json_request(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = http_raw(addr, req.as_bytes());
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

/// A headless Chromium session driven over WebDriver; closed on drop.
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
}

/// Where Debian installs the browser (package `chromium`).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian installs its WebDriver (package `chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

impl Browser {
    /// Starts `chromedriver` on a free loopback port and opens a headless
    /// Chromium session with a 1200×900 window.
    pub fn start() -> Browser {
        assert!(
            Path::new(CHROMIUM).is_file(),
            "{CHROMIUM} is missing: this test needs Debian's Chromium (`apt-get install chromium`, or `bash scripts/validators.sh`)"
        );
        assert!(
            Path::new(CHROMEDRIVER).is_file(),
            "{CHROMEDRIVER} is missing: this test needs Debian's chromium-driver (`apt-get install chromium-driver`, or `bash scripts/validators.sh`)"
        );
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut browser = Browser { driver, addr, session: String::new() };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(addr).is_ok() && json_request(addr, "GET", "/status", None).1["value"]["ready"] == json!(true) {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready in 20 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-dev-shm-usage", "--window-size=1200,900", "--hide-scrollbars"]
            }
        }}});
        let (status, v) = json_request(addr, "POST", "/session", Some(&caps));
        assert_eq!(status, 200, "chromedriver could not start Chromium: {v}");
        browser.session = v["value"]["sessionId"].as_str().expect("a session id").to_owned();
        browser
    }

    fn command(&self, method: &str, what: &str, body: Option<&Value>) -> Value {
        let (status, v) = json_request(self.addr, method, &format!("/session/{}/{what}", self.session), body);
        assert_eq!(status, 200, "WebDriver {method} {what} failed: {v}");
        v["value"].clone()
    }

    /// Loads a page and waits for it to load.
    pub fn goto(&self, url: &str) {
        self.command("POST", "url", Some(&json!({ "url": url })));
    }

    /// Runs a script in the page (`return …` gives a value).
    pub fn eval(&self, script: &str) -> Value {
        self.command("POST", "execute/sync", Some(&json!({ "script": script, "args": [] })))
    }

    /// The page's visible text, or "" while it is between documents.
    pub fn text(&self) -> String {
        let (status, v) = json_request(
            self.addr,
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            Some(&json!({ "script": "return document.body ? document.body.innerText : ''", "args": [] })),
        );
        if status == 200 { v["value"].as_str().unwrap_or("").to_owned() } else { String::new() }
    }

    /// Waits until the page's text satisfies `ok`; returns the text, or
    /// panics with the last text after `timeout`.
    pub fn wait_for_text(&self, timeout: Duration, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.text();
            if ok(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "the page did not show {what} within {timeout:?}; it shows:\n{text}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG screenshot of the window.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let v = self.command("GET", "screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("base64 PNG")).expect("valid base64");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = json_request(self.addr, "DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
