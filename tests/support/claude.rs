//! [`FakeClaude`]: a fake Anthropic Messages API — a real axum HTTP server on a free loopback
//! port, in a background thread of the test process. It answers each `POST /v1/messages` with
//! the next scripted [`Reply`] and records every request (headers and JSON body).
//!
//! ```ignore
//! let claude = FakeClaude::start([
//!     Reply::status(429).header("retry-after", "0").body(r#"{"type":"error",...}"#),
//!     Reply::tool_use("toolu_1", "erp_get_client", json!({"id": "c1"})),
//!     Reply::text("done"),
//! ]);
//! Test::new().claude(&claude).args(["run", ...]).run();   // WithClaude: ANTHROPIC_BASE_URL and a fake key
//! assert_eq!(claude.requests().len(), 3);
//! ```
//!
//! A message reply ([`Reply::text`], [`Reply::tool_use`], [`Reply::message`]) is served as JSON,
//! or as an SSE stream of the same message when the request asks for `stream: true`;
//! [`Reply::stream`] always streams, and [`Reply::sse`] sends raw events (errors, unknown events,
//! pauses). When the script runs out the server answers 500 `fake claude: script exhausted`.
//!
//! The file depends on nothing else in `tests/` so `examples/fake_claude.rs` can serve it as a
//! standalone process (for the memory measurement in `scripts/`).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

/// The API key the harness hands the binary (any value works: the fake only records it).
pub const FAKE_KEY: &str = "sk-ant-fake-0123456789-SECRET";

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Header names in lowercase.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (`Value::Null` when it was not JSON).
    pub body: Value,
    /// The body as sent.
    pub raw: String,
}

impl Recorded {
    /// Returns a header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// Returns whether the request asked for a stream.
    pub fn stream(&self) -> bool {
        self.body.get("stream").and_then(Value::as_bool).unwrap_or(false)
    }

    /// Returns the request's messages.
    pub fn messages(&self) -> &[Value] {
        self.body.get("messages").and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }
}

/// One item of a raw SSE reply.
#[derive(Debug, Clone)]
pub enum SseItem {
    /// `event: NAME` and `data: DATA`.
    Event { name: String, data: String },
    /// Waits before the next item (to test stalls and timeouts).
    Pause(Duration),
    /// Bytes sent as they are.
    Raw(String),
}

impl SseItem {
    /// Returns an event with a JSON payload.
    pub fn event(name: &str, data: &Value) -> Self {
        Self::Event { name: name.to_owned(), data: data.to_string() }
    }
}

type ReplyFn = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Clone)]
enum ReplyBody {
    /// A message, served as JSON or SSE depending on the request.
    Message(Value),
    /// A message, always served as SSE.
    Stream(Value),
    /// Raw SSE items.
    Sse(Vec<SseItem>),
    /// A raw status with a raw body.
    Raw { status: u16, body: String },
    /// A reply computed from the request, used once.
    Once(ReplyFn),
    /// A reply computed from the request, used for this and every later request.
    Forever(ReplyFn),
}

/// A scripted reply.
#[derive(Clone)]
#[must_use]
pub struct Reply {
    body: ReplyBody,
    headers: Vec<(String, String)>,
    delay: Duration,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.body {
            ReplyBody::Message(m) => format!("message {m}"),
            ReplyBody::Stream(m) => format!("stream {m}"),
            ReplyBody::Sse(items) => format!("sse ({} items)", items.len()),
            ReplyBody::Raw { status, body } => format!("status {status} {body}"),
            ReplyBody::Once(_) => "fn".to_owned(),
            ReplyBody::Forever(_) => "fn (forever)".to_owned(),
        };
        write!(f, "Reply({kind})")
    }
}

impl Reply {
    fn of(body: ReplyBody) -> Self {
        Self { body, headers: Vec::new(), delay: Duration::ZERO }
    }

    /// Returns a message reply; missing fields (`id`, `type`, `role`, `model`, `stop_reason`,
    /// `usage`) get defaults.
    pub fn message(message: Value) -> Self {
        Self::of(ReplyBody::Message(complete_message(message)))
    }

    /// Returns a message with one text block that ends the turn.
    pub fn text(text: &str) -> Self {
        Self::message(json!({"content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}))
    }

    /// Returns a message with one `tool_use` block.
    pub fn tool_use(id: &str, name: &str, input: Value) -> Self {
        Self::tool_uses(vec![(id, name, input)])
    }

    /// Returns a message with several `tool_use` blocks.
    pub fn tool_uses(calls: Vec<(&str, &str, Value)>) -> Self {
        let content: Vec<Value> = calls
            .into_iter()
            .map(|(id, name, input)| json!({"type": "tool_use", "id": id, "name": name, "input": input}))
            .collect();
        Self::message(json!({"content": content, "stop_reason": "tool_use"}))
    }

    /// Returns a message that is always streamed (SSE), whatever the request asked.
    pub fn stream(message: Value) -> Self {
        Self::of(ReplyBody::Stream(complete_message(message)))
    }

    /// Returns a raw SSE reply.
    pub fn sse(items: Vec<SseItem>) -> Self {
        Self::of(ReplyBody::Sse(items))
    }

    /// Returns a raw status; set its body with [`Reply::body`] (empty otherwise).
    pub fn status(status: u16) -> Self {
        Self::of(ReplyBody::Raw { status, body: String::new() })
    }

    /// Returns an Anthropic error answer: `{"type":"error","error":{"type":KIND,"message":MESSAGE}}`.
    pub fn error(status: u16, kind: &str, message: &str) -> Self {
        Self::status(status).json(&json!({"type": "error", "error": {"type": kind, "message": message}}))
    }

    /// Returns a reply computed from the request (used once).
    pub fn from_fn(f: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::of(ReplyBody::Once(Arc::new(f)))
    }

    /// Returns a reply computed from the request that answers this and every later request
    /// (for a model that never stops calling tools).
    pub fn forever(f: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::of(ReplyBody::Forever(Arc::new(f)))
    }

    /// Sets the body of a raw status reply.
    pub fn body(mut self, body: &str) -> Self {
        if let ReplyBody::Raw { body: b, .. } = &mut self.body {
            body.clone_into(b);
        }
        self
    }

    /// Sets a JSON body of a raw status reply (and its content type).
    pub fn json(self, body: &Value) -> Self {
        self.body(&body.to_string()).header("content-type", "application/json")
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sets the `usage` of a message reply.
    pub fn usage(mut self, usage: Value) -> Self {
        if let ReplyBody::Message(m) | ReplyBody::Stream(m) = &mut self.body {
            m["usage"] = usage;
        }
        self
    }

    /// Sets the `stop_reason` of a message reply.
    pub fn stop_reason(mut self, reason: &str) -> Self {
        if let ReplyBody::Message(m) | ReplyBody::Stream(m) = &mut self.body {
            m["stop_reason"] = json!(reason);
        }
        self
    }
}

/// Fills in the fields a message needs.
pub fn complete_message(mut message: Value) -> Value {
    let defaults = json!({
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": "end_turn",
        "stop_sequence": null,
        "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
    });
    if let (Some(obj), Value::Object(defaults)) = (message.as_object_mut(), defaults) {
        for (key, value) in defaults {
            obj.entry(key).or_insert(value);
        }
    }
    message
}

/// Returns the SSE events the API would send for `message`: text split into a few deltas,
/// tool inputs split into a few `input_json_delta` pieces, and a `ping`.
pub fn events_of(message: &Value) -> Vec<SseItem> {
    let mut start = message.clone();
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    let usage = message.get("usage").cloned().unwrap_or_else(|| json!({}));
    start["usage"] = json!({
        "input_tokens": usage.get("input_tokens").cloned().unwrap_or(json!(0)),
        "output_tokens": 1,
        "cache_creation_input_tokens": usage.get("cache_creation_input_tokens").cloned().unwrap_or(json!(0)),
        "cache_read_input_tokens": usage.get("cache_read_input_tokens").cloned().unwrap_or(json!(0)),
    });
    let mut items = vec![SseItem::event("message_start", &json!({"type": "message_start", "message": start}))];
    items.push(SseItem::event("ping", &json!({"type": "ping"})));
    let blocks = message.get("content").and_then(Value::as_array).cloned().unwrap_or_default();
    for (index, block) in blocks.iter().enumerate() {
        let kind = block.get("type").and_then(Value::as_str).unwrap_or_default();
        let delta = |delta: Value| {
            SseItem::event(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": index, "delta": delta}),
            )
        };
        match kind {
            "text" => {
                let start = json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}});
                items.push(SseItem::event("content_block_start", &start));
                let text = block.get("text").and_then(Value::as_str).unwrap_or_default();
                for piece in split(text, 3) {
                    items.push(delta(json!({"type": "text_delta", "text": piece})));
                }
            }
            "tool_use" => {
                let mut head = block.clone();
                head["input"] = json!({});
                let start = json!({"type": "content_block_start", "index": index, "content_block": head});
                items.push(SseItem::event("content_block_start", &start));
                let input = block.get("input").cloned().unwrap_or_else(|| json!({})).to_string();
                for piece in split(&input, 3) {
                    items.push(delta(json!({"type": "input_json_delta", "partial_json": piece})));
                }
            }
            _ => {
                let start = json!({"type": "content_block_start", "index": index, "content_block": block});
                items.push(SseItem::event("content_block_start", &start));
            }
        }
        items.push(SseItem::event("content_block_stop", &json!({"type": "content_block_stop", "index": index})));
    }
    let delta = json!({
        "type": "message_delta",
        "delta": {"stop_reason": message.get("stop_reason").cloned().unwrap_or(Value::Null), "stop_sequence": null},
        "usage": {"output_tokens": usage.get("output_tokens").cloned().unwrap_or(json!(0))},
    });
    items.push(SseItem::event("message_delta", &delta));
    items.push(SseItem::event("message_stop", &json!({"type": "message_stop"})));
    items
}

/// Splits `text` into at most `parts` pieces on character boundaries.
fn split(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let size = chars.len().div_ceil(parts).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    requests: Vec<Recorded>,
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake Claude API, stopped when dropped.
pub struct FakeClaude {
    url: String,
    inner: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeClaude {
    /// Starts a server that answers with `script`, in order.
    pub fn start(script: impl IntoIterator<Item = Reply>) -> Self {
        let inner: Shared = Arc::new(Mutex::new(Inner { script: script.into_iter().collect(), requests: Vec::new() }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fake claude");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = Arc::clone(&inner);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let app = Router::new().route("/v1/messages", post(handle)).with_state(state);
                // Dropping the server future on shutdown drops in-flight requests too (a
                // delayed reply must not hold up the test).
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = rx => {}
                }
            });
        });
        Self { url, inner, shutdown: Some(tx), thread: Some(thread) }
    }

    /// Returns the base URL (`http://127.0.0.1:PORT`; the client appends `/v1/messages`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Returns every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().expect("fake claude state").requests.clone()
    }

    /// Appends replies to the script.
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().expect("fake claude state").script.extend(replies);
    }

    /// Returns the environment the binary needs to talk to this fake.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [("ANTHROPIC_BASE_URL", self.url.clone()), ("ANTHROPIC_API_KEY", FAKE_KEY.to_owned())]
    }
}

impl Drop for FakeClaude {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn handle(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let recorded = Recorded {
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = {
        let mut inner = state.lock().expect("fake claude state");
        inner.requests.push(recorded.clone());
        match inner.script.front() {
            Some(Reply { body: ReplyBody::Forever(f), .. }) => Some(f(&recorded)),
            Some(_) => inner.script.pop_front(),
            None => None,
        }
    };
    let Some(mut reply) = reply else {
        return respond(
            &Reply::error(500, "api_error", "fake claude: script exhausted (no reply scripted for this request)"),
            &recorded,
        );
    };
    // A closure's reply may itself be a closure; resolve it (boundedly).
    for _ in 0..8 {
        match &reply.body {
            ReplyBody::Once(f) | ReplyBody::Forever(f) => reply = f(&recorded),
            _ => break,
        }
    }
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    respond(&reply, &recorded)
}

fn respond(reply: &Reply, request: &Recorded) -> Response {
    let (status, content_type, body) = match &reply.body {
        ReplyBody::Message(message) if !request.stream() => (200, "application/json", Body::from(message.to_string())),
        ReplyBody::Message(message) | ReplyBody::Stream(message) => {
            (200, "text/event-stream", sse_body(events_of(message)))
        }
        ReplyBody::Sse(items) => (200, "text/event-stream", sse_body(items.clone())),
        ReplyBody::Raw { status, body } => (*status, "text/plain", Body::from(body.clone())),
        ReplyBody::Once(_) | ReplyBody::Forever(_) => {
            (500, "text/plain", Body::from("fake claude: a reply function returned functions too deeply"))
        }
    };
    let mut builder = Response::builder().status(StatusCode::from_u16(status).expect("status"));
    let overrides_type = reply.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if !overrides_type {
        builder = builder.header("content-type", content_type);
    }
    for (k, v) in &reply.headers {
        builder = builder.header(k, v);
    }
    builder.body(body).expect("response")
}

fn sse_body(items: Vec<SseItem>) -> Body {
    let stream = futures_util::stream::unfold(items.into_iter(), |mut items| async move {
        loop {
            match items.next()? {
                SseItem::Pause(pause) => tokio::time::sleep(pause).await,
                SseItem::Event { name, data } => {
                    let chunk = format!("event: {name}\ndata: {data}\n\n");
                    return Some((Ok::<_, std::convert::Infallible>(Bytes::from(chunk)), items));
                }
                SseItem::Raw(raw) => return Some((Ok(Bytes::from(raw)), items)),
            }
        }
    });
    Body::from_stream(stream)
}
