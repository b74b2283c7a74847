//! [`ClaudeClient`]: the Messages API over HTTP (reqwest), non-streaming and streaming (SSE),
//! with retries.
//!
//! Retries follow the shared [`crate::retry::Policy`] (exponential backoff with jitter) on
//! connect errors, timeouts, 429, 500, 502, 503, 504 and 529, up to `max_retries`, honoring a
//! `retry-after` header given in seconds.
//! Other 4xx are never retried, and neither is a spend-limit error: Anthropic answers those with
//! 429 (`rate_limit_error` whose `error.details.error_code` is `enforced_spend_limit_reached`) or
//! 400 (a message such as "You have reached your specified API usage limits" or "Your credit
//! balance is too low"). The rule: an error is a spend limit when its `error_code` says so, or
//! when its message mentions a spend limit, API usage limits, or the credit balance. A stream
//! that has begun is never retried (its text has already been shown).
//!
//! The body is read as the server framed it: an event stream (`text/event-stream`) is assembled
//! even when the request did not ask for one, and a JSON body is decoded even when it did.
//!
//! The API key lives in a [`Secret`] and in a sensitive header value; errors name the URL and
//! the status, and any text the server echoes is passed through [`Secret::redact`].

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::claude::sse::{Assembler, Flow};
use crate::claude::{ClaudeError, MessagesRequest, MessagesResponse, Model, ModelFuture};
use crate::config::ClaudeConfig;
use crate::env::Env;
use crate::erp::Secret;

/// The longest line of an event stream read (no event of the API comes near it).
const MAX_SSE_LINE: usize = 4 * 1024 * 1024;

/// Why a stream was cut: its total size, or one line's.
const CUT_TOTAL: u8 = 1;
const CUT_LINE: u8 = 2;

/// The API version agentb speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Timeouts and retry policy of a [`ClaudeClient`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeOptions {
    /// A non-streaming request, connect to last byte; for a stream, the longest silence
    /// between two chunks.
    pub timeout: Duration,
    /// Establishing the connection.
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff delay (doubled at each retry, with jitter).
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `retry-after` honored; an API asking for more fails the call at once.
    pub max_retry_after: Duration,
}

impl ClaudeOptions {
    /// Returns the retry policy of these options.
    pub fn policy(&self) -> crate::retry::Policy {
        crate::retry::Policy {
            max_retries: self.max_retries,
            min_delay: self.min_delay,
            max_delay: self.max_delay,
            max_retry_after: self.max_retry_after,
        }
    }
}

impl Default for ClaudeOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_mins(2),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_mins(1),
        }
    }
}

impl ClaudeOptions {
    /// Returns the options `[claude]` sets (`timeout_secs`, `connect_timeout_secs`,
    /// `max_retries`); a connect timeout is never longer than the request timeout.
    pub fn from_config(config: &ClaudeConfig) -> Self {
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        Self {
            timeout,
            connect_timeout: Duration::from_secs(config.connect_timeout_secs.max(1)).min(timeout),
            max_retries: config.max_retries,
            ..Self::default()
        }
    }
}

/// A client of the Messages API at one base URL.
pub struct ClaudeClient {
    url: reqwest::Url,
    /// The URL as messages show it: a password in it is masked.
    shown: String,
    http: reqwest::Client,
    key: Secret,
    key_header: HeaderValue,
    options: ClaudeOptions,
    /// The largest reply read (a body, or a stream in total); more is an error.
    max_response_bytes: u64,
}

impl fmt::Debug for ClaudeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaudeClient")
            .field("url", &self.shown)
            .field("key", &self.key)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed.
#[derive(Debug)]
enum Failure {
    /// No HTTP answer: connect error, timeout, dropped connection.
    Transport { message: String, timeout: bool },
    /// An HTTP answer outside 2xx.
    Status { status: u16, error: ApiError, retry_after: Option<Duration> },
    /// A body larger than the cap (never retried).
    TooLarge { limit: u64 },
}

impl crate::retry::RetryableFailure for Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Transport { .. } => true,
            Failure::TooLarge { .. } => false,
            Failure::Status { status, error, .. } => {
                matches!(status, 429 | 500 | 502 | 503 | 504 | 529) && !error.spend_limit
            }
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The error body of the API: `{"type":"error","error":{"type":…,"message":…}}`.
#[derive(Debug, Clone, PartialEq)]
struct ApiError {
    kind: String,
    message: String,
    spend_limit: bool,
}

impl ApiError {
    fn parse(status: u16, body: &[u8]) -> Self {
        let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let error = value.as_ref().and_then(|v| v.get("error"));
        let field = |name: &str| error.and_then(|e| e.get(name)).and_then(serde_json::Value::as_str);
        let kind = field("type").map_or_else(|| format!("http {status}"), str::to_owned);
        let message = if let Some(message) = field("message") {
            message.to_owned()
        } else {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() { "no message".to_owned() } else { truncate(text, 300) }
        };
        let code = error
            .and_then(|e| e.get("details"))
            .and_then(|d| d.get("error_code"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let spend_limit = is_spend_limit(status, code, &message);
        Self { kind, message, spend_limit }
    }
}

/// Returns whether an error answer means a spend limit (see the module docs for the rule).
fn is_spend_limit(status: u16, error_code: &str, message: &str) -> bool {
    if !(400..500).contains(&status) {
        return false;
    }
    if error_code.contains("spend_limit") {
        return true;
    }
    let message = message.to_lowercase();
    ["spend limit", "spending limit", "api usage limits", "usage limit", "credit balance"]
        .iter()
        .any(|needle| message.contains(needle))
}

/// A 2xx answer: a whole body, or a response whose body is an event stream.
enum Success {
    Body(Vec<u8>),
    Stream(reqwest::Response),
}

/// Returns `url` as messages may show it: with any password in it masked as `***`.
fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// Returns `text` (a URL that did not parse) with whatever sits between `://` and the last `@`
/// masked, since it may hold a password.
fn mask_userinfo(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(start), Some(at)) if at > start + 3 => format!("{}***{}", &text[..start + 3], &text[at..]),
        _ => text.to_owned(),
    }
}

impl ClaudeClient {
    /// Returns a client of the API at `base_url` (`http` or `https`; `/v1/messages` is appended).
    pub fn new(base_url: &str, api_key: Secret, options: ClaudeOptions) -> Result<Self, ClaudeError> {
        let config_error = |message: String| ClaudeError::Config { message };
        let mut url = reqwest::Url::parse(base_url)
            .map_err(|e| config_error(format!("`base_url` `{}` is not a URL: {e}", mask_userinfo(base_url))))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            let base_url = shown_url(&url);
            return Err(config_error(format!("`base_url` `{base_url}` must be an `http://` or `https://` URL")));
        }
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["v1", "messages"]);
        }
        let mut key_header = HeaderValue::from_str(api_key.expose())
            .map_err(|_| config_error("the API key contains characters not allowed in a header".to_owned()))?;
        key_header.set_sensitive(true);
        let http = reqwest::Client::builder()
            .user_agent(concat!("agentb/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?;
        let shown = shown_url(&url);
        let max_response_bytes = crate::config::DEFAULT_MAX_RESPONSE_BYTES;
        Ok(Self { url, shown, http, key: api_key, key_header, options, max_response_bytes })
    }

    /// Returns a client as `[claude]` configures it, with the key read from the variable
    /// `api_key_env` names.
    pub fn from_config(cfg: &ClaudeConfig, env: &Env) -> Result<Self, ClaudeError> {
        if crate::config::looks_like_key(&cfg.api_key_env) {
            return Err(ClaudeError::PastedKey);
        }
        let key = env
            .get(&cfg.api_key_env)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| ClaudeError::MissingKey { env: cfg.api_key_env.clone() })?;
        Ok(Self::new(&cfg.base_url, Secret::new(key), ClaudeOptions::from_config(cfg))?
            .with_max_response_bytes(cfg.max_response_bytes))
    }

    /// Returns the client with this cap on a reply's size (`claude.max_response_bytes`).
    #[must_use]
    pub fn with_max_response_bytes(mut self, max: u64) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Returns the URL requests go to (`…/v1/messages`).
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// Sends `request`, with retries; see [`Model::send`].
    pub async fn create(
        &self,
        request: &MessagesRequest,
        on_text: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<MessagesResponse, ClaudeError> {
        let body = serde_json::to_vec(request).map_err(|e| self.decode(&e.to_string()))?;
        let attempts = AtomicU32::new(0);
        let started = Instant::now();
        let result = self
            .options
            .policy()
            .run(
                || {
                    attempts.fetch_add(1, Ordering::Relaxed);
                    self.attempt(&body, request.stream)
                },
                |failure, delay| {
                    let why = match failure {
                        Failure::Transport { message, .. } => message.clone(),
                        Failure::Status { status, error, .. } => format!("status {status} ({})", error.kind),
                        Failure::TooLarge { limit } => format!("a body over {limit} bytes"),
                    };
                    tracing::info!(url = %self.shown, "retrying the Claude request in {delay:?} after {why}");
                },
            )
            .await;
        let attempts = attempts.load(Ordering::Relaxed);
        let status = match &result {
            Ok(_) => Some(200),
            Err(Failure::Status { status, .. }) => Some(*status),
            Err(_) => None,
        };
        tracing::debug!(method = "POST", url = %self.shown, status, attempts, elapsed = ?started.elapsed(), stream = request.stream, "Claude request");
        match result {
            Ok(Success::Body(bytes)) => {
                serde_json::from_slice(&bytes).map_err(|e| self.decode(&format!("not a message: {e}")))
            }
            // Text deltas go to `on_text` only when the caller asked for a stream.
            Ok(Success::Stream(response)) if request.stream => self.read_stream(response, on_text).await,
            Ok(Success::Stream(response)) => self.read_stream(response, &|_: &str| {}).await,
            Err(failure) => Err(self.failed(failure, attempts)),
        }
    }

    async fn attempt(&self, body: &[u8], stream: bool) -> Result<Success, Failure> {
        let mut request = self
            .http
            .post(self.url.clone())
            .header("x-api-key", self.key_header.clone())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        if stream {
            request = request.header(reqwest::header::ACCEPT, "text/event-stream");
        } else {
            request = request.header(reqwest::header::ACCEPT, "application/json").timeout(self.options.timeout);
        }
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        // Read the body as the server framed it: a proxy may answer a stream request with JSON,
        // or a plain request with an event stream.
        let sse = if stream {
            !content_type.starts_with("application/json")
        } else {
            content_type.starts_with("text/event-stream")
        };
        if (200..300).contains(&status) && sse {
            return Ok(Success::Stream(response));
        }
        let retry_after = retry_after(response.headers());
        let bytes = self.read_capped(response).await?;
        if (200..300).contains(&status) {
            Ok(Success::Body(bytes))
        } else {
            Err(Failure::Status { status, error: ApiError::parse(status, &bytes), retry_after })
        }
    }

    /// Reads a body, stopping at `max_response_bytes` (a declared length over it fails at once).
    async fn read_capped(&self, mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
        let limit = self.max_response_bytes;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(Failure::TooLarge { limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e))? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(Failure::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn too_large(&self, limit: u64) -> ClaudeError {
        self.decode(&format!("the reply is larger than `claude.max_response_bytes` ({limit} bytes)"))
    }

    /// Returns the error for a stream cut at a cap (`CUT_TOTAL` or `CUT_LINE`).
    fn cut(&self, why: u8, limit: u64) -> ClaudeError {
        if why == CUT_LINE {
            self.decode(&format!("the event stream holds a line longer than {MAX_SSE_LINE} bytes"))
        } else {
            self.too_large(limit)
        }
    }

    async fn read_stream(
        &self,
        response: reqwest::Response,
        on_text: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<MessagesResponse, ClaudeError> {
        let limit = self.max_response_bytes;
        let over = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(0));
        let flag = std::sync::Arc::clone(&over);
        let (mut total, mut line) = (0u64, 0usize);
        // The stream ends at the cap, or at a line longer than any event (the SSE parser
        // re-reads an unfinished line); the flag tells that end from the server's.
        let body = response.bytes_stream().take_while(move |chunk| {
            if let Ok(chunk) = chunk {
                total += chunk.len() as u64;
                line = match chunk.iter().rposition(|b| *b == b'\n') {
                    Some(at) => chunk.len() - at - 1,
                    None => line + chunk.len(),
                };
                if total > limit || line > MAX_SSE_LINE {
                    flag.store(if total > limit { CUT_TOTAL } else { CUT_LINE }, Ordering::Relaxed);
                    return std::future::ready(false);
                }
            }
            std::future::ready(true)
        });
        // A stream whose last event is not followed by a blank line (recorded streams and the
        // SDK's fixtures end so) still dispatches that event: the SDK's decoder does too. After a
        // cut, the flag turns whatever follows into the cut's error.
        let body = body.chain(futures_util::stream::once(std::future::ready(Ok(bytes::Bytes::from_static(b"\n\n")))));
        let mut events = std::pin::pin!(body.eventsource());
        let mut assembler = Assembler::new();
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| match e {
                eventsource_stream::EventStreamError::Transport(e) if e.is_timeout() => {
                    ClaudeError::Timeout { url: self.shown.clone(), secs: self.options.timeout.as_secs() }
                }
                e => ClaudeError::Stream {
                    message: self.key.redact(&format!("reading {}: {}", self.shown, root_text(&e))),
                },
            })?;
            let why = over.load(Ordering::Relaxed);
            if why != 0 {
                return Err(self.cut(why, limit));
            }
            match assembler.event(&event.event, &event.data, on_text) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Done) => break,
                Err(ClaudeError::Stream { message }) => {
                    return Err(ClaudeError::Stream { message: self.key.redact(&message) });
                }
                Err(other) => return Err(other),
            }
        }
        let why = over.load(Ordering::Relaxed);
        if why != 0 {
            return Err(self.cut(why, limit));
        }
        assembler.finish()
    }

    fn transport(&self, err: &reqwest::Error) -> Failure {
        if err.is_timeout() {
            return Failure::Transport { message: "timed out".to_owned(), timeout: true };
        }
        let text = root_text(err);
        let message = if err.is_connect() { format!("connection failed: {text}") } else { text };
        Failure::Transport { message: self.key.redact(&message), timeout: false }
    }

    fn failed(&self, failure: Failure, attempts: u32) -> ClaudeError {
        let url = self.shown.clone();
        let tries = if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() };
        match failure {
            Failure::TooLarge { limit } => self.too_large(limit),
            Failure::Transport { timeout: true, .. } => {
                ClaudeError::Timeout { url, secs: self.options.timeout.as_secs().max(1) }
            }
            Failure::Transport { message, .. } => ClaudeError::Connect { url, message: format!("{message}{tries}") },
            Failure::Status { status, error, .. } if error.spend_limit => {
                ClaudeError::SpendLimit { url, status, message: self.key.redact(&error.message) }
            }
            Failure::Status { status, error, .. } => ClaudeError::Api {
                url,
                status,
                kind: error.kind,
                message: format!("{}{tries}", self.key.redact(&error.message)),
            },
        }
    }

    fn decode(&self, message: &str) -> ClaudeError {
        ClaudeError::Decode { url: self.shown.clone(), message: self.key.redact(message) }
    }
}

impl Model for ClaudeClient {
    fn send<'a>(&'a self, request: &'a MessagesRequest, on_text: &'a (dyn Fn(&str) + Send + Sync)) -> ModelFuture<'a> {
        Box::pin(self.create(request, on_text))
    }
}

/// Returns the innermost cause's text (reqwest's own text repeats the URL and hides the cause).
fn root_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut root = err;
    while let Some(source) = root.source() {
        root = source;
    }
    root.to_string()
}

/// Returns `text` cut to at most `max` characters, with an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Returns the `retry-after` header as a duration, when it holds seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: f64 = value.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::RetryableFailure as _;

    #[test]
    fn spend_limits_are_told_apart_from_rate_limits() {
        let body = br#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#;
        assert!(!ApiError::parse(429, body).spend_limit);
        let body = br#"{"type":"error","error":{"type":"rate_limit_error","message":"Spend limit reached","details":{"error_code":"enforced_spend_limit_reached"}}}"#;
        assert!(ApiError::parse(429, body).spend_limit);
        let body = br#"{"type":"error","error":{"type":"invalid_request_error","message":"You have reached your specified API usage limits. You will regain access on 2026-01-01 at 00:00 UTC."}}"#;
        assert!(ApiError::parse(400, body).spend_limit);
        let body = br#"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}"#;
        assert!(ApiError::parse(400, body).spend_limit);
        let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert!(!ApiError::parse(529, body).spend_limit);
    }

    #[test]
    fn parses_the_error_body_or_falls_back_to_text() {
        let e = ApiError::parse(
            400,
            br#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: required"}}"#,
        );
        assert_eq!((e.kind.as_str(), e.message.as_str()), ("invalid_request_error", "max_tokens: required"));
        let e = ApiError::parse(502, b"<html>bad gateway</html>");
        assert_eq!((e.kind.as_str(), e.message.as_str()), ("http 502", "<html>bad gateway</html>"));
        assert_eq!(ApiError::parse(500, b"").message, "no message");
    }

    #[test]
    fn retries_only_transient_failures() {
        let status = |status: u16, body: &[u8]| Failure::Status {
            status,
            error: ApiError::parse(status, body),
            retry_after: None,
        };
        for code in [429, 500, 502, 503, 504, 529] {
            assert!(status(code, b"{}").retryable(), "{code}");
        }
        for code in [400, 401, 403, 404, 413, 501] {
            assert!(!status(code, b"{}").retryable(), "{code}");
        }
        let spend = br#"{"type":"error","error":{"type":"rate_limit_error","message":"x","details":{"error_code":"enforced_spend_limit_reached"}}}"#;
        assert!(!status(429, spend).retryable());
        assert!(Failure::Transport { message: String::new(), timeout: true }.retryable());
    }

    #[test]
    fn reads_retry_after_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("0.25"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(250)));
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn a_password_in_the_base_url_is_never_shown() {
        let client =
            ClaudeClient::new("http://user:sekrit@127.0.0.1:9", Secret::new("k"), ClaudeOptions::default()).unwrap();
        assert_eq!(client.url(), "http://user:***@127.0.0.1:9/v1/messages");
        assert!(!format!("{client:?}").contains("sekrit"));
        assert_eq!(client.url.password(), Some("sekrit"), "requests still carry it");
        let err = ClaudeClient::new("http://user:sekrit@host:99999", Secret::new("k"), ClaudeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("http://***@host:99999") && !err.contains("sekrit"), "{err}");
        let err = ClaudeClient::new("ftp://user:sekrit@host", Secret::new("k"), ClaudeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(!err.contains("sekrit"), "{err}");
    }

    #[test]
    fn builds_the_messages_url_and_rejects_bad_ones() {
        let client = ClaudeClient::new("http://127.0.0.1:9/", Secret::new("k"), ClaudeOptions::default()).unwrap();
        assert_eq!(client.url(), "http://127.0.0.1:9/v1/messages");
        let client =
            ClaudeClient::new("https://proxy.example/anthropic", Secret::new("k"), ClaudeOptions::default()).unwrap();
        assert_eq!(client.url(), "https://proxy.example/anthropic/v1/messages");
        assert!(matches!(
            ClaudeClient::new("ftp://x", Secret::new("k"), ClaudeOptions::default()),
            Err(ClaudeError::Config { .. })
        ));
        assert!(matches!(
            ClaudeClient::new("not a url", Secret::new("k"), ClaudeOptions::default()),
            Err(ClaudeError::Config { .. })
        ));
    }

    #[test]
    fn options_come_from_the_config() {
        let config =
            ClaudeConfig { timeout_secs: 30, connect_timeout_secs: 5, max_retries: 2, ..ClaudeConfig::default() };
        let options = ClaudeOptions::from_config(&config);
        assert_eq!(
            (options.timeout, options.connect_timeout, options.max_retries),
            (Duration::from_secs(30), Duration::from_secs(5), 2)
        );
        let config = ClaudeConfig { timeout_secs: 3, connect_timeout_secs: 10, ..ClaudeConfig::default() };
        assert_eq!(ClaudeOptions::from_config(&config).connect_timeout, Duration::from_secs(3));
    }

    #[test]
    fn a_missing_key_names_the_variable() {
        let err = ClaudeClient::from_config(&ClaudeConfig::default(), &Env::from_pairs([])).unwrap_err();
        assert!(matches!(&err, ClaudeError::MissingKey { env } if env == "ANTHROPIC_API_KEY"), "{err:?}");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client =
            ClaudeClient::new("http://127.0.0.1:9", Secret::new("sk-ant-supersecret"), ClaudeOptions::default())
                .unwrap();
        assert!(!format!("{client:?}").contains("supersecret"));
    }
}
