//! Hardening: isolation on single-record routes, ids that are not single path segments,
//! pasted keys never echoed, server limits, response size caps, hook process groups, integer
//! range, oversize artifacts, missing descriptions, secret false positives, and the real
//! shapes of Claude API replies.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use agentb::erp::server::ServeLimits;
use agentb::erp::{Erp, HttpErp, HttpOptions, LocalErp, Record, Secret, Store};
use serde_json::{Value, json};

use crate::support::runtime::{answer, project, tool_results};
use crate::support::{ErpServer, FakeClaude, Reply, Test};

const KEY: &str = "test-key-7f3a9c2e51d84b06a1";

/// Sends a raw request to `server`; returns the status and the JSON body (`null` when empty).
async fn raw(
    server: &ErpServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = http.request(method, format!("{}{path}", server.url())).bearer_auth(KEY);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

const ACME: (&str, &str) = ("x-organization-id", "acme");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_record_routes_refuse_a_foreign_org_in_query_or_body() {
    let server = ErpServer::start(KEY);
    let (status, _) = raw(&server, "POST", "/api/v1/clients", &[ACME], Some(r#"{"id":"q3","name":"Q"}"#)).await;
    assert_eq!(status, 201);
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("GET", "/api/v1/clients/q3?organizationId=beta", None),
        ("PATCH", "/api/v1/clients/q3?organizationId=beta", Some(r#"{"name":"X"}"#)),
        ("PUT", "/api/v1/clients/q3?organizationId=beta", Some(r#"{"name":"X"}"#)),
        ("DELETE", "/api/v1/clients/q3?organizationId=beta", None),
        ("DELETE", "/api/v1/clients/q3", Some(r#"{"organizationId":"beta"}"#)),
        ("PATCH", "/api/v1/clients/q3", Some(r#"{"organizationId":"beta"}"#)),
    ];
    for (method, path, body) in cases {
        let (status, value) = raw(&server, method, path, &[ACME], *body).await;
        assert_eq!((status, value["error"]["code"].as_str()), (403, Some("org_mismatch")), "{method} {path}: {value}");
    }
    // The own org in the query or a DELETE body is fine; q3 is still there, unchanged.
    let (status, value) = raw(&server, "GET", "/api/v1/clients/q3?organizationId=acme", &[ACME], None).await;
    assert_eq!((status, value["name"].as_str()), (200, Some("Q")), "{value}");
    // A repeated org header is a 400 on every route.
    let twice = [ACME, ("x-organization-id", "beta")];
    for (method, path) in [("GET", "/api/v1/clients/q3"), ("GET", "/api/v1/clients"), ("DELETE", "/api/v1/clients/q3")]
    {
        let (status, value) = raw(&server, method, path, &twice, None).await;
        assert_eq!((status, value["error"]["code"].as_str()), (400, Some("duplicate_org")), "{method} {path}: {value}");
    }
    let (status, _) = raw(&server, "DELETE", "/api/v1/clients/q3", &[ACME], Some(r#"{"organizationId":"acme"}"#)).await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------------
// Ids are single path segments.

/// Ids that are not a single path segment.
const BAD_IDS: &[&str] = &["", ".", "..", "a/b", "../x", "a\nb", "a\u{7f}"];

/// A server on loopback that counts the requests it gets and answers `{}`.
async fn counting() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hits);
    let app = axum::Router::new().fallback(move || {
        let seen = Arc::clone(&seen);
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            ([("content-type", "application/json")], r#"{"data":[],"nextCursor":null}"#)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

fn options() -> HttpOptions {
    HttpOptions { max_retries: 0, timeout: Duration::from_secs(5), ..HttpOptions::default() }
}

#[tokio::test]
async fn the_client_never_sends_an_id_that_is_not_one_path_segment() {
    let (url, hits) = counting().await;
    let erp = HttpErp::new("remote", &url, Some(Secret::new(KEY)), options()).unwrap();
    let local = LocalErp::in_memory("local").unwrap();
    local.add_org("acme", "Acme").unwrap();
    for erp in [&erp as &dyn Erp, &local] {
        for id in BAD_IDS {
            let results = [
                erp.get("acme", "clients", id).await.map(|_| ()),
                erp.delete("acme", "briefs", id).await.map(|_| ()),
                erp.patch("acme", "briefs", id, Record::new()).await.map(|_| ()),
                erp.put("acme", "briefs", id, Record::new()).await.map(|_| ()),
            ];
            for result in results {
                let err = result.expect_err("refused");
                assert_eq!((err.status(), err.code()), (Some(400), Some("invalid_id")), "{id:?}: {err}");
                assert!(!err.to_string().contains('\n'), "{err}");
            }
        }
        let mut body = Record::new();
        body.insert("id".into(), json!(".."));
        let err = erp.create("acme", "briefs", body).await.expect_err("refused");
        assert_eq!(err.code(), Some("invalid_id"), "{err}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refuses_dot_segments_and_encoded_slashes_as_ids() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let server = ErpServer::start(KEY);
    let addr = server.url().trim_start_matches("http://").to_owned();
    for (method, path) in [
        ("GET", "/api/v1/clients/.."),
        ("GET", "/api/v1/clients/%2E%2E"),
        ("DELETE", "/api/v1/briefs/."),
        ("GET", "/api/v1/clients/a%2Fb"),
        ("GET", "/api/v1/clients/a%0Ab"),
    ] {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nX-Organization-Id: acme\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{method} {path}: {answer}");
        assert!(answer.contains("invalid_id"), "{method} {path}: {answer}");
    }
}

#[test]
fn a_tool_call_with_a_dot_id_is_an_error_for_the_model_and_sends_nothing() {
    let server = ErpServer::start(KEY);
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_get_client", json!({"id": ".."})),
            ("toolu_2", "erp_delete_brief", json!({"id": "."})),
        ]),
        Reply::text(&answer(&json!({"brief_id": "b1", "summary": "s"}))),
    ]);
    let test = project(&claude, &server.instance_config("remote", "REMOTE_KEY")).env("REMOTE_KEY", KEY);
    test.args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1", "--approve", "t3"])
        .run()
        .code(0)
        .done();
    let results = tool_results(&claude.requests()[1]);
    assert_eq!(results.len(), 2);
    for (_, content, is_error) in &results {
        assert!(*is_error && content.contains("is not a record id"), "{content}");
    }
    let (_, log) = server.stop();
    assert!(!log.contains("path=/api/v1/clients ") && !log.contains("path=/api/v1/briefs "), "{log}");
}

// ---------------------------------------------------------------------------------------------
// A key pasted where a variable name belongs is never echoed.

const PASTED: &str = "sk-ant-api03-PastedKeyAbCdEf0123456789XyZ";

#[test]
fn a_key_pasted_into_key_env_is_never_printed() {
    let config = format!(
        "[erp]\ndefault = \"remote\"\n\n[erp.instances.remote]\nurl = \"http://127.0.0.1:9\"\nkey_env = \"{PASTED}\"\nmax_retries = 0\n"
    );
    let test = Test::example().file(".agentbuilder.toml", &config);
    let run =
        test.args(["erp", "ping", "--instance", "remote"]).run().code(2).output_lacks(PASTED).output_lacks("PastedKey");
    let run = run.stderr_contains("looks like a key, not a variable name");
    // Deploy lints first: the pasted key is a lint error, reported without the key.
    let run = run.test.args(["deploy", "--plan", "--org", "acme"]).run().code(1).output_lacks("PastedKey");
    let run = run.stderr_contains("AB033").stderr_contains("looks like a key");
    let run = run.test.args(["status"]).run().output_lacks("PastedKey");
    let run = run.test.args(["lint"]).run().code(1).output_lacks("PastedKey");
    run.stderr_contains("AB033").stderr_contains(".agentbuilder.toml").done();
}

#[test]
fn a_key_pasted_into_api_key_env_is_never_printed() {
    let claude = FakeClaude::start([]);
    let config = format!("[claude]\napi_key_env = \"{PASTED}\"\n");
    let test = project(&claude, "").file(".agentbuilder.toml", &config);
    let run = test.args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"]).run().code(2);
    let run = run.output_lacks("PastedKey").stderr_contains("looks like a key, not a variable name");
    run.test.args(["lint", "--format", "json"]).run().code(1).output_lacks("PastedKey").stdout_contains("AB033").done();
    assert!(claude.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// `erp serve` keeps serving while idle or slow clients hold connections.

async fn limited_server(limits: ServeLimits) -> (String, tokio::sync::oneshot::Sender<()>) {
    let store = Arc::new(Store::in_memory().unwrap());
    store.add_org("acme", "Acme").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(agentb::erp::server::serve_with(listener, store, Some(Secret::new(KEY)), limits, async {
        let _ = rx.await;
    }));
    (addr, tx)
}

async fn healthy(addr: &str) -> Duration {
    let started = Instant::now();
    let response = reqwest::Client::new().get(format!("http://{addr}/healthz")).send().await.expect("healthz");
    assert_eq!(response.status(), 200);
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_idle_connections_never_stop_serving_others() {
    use tokio::io::AsyncReadExt as _;
    let limits = ServeLimits {
        header_read_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(4),
        max_connections: 4096,
    };
    let (addr, stop) = limited_server(limits).await;
    let mut idle = Vec::with_capacity(2000);
    for _ in 0..2000 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.expect("connect"));
    }
    let took = healthy(&addr).await;
    assert!(took < Duration::from_secs(1), "a normal request took {took:?} beside 2,000 idle connections");
    // A connection that never sends its headers is closed after the header-read timeout.
    let mut silent = idle.pop().unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0) | Err(_))), "not closed: {read:?}");
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");
    drop(idle);
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_bound_are_closed_and_slow_headers_time_out() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let limits = ServeLimits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(30),
        max_connections: 20,
    };
    let (addr, stop) = limited_server(limits).await;
    let mut held = Vec::new();
    for _ in 0..20 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        // A slow client: half a header, then nothing.
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(2), extra.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0) | Err(_))), "the connection past the bound stayed open: {read:?}");
    // The slow ones are dropped at the header timeout; then others are served again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let took = healthy(&addr).await;
    assert!(took < Duration::from_secs(1), "{took:?}");
    let mut closed = 0;
    for stream in &mut held {
        if matches!(tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await, Ok(Ok(_) | Err(_))) {
            closed += 1;
        }
    }
    assert_eq!(closed, 20, "every slow connection was closed");
    let _ = stop.send(());
}

// ---------------------------------------------------------------------------------------------
// The clients never trust the server's sizes.

/// Serves `reply(n)` to the n-th request (from 0); `None`: an endless body with no length (of
/// `x` in 64 KiB chunks, or of `ping` events for an event stream).
async fn sized(
    content_type: &'static str,
    reply: impl Fn(usize) -> Option<String> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hits);
    let reply = Arc::new(reply);
    let app = axum::Router::new().fallback(move || {
        let (seen, reply) = (Arc::clone(&seen), Arc::clone(&reply));
        async move {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let body = if let Some(text) = reply(n) {
                axum::body::Body::from(text)
            } else {
                let chunk = if content_type == "text/event-stream" {
                    axum::body::Bytes::from("event: ping\ndata: {\"type\": \"ping\"}\n\n".repeat(2048))
                } else {
                    bytes_of(64 * 1024)
                };
                axum::body::Body::from_stream(futures_util::stream::repeat_with(move || {
                    Ok::<_, std::io::Error>(chunk.clone())
                }))
            };
            ([("content-type", content_type)], body)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

fn bytes_of(n: usize) -> axum::body::Bytes {
    axum::body::Bytes::from(vec![b'x'; n])
}

#[tokio::test]
async fn an_endless_erp_response_stops_at_the_cap() {
    let (url, _) = sized("application/json", |_| None).await;
    let erp = HttpErp::new("remote", &url, None, options()).unwrap().with_limits(1024 * 1024, 100);
    let started = Instant::now();
    let err = erp.get("acme", "briefs", "b1").await.expect_err("too large");
    assert!(err.to_string().contains("larger than `erp.max_response_bytes` (1048576 bytes)"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // A declared length over the cap fails before the body is read.
    let big = "x".repeat(4096);
    let (url, _) = sized("application/json", move |_| Some(big.clone())).await;
    let erp = HttpErp::new("remote", &url, None, options()).unwrap().with_limits(1024, 100);
    let err = erp.get("acme", "briefs", "b1").await.expect_err("too large");
    assert!(err.to_string().contains("max_response_bytes"), "{err}");
}

#[tokio::test]
async fn endless_or_repeated_cursors_are_errors() {
    use agentb::erp::{ErpExt as _, ListQuery};
    let (url, hits) = sized("application/json", |n| Some(format!(r#"{{"data":[],"nextCursor":"c{n}"}}"#))).await;
    let erp = HttpErp::new("remote", &url, None, options()).unwrap().with_limits(1 << 20, 25);
    let err = erp.list_all("acme", "briefs", ListQuery::new()).await.expect_err("endless");
    assert!(err.to_string().contains("past `erp.max_pages` (25 pages)"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 25);
    let err = erp.organizations().await.expect_err("endless");
    assert!(err.to_string().contains("erp.max_pages"), "{err}");
    let (url, hits) = sized("application/json", |n| Some(format!(r#"{{"data":[],"nextCursor":"c{}"}}"#, n % 3))).await;
    let erp = HttpErp::new("remote", &url, None, options()).unwrap();
    let err = erp.list_all("acme", "briefs", ListQuery::new()).await.expect_err("a loop");
    assert!(err.to_string().contains("returned the `nextCursor` `c0` twice"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn an_endless_claude_reply_stops_at_the_cap() {
    use agentb::claude::{ClaudeClient, ClaudeOptions, Message, MessagesRequest, Model as _};
    for (content_type, stream) in [("application/json", false), ("text/event-stream", true)] {
        let (url, _) = sized(content_type, |_| None).await;
        let options = ClaudeOptions { max_retries: 0, timeout: Duration::from_secs(5), ..ClaudeOptions::default() };
        let client =
            ClaudeClient::new(&url, Secret::new("k"), options).unwrap().with_max_response_bytes(2 * 1024 * 1024);
        let mut request = MessagesRequest::new("claude-sonnet-4-5", 64, vec![Message::user_text("hi")]);
        request.stream = stream;
        let started = Instant::now();
        let err = client.send(&request, &|_: &str| {}).await.expect_err("too large");
        assert!(err.to_string().contains("larger than `claude.max_response_bytes` (2097152 bytes)"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{content_type}: {:?}", started.elapsed());
    }
}
