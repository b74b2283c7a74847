//! [`FlakyProxy`]: a real HTTP proxy on loopback in front of an `agentb erp serve`, which
//! injects faults for chosen orgs — 500 answers, delays past the client's timeout, dropped
//! connections — and counts the writes it forwards. One request per connection (answers carry
//! `Connection: close`), one thread per connection.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fault injected for an org's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer `500` with a JSON error body.
    Status500,
    /// Wait this long, then close without answering (a timeout for the client).
    Hang(Duration),
    /// Close the connection without answering.
    Drop,
}

#[derive(Debug, Default)]
struct Rules {
    /// Org → fault, applied to writes (non-GET requests) only.
    faults: HashMap<String, Fault>,
    /// A delay before forwarding every write (to make a deploy slow).
    write_delay: Option<Duration>,
    /// Collections answered 404 as a route that does not exist (an ERP of an older contract).
    hidden: Vec<String>,
}

/// A running proxy; stops when dropped.
pub struct FlakyProxy {
    url: String,
    rules: Arc<Mutex<Rules>>,
    writes: Arc<AtomicUsize>,
    faulted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl FlakyProxy {
    /// Starts a proxy forwarding to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Self {
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let rules = Arc::new(Mutex::new(Rules::default()));
        let writes = Arc::new(AtomicUsize::new(0));
        let faulted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, w, f, s) = (Arc::clone(&rules), Arc::clone(&writes), Arc::clone(&faulted), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (r, w, f, up) = (Arc::clone(&r), Arc::clone(&w), Arc::clone(&f), upstream.clone());
                std::thread::spawn(move || {
                    let _ = handle(stream, &up, &r, &w, &f);
                });
            }
        });
        Self { url: format!("http://{addr}"), rules, writes, faulted, stop, addr }
    }

    /// Returns the proxy's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Injects a fault for every write of `org`.
    pub fn fail(&self, org: &str, fault: Fault) {
        self.rules.lock().expect("rules").faults.insert(org.to_owned(), fault);
    }

    /// Removes every fault.
    pub fn heal(&self) {
        self.rules.lock().expect("rules").faults.clear();
    }

    /// Answers every request on these collections 404 `no route`, as an ERP that implements an
    /// older contract would.
    pub fn hide_collections(&self, collections: &[&str]) {
        self.rules.lock().expect("rules").hidden = collections.iter().map(|c| (*c).to_owned()).collect();
    }

    /// Delays every forwarded write.
    pub fn slow_writes(&self, delay: Option<Duration>) {
        self.rules.lock().expect("rules").write_delay = delay;
    }

    /// Returns how many writes were forwarded to the ERP.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// Returns how many requests got a fault.
    pub fn faulted(&self) -> usize {
        self.faulted.load(Ordering::SeqCst)
    }

    /// Returns an `[erp]` config for this proxy as the default instance `name`, with a short
    /// timeout and no retries so that faults surface at once.
    pub fn instance_config(&self, name: &str, key_env: &str) -> String {
        format!(
            "[erp]\ndefault = \"{name}\"\n\n[erp.instances.{name}]\nurl = \"{}\"\nkey_env = \"{key_env}\"\ntimeout_secs = 1\nmax_retries = 0\n",
            self.url
        )
    }
}

impl Drop for FlakyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads one request: head and body (by `Content-Length`).
fn read_request(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

fn handle(
    mut client: TcpStream,
    upstream: &str,
    rules: &Mutex<Rules>,
    writes: &AtomicUsize,
    faulted: &AtomicUsize,
) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client)?;
    let method = head.split_whitespace().next().unwrap_or("GET").to_owned();
    let is_write = method != "GET" && method != "HEAD";
    let org = header(&head, "x-organization-id").unwrap_or_default();
    let path = head.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
    let hidden = rules.lock().expect("rules").hidden.iter().any(|c| {
        let base = format!("/api/v1/{c}");
        path == base || path.starts_with(&format!("{base}/"))
    });
    if hidden {
        let body = format!(r#"{{"error":{{"code":"not_found","message":"no route for {method} {path}"}}}}"#);
        write!(
            client,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let _ = client.shutdown(Shutdown::Both);
        return Ok(());
    }
    let (fault, delay) = {
        let rules = rules.lock().expect("rules");
        (if is_write { rules.faults.get(&org).copied() } else { None }, rules.write_delay.filter(|_| is_write))
    };
    if let Some(fault) = fault {
        faulted.fetch_add(1, Ordering::SeqCst);
        match fault {
            Fault::Status500 => {
                let body = r#"{"error":{"code":"injected","message":"injected failure"}}"#;
                write!(
                    client,
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )?;
            }
            Fault::Hang(d) => std::thread::sleep(d),
            Fault::Drop => {}
        }
        let _ = client.shutdown(Shutdown::Both);
        return Ok(());
    }
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    // Forward with `Connection: close`, so the upstream ends the answer by closing.
    let mut lines: Vec<&str> = head.trim_end().lines().collect();
    lines.retain(|l| {
        let name = l.split(':').next().unwrap_or("").trim();
        !name.eq_ignore_ascii_case("connection") && !name.eq_ignore_ascii_case("keep-alive")
    });
    let mut request = lines.join("\r\n").into_bytes();
    request.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    request.extend_from_slice(&body);
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(&request)?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    if is_write {
        writes.fetch_add(1, Ordering::SeqCst);
    }
    client.write_all(&with_close(response))?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Returns a response whose head says `Connection: close`, so the client never reuses the
/// connection this proxy closes.
fn with_close(response: Vec<u8>) -> Vec<u8> {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else { return response };
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let mut out: Vec<u8> = head
        .lines()
        .filter(|l| !l.split(':').next().unwrap_or("").trim().eq_ignore_ascii_case("connection"))
        .collect::<Vec<_>>()
        .join("\r\n")
        .into_bytes();
    out.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    out.extend_from_slice(&response[end + 4..]);
    out
}
