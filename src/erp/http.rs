//! [`HttpErp`]: the contract over HTTP with reqwest (rustls). Every request carries
//! `Authorization: Bearer <key>` (a sensitive header; the key lives in a [`Secret`]) and
//! `X-Organization-Id`. Connect and request timeouts; retries with exponential backoff and
//! jitter (the shared [`crate::retry::Policy`]) on connect errors, 429 and 5xx, honoring
//! `Retry-After`, never on other 4xx;
//! errors name the instance, org, method and path, never the key.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, IF_MATCH, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::error::{Call, ErpError};
use super::secret::Secret;
use super::types::{
    ApiError, ListQuery, MAX_PAGE_SIZE, ORGANIZATIONS, Organization, Page, Record, Upserted, check_id, from_record,
    shown_id,
};
use super::{Erp, ErpFuture};
use crate::config::InstanceConfig;

/// The header that names the org a request acts for.
pub const ORG_HEADER: &str = "x-organization-id";

/// Timeouts and retry policy of an [`HttpErp`].
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    /// The whole request, connect to last body byte.
    pub timeout: Duration,
    /// Establishing the connection.
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff delay (doubled at each retry, with jitter).
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` honored; an instance asking for more fails the call at once.
    pub max_retry_after: Duration,
}

impl HttpOptions {
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

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_mins(1),
        }
    }
}

impl HttpOptions {
    /// Returns the options an instance's config sets (`timeout_secs`, `max_retries`).
    pub fn from_config(config: &InstanceConfig) -> Self {
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        Self {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            max_retries: config.max_retries,
            ..Self::default()
        }
    }
}

/// A remote ERP instance.
pub struct HttpErp {
    instance: String,
    base: Url,
    client: reqwest::Client,
    key: Option<Secret>,
    auth: Option<HeaderValue>,
    options: HttpOptions,
    /// The largest response body read; more is an error (the server's size is never trusted).
    max_response_bytes: u64,
    /// The most pages one listing follows.
    max_pages: u32,
}

/// Returns `url` as messages may show it: a password in it (a secret) masked as `***`.
fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

impl fmt::Debug for HttpErp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpErp")
            .field("instance", &self.instance)
            .field("base", &shown_url(&self.base))
            .field("key", &self.key)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed.
#[derive(Debug)]
enum Failure {
    /// No HTTP answer: connect error, timeout, dropped connection.
    Transport { message: String, retryable: bool },
    /// An HTTP answer outside 2xx.
    Status { status: u16, body: Vec<u8>, retry_after: Option<Duration> },
    /// A response body larger than the cap (never retried: the next one would be as large).
    TooLarge { limit: u64 },
}

impl crate::retry::RetryableFailure for Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Transport { retryable, .. } => *retryable,
            Failure::TooLarge { .. } => false,
            Failure::Status { status, .. } => *status == 429 || (500..=599).contains(status) && *status != 501,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl HttpErp {
    /// Returns a client for the instance at `url` (`http` or `https`).
    pub fn new(instance: &str, url: &str, key: Option<Secret>, options: HttpOptions) -> Result<Self, ErpError> {
        let config_error = |message: String| ErpError::Config { instance: instance.to_owned(), message };
        let base = Url::parse(url).map_err(|e| config_error(format!("`url` `{url}` is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            let url = shown_url(&base);
            return Err(config_error(format!("`url` `{url}` must be an `http://` or `https://` URL")));
        }
        let auth = match &key {
            Some(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                    config_error("the service key contains characters not allowed in a header".to_owned())
                })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("agentb/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            instance: instance.to_owned(),
            base,
            client,
            key,
            auth,
            options,
            max_response_bytes: crate::config::DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: crate::config::DEFAULT_MAX_PAGES,
        })
    }

    /// Returns the client with these caps: the largest response body it reads, and the most
    /// pages one listing follows (`erp.max_response_bytes`, `erp.max_pages`).
    #[must_use]
    pub fn with_limits(mut self, max_response_bytes: u64, max_pages: u32) -> Self {
        self.max_response_bytes = max_response_bytes;
        self.max_pages = max_pages.max(1);
        self
    }

    /// Returns the instance's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Checks `/healthz` (no key needed); returns the round-trip time.
    pub async fn health(&self) -> Result<Duration, ErpError> {
        let started = Instant::now();
        self.send::<serde_json::Value>(Method::GET, "", &["healthz"], &[], None).await?;
        Ok(started.elapsed())
    }

    fn url(&self, segments: &[&str], query: &[(String, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends a request with retries; returns the status and the parsed 2xx body.
    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        org: &str,
        segments: &[&str],
        query: &[(String, String)],
        body: Option<&Record>,
    ) -> Result<(u16, T), ErpError> {
        self.send_if(method, org, segments, query, body, None).await
    }

    /// Sends a request as [`HttpErp::send`] does, with `If-Match: <revision>` when given.
    async fn send_if<T: DeserializeOwned>(
        &self,
        method: Method,
        org: &str,
        segments: &[&str],
        query: &[(String, String)],
        body: Option<&Record>,
        if_match: Option<u64>,
    ) -> Result<(u16, T), ErpError> {
        let url = self.url(segments, query);
        let path = url.path().to_owned();
        let body = match body {
            Some(record) => Some(serde_json::to_vec(record).map_err(|e| self.invalid(org, &method, &path, &e))?),
            None => None,
        };
        let idempotent = method != Method::POST;
        let attempts = AtomicU32::new(0);
        let started = Instant::now();
        let result = self
            .options
            .policy()
            .run(
                || {
                    attempts.fetch_add(1, Ordering::Relaxed);
                    self.attempt(&method, org, &url, body.as_deref(), idempotent, if_match)
                },
                |failure, delay| {
                    let why = match failure {
                        Failure::Transport { message, .. } => message.clone(),
                        Failure::Status { status, .. } => format!("status {status}"),
                        Failure::TooLarge { limit } => format!("a body over {limit} bytes"),
                    };
                    tracing::info!(instance = %self.instance, %method, %path, "retrying in {delay:?} after {why}");
                },
            )
            .await;
        let attempts = attempts.load(Ordering::Relaxed);
        let status = match &result {
            Ok((status, _)) | Err(Failure::Status { status, .. }) => Some(*status),
            Err(_) => None,
        };
        tracing::debug!(instance = %self.instance, %method, %path, org, status, attempts, elapsed = ?started.elapsed(), "ERP request");
        match result {
            Ok((status, bytes)) => {
                let value = serde_json::from_slice(&bytes).map_err(|e| match html_page(&bytes) {
                    Some(page) => ErpError::InvalidResponse {
                        call: Call::boxed(&self.instance, org, method.as_str(), &path),
                        message: page,
                    },
                    None => self.invalid(org, &method, &path, &e),
                })?;
                Ok((status, value))
            }
            Err(failure) => Err(self.failed(failure, org, &method, &url, attempts)),
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        org: &str,
        url: &Url,
        body: Option<&[u8]>,
        idempotent: bool,
        if_match: Option<u64>,
    ) -> Result<(u16, Vec<u8>), Failure> {
        let mut request = self.client.request(method.clone(), url.clone()).header(ACCEPT, "application/json");
        if let Some(revision) = if_match {
            request = request.header(IF_MATCH, revision.to_string());
        }
        if let Some(auth) = &self.auth {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        if !org.is_empty() {
            request = request.header(ORG_HEADER, org);
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body.to_vec());
        }
        let response = request.send().await.map_err(|e| self.transport(&e, idempotent))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let bytes = self.read_capped(response, idempotent).await?;
        if (200..300).contains(&status) {
            Ok((status, bytes))
        } else {
            Err(Failure::Status { status, body: bytes, retry_after })
        }
    }

    /// Reads a body as a stream, stopping at `max_response_bytes` (a declared length over it
    /// fails before anything is read).
    async fn read_capped(&self, mut response: reqwest::Response, idempotent: bool) -> Result<Vec<u8>, Failure> {
        let limit = self.max_response_bytes;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(Failure::TooLarge { limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e, idempotent))? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(Failure::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn transport(&self, err: &reqwest::Error, idempotent: bool) -> Failure {
        let message = if err.is_timeout() {
            format!("timed out after {:?}", self.options.timeout)
        } else {
            let mut root: &dyn std::error::Error = err;
            while let Some(source) = root.source() {
                root = source;
            }
            let text = root.to_string();
            if err.is_connect() { format!("connection failed: {text}") } else { text }
        };
        // A request that never connected was never sent: retrying it is always safe.
        Failure::Transport { message: self.redact(&message), retryable: err.is_connect() || idempotent }
    }

    fn redact(&self, text: &str) -> String {
        self.key.as_ref().map_or_else(|| text.to_owned(), |key| key.redact(text))
    }

    fn invalid(&self, org: &str, method: &Method, path: &str, err: &serde_json::Error) -> ErpError {
        ErpError::InvalidResponse {
            call: Call::boxed(&self.instance, org, method.as_str(), path),
            message: format!("not the JSON the contract defines: {err}"),
        }
    }

    fn failed(&self, failure: Failure, org: &str, method: &Method, url: &Url, attempts: u32) -> ErpError {
        let tries = if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() };
        match failure {
            Failure::TooLarge { limit } => ErpError::InvalidResponse {
                call: Call::boxed(&self.instance, org, method.as_str(), url.path()),
                message: format!("the response body is larger than `erp.max_response_bytes` ({limit} bytes)"),
            },
            Failure::Transport { message, .. } => {
                let mut shown = url.clone();
                shown.set_query(None);
                ErpError::Unreachable {
                    call: Call::boxed(&self.instance, org, method.as_str(), url.path()),
                    url: shown_url(&shown),
                    message: format!("{message}{tries}"),
                }
            }
            Failure::Status { status, body, retry_after } => {
                let api = ApiError::from_body(status, &body).unwrap_or_else(|| {
                    if let Some(page) = html_page(&body) {
                        return ApiError::new(status, "http_error", page);
                    }
                    let text = String::from_utf8_lossy(&body);
                    let text: String = text.trim().chars().take(200).collect();
                    let reason = reqwest::StatusCode::from_u16(status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("error");
                    let message = if text.is_empty() { reason.to_lowercase() } else { text };
                    ApiError::new(status, "http_error", message)
                });
                let mut message = self.redact(&api.message);
                if let Some(after) = retry_after.filter(|a| *a > self.options.max_retry_after) {
                    let _ = write!(message, " (it asked to retry after {} s)", after.as_secs());
                }
                message.push_str(&tries);
                ErpError::Status {
                    call: Call::boxed(&self.instance, org, method.as_str(), url.path()),
                    status,
                    code: api.code,
                    message,
                }
            }
        }
    }

    /// Refuses an id that is not a single path segment: it is never sent (`..` would make a
    /// get a list, `.` a delete of the collection).
    fn check_id(&self, org: &str, method: &Method, collection: &str, id: &str) -> Result<(), ErpError> {
        check_id(id).map_err(|api| ErpError::InvalidId {
            call: Call::boxed(&self.instance, org, method.as_str(), format!("/api/v1/{collection}/{}", shown_id(id))),
            message: api.message,
        })
    }

    fn typed<T: DeserializeOwned>(
        &self,
        org: &str,
        method: &str,
        path: String,
        record: &Record,
    ) -> Result<T, ErpError> {
        from_record(record).map_err(|message| ErpError::InvalidResponse {
            call: Call::boxed(&self.instance, org, method, path),
            message,
        })
    }
}

/// Parses `Retry-After`: delay seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = PARSER.parse_timestamp(value).ok()?;
    let wait = at.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

impl Erp for HttpErp {
    fn instance(&self) -> &str {
        &self.instance
    }

    fn max_pages(&self) -> u32 {
        self.max_pages
    }

    fn organizations(&self) -> ErpFuture<'_, Vec<Organization>> {
        Box::pin(async move {
            let mut all = Vec::new();
            let mut query = ListQuery::new().limit(MAX_PAGE_SIZE);
            let mut pages = super::Pages::new(self, "", ORGANIZATIONS);
            loop {
                let (_, page): (_, Page) =
                    self.send(Method::GET, "", &["api", "v1", ORGANIZATIONS], &query.to_pairs(), None).await?;
                for record in &page.data {
                    all.push(self.typed("", "GET", format!("/api/v1/{ORGANIZATIONS}"), record)?);
                }
                match pages.next(page.next_cursor)? {
                    Some(cursor) => query.cursor = Some(cursor),
                    None => return Ok(all),
                }
            }
        })
    }

    fn list<'a>(&'a self, org: &'a str, collection: &'a str, query: &'a ListQuery) -> ErpFuture<'a, Page> {
        Box::pin(async move {
            let (_, page) = self.send(Method::GET, org, &["api", "v1", collection], &query.to_pairs(), None).await?;
            Ok(page)
        })
    }

    fn get<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str) -> ErpFuture<'a, Record> {
        Box::pin(async move {
            self.check_id(org, &Method::GET, collection, id)?;
            Ok(self.send(Method::GET, org, &["api", "v1", collection, id], &[], None).await?.1)
        })
    }

    fn create<'a>(&'a self, org: &'a str, collection: &'a str, record: Record) -> ErpFuture<'a, Record> {
        Box::pin(async move {
            if let Some(serde_json::Value::String(id)) = record.get("id") {
                self.check_id(org, &Method::POST, collection, id)?;
            }
            Ok(self.send(Method::POST, org, &["api", "v1", collection], &[], Some(&record)).await?.1)
        })
    }

    fn put<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        Box::pin(async move {
            self.check_id(org, &Method::PUT, collection, id)?;
            let (status, record) =
                self.send(Method::PUT, org, &["api", "v1", collection, id], &[], Some(&record)).await?;
            Ok(Upserted { record, created: status == 201 })
        })
    }

    fn patch<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, patch: Record) -> ErpFuture<'a, Record> {
        Box::pin(async move {
            self.check_id(org, &Method::PATCH, collection, id)?;
            Ok(self.send(Method::PATCH, org, &["api", "v1", collection, id], &[], Some(&patch)).await?.1)
        })
    }

    fn delete<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str) -> ErpFuture<'a, Record> {
        Box::pin(async move {
            self.check_id(org, &Method::DELETE, collection, id)?;
            Ok(self.send(Method::DELETE, org, &["api", "v1", collection, id], &[], None).await?.1)
        })
    }

    fn patch_if<'a>(
        &'a self,
        org: &'a str,
        collection: &'a str,
        id: &'a str,
        patch: Record,
        revision: u64,
    ) -> ErpFuture<'a, Record> {
        Box::pin(async move {
            self.check_id(org, &Method::PATCH, collection, id)?;
            let segments = ["api", "v1", collection, id];
            Ok(self.send_if(Method::PATCH, org, &segments, &[], Some(&patch), Some(revision)).await?.1)
        })
    }

    fn delete_if<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, revision: u64) -> ErpFuture<'a, Record> {
        Box::pin(async move {
            self.check_id(org, &Method::DELETE, collection, id)?;
            let segments = ["api", "v1", collection, id];
            Ok(self.send_if(Method::DELETE, org, &segments, &[], None, Some(revision)).await?.1)
        })
    }

    fn upsert<'a>(&'a self, org: &'a str, collection: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        Box::pin(async move {
            let (status, record) = self.send(Method::PUT, org, &["api", "v1", collection], &[], Some(&record)).await?;
            Ok(Upserted { record, created: status == 201 })
        })
    }
}

/// Describes a body that is an HTML page (a web server, not an ERP) without showing it.
fn html_page(body: &[u8]) -> Option<String> {
    let start = String::from_utf8_lossy(&body[..body.len().min(512)]).trim_start().to_ascii_lowercase();
    (start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with("<?xml") || start.starts_with("<head"))
        .then(|| format!("it answered with an HTML page ({} bytes), not the ERP contract's JSON; is the instance's `url` an agentb ERP?", body.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::RetryableFailure as _;

    #[test]
    fn a_password_in_the_instance_url_is_never_shown() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let options = HttpOptions { max_retries: 0, ..HttpOptions::default() };
        let erp = HttpErp::new("x", &format!("http://svc:erp-sekrit@127.0.0.1:{port}"), None, options).unwrap();
        assert!(!format!("{erp:?}").contains("erp-sekrit"));
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let err = rt.block_on(crate::erp::Erp::get(&erp, "acme", "briefs", "b1")).unwrap_err().to_string();
        assert!(err.contains("svc:***@127.0.0.1") && !err.contains("erp-sekrit"), "{err}");
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let erp = HttpErp::new("x", "http://h:1/erp/", None, HttpOptions::default()).unwrap();
        let url = erp.url(&["api", "v1", "briefs", "a/b c"], &[("limit".into(), "5".into())]);
        assert_eq!(url.as_str(), "http://h:1/erp/api/v1/briefs/a%2Fb%20c?limit=5");
        let erp = HttpErp::new("x", "https://h", None, HttpOptions::default()).unwrap();
        assert_eq!(erp.url(&["healthz"], &[]).as_str(), "https://h/healthz");
    }

    #[test]
    fn bad_urls_are_config_errors() {
        for url in ["not a url", "ftp://h", "mailto:a@b"] {
            let err = HttpErp::new("x", url, None, HttpOptions::default()).unwrap_err();
            assert!(matches!(err, ErpError::Config { .. }), "{url}: {err}");
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let erp = HttpErp::new("x", "http://h", Some(Secret::new("k-123")), HttpOptions::default()).unwrap();
        assert!(!format!("{erp:?}").contains("k-123"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_429_and_5xx_are_retried() {
        let status = |status| Failure::Status { status, body: Vec::new(), retry_after: None };
        assert!(status(429).retryable());
        assert!(status(503).retryable());
        assert!(status(500).retryable());
        for code in [400, 401, 403, 404, 409, 413, 422, 501] {
            assert!(!status(code).retryable(), "{code}");
        }
    }
}
