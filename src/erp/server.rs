//! `agentb erp serve`: the [`Store`] over HTTP with axum — the reference ERP.
//!
//! Routes live under `/api/v1/` and need `Authorization: Bearer <key>` (401 otherwise, before
//! anything else is looked at) and `X-Organization-Id` (all but `organizations`). Isolation:
//! a query or body naming another org is a 403 on every route (single-record ones included), a
//! repeated `X-Organization-Id` a 400, another org's record a 404. Request bodies and stored
//! records are each limited to 1 MiB (413, the message naming which); a malformed body, or an
//! integer beyond 64 bits, is a 400; PATCH and DELETE honour `If-Match: <revision>` (412 when
//! the record changed since); every error is `{"error":{"code","message"}}`.
//! Connections are bounded ([`ServeLimits`]): a header-read timeout, an idle timeout and a cap on
//! open connections keep idle or slow clients from starving the others.
//! `/healthz` and `/openapi.json` need no key. Each request is logged (method, path, org,
//! status, time) through tracing; headers never are.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, IF_MATCH, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt as _;
use tokio::net::TcpListener;

use super::http::ORG_HEADER;
use super::secret::Secret;
use super::store::{RawPage, Store, check_body_org};
use super::types::{ApiError, ListQuery, MAX_BODY_BYTES, ORGANIZATIONS, Record, Upserted};

/// How much of an oversized body is read (and dropped) before answering 413.
const DRAIN_LIMIT: usize = 16 * MAX_BODY_BYTES;

/// How long in-flight requests may run after a shutdown signal.
const GRACE: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct App {
    store: Arc<Store>,
    key: Option<Arc<Secret>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, json_body(self.body().to_string())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn json_body(text: String) -> impl IntoResponse {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], text)
}

/// Returns the router of the reference ERP over `store`; `key: None` serves without auth.
pub fn router(store: Arc<Store>, key: Option<Secret>) -> Router {
    let app = App { store, key: key.map(Arc::new) };
    Router::new()
        .route("/api/v1/{collection}", get(list).post(create).put(upsert))
        .route("/api/v1/{collection}/{id}", get(get_one).put(put).patch(patch).delete(delete))
        .route_layer(middleware::from_fn_with_state(app.clone(), auth))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(log))
        .with_state(app)
}

/// The limits that keep idle or slow clients from starving the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// A connection must send a request's whole header within this time after it connects or
    /// after its previous response (else it is closed).
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed.
    pub idle_timeout: Duration,
    /// The most connections open at once; one more is closed as soon as it is accepted.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_mins(1),
            max_connections: 4096,
        }
    }
}

/// Serves until `shutdown` completes, then lets in-flight requests finish (for up to 10 s),
/// with the default [`ServeLimits`].
pub async fn serve(
    listener: TcpListener,
    store: Arc<Store>,
    key: Option<Secret>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, store, key, ServeLimits::default(), shutdown).await
}

/// Serves as [`serve`] does, with these limits. Each connection is HTTP/1.1 (hyper) with a
/// header-read timeout; a watchdog closes a connection idle past `idle_timeout`; a semaphore
/// bounds the open connections (and, at shutdown, waits for them to close).
pub async fn serve_with(
    listener: TcpListener,
    store: Arc<Store>,
    key: Option<Secret>,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(store, key);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: wait a little, go on.
                tracing::warn!("cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::debug!(max = limits.max_connections, "too many open connections; closing a new one");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, app.clone(), limits, stop_rx.clone(), slot));
    }
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(GRACE, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("closing connections still open {GRACE:?} after the shutdown signal");
    }
    Ok(())
}

/// Serves one connection until it ends, goes idle, or the server stops (gracefully).
async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    limits: ServeLimits,
    mut stop: tokio::sync::watch::Receiver<bool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = hyper_util::rt::TokioIo::new(Watched { inner: stream, activity: Arc::clone(&activity) });
    let service = hyper_util::service::TowerToHyperService::new(app);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let mut conn = std::pin::pin!(builder.serve_connection(io, service));
    let tick = (limits.idle_timeout / 4).max(Duration::from_millis(10));
    let mut stopping = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("connection ended: {e}");
                }
                return;
            }
            changed = stop.wait_for(|stop| *stop), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            () = tokio::time::sleep(tick) => {
                if activity.idle() > limits.idle_timeout {
                    tracing::debug!("closing a connection idle for {:?}", limits.idle_timeout);
                    return;
                }
            }
        }
    }
}

/// When a connection last moved a byte, as milliseconds since it opened.
struct Activity {
    opened: Instant,
    last: std::sync::atomic::AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self { opened: Instant::now(), last: std::sync::atomic::AtomicU64::new(0) }
    }

    fn touch(&self) {
        let now = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, std::sync::atomic::Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(std::sync::atomic::Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }
}

/// A stream that records its activity.
struct Watched {
    inner: tokio::net::TcpStream,
    activity: Arc<Activity>,
}

impl tokio::io::AsyncRead for Watched {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        poll
    }
}

impl tokio::io::AsyncWrite for Watched {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(poll, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        poll
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Returns a future that completes on Ctrl-C or (on Unix) SIGTERM. The handlers are installed
/// by this call, so a signal that arrives before the future is polled is not lost (and does not
/// kill the process). Must be called inside a tokio runtime.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let org = request
        .headers()
        .get(ORG_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect::<String>())
        .unwrap_or_default();
    let started = Instant::now();
    let response = next.run(request).await;
    let micros = started.elapsed().as_micros();
    tracing::info!(%method, %path, org, status = response.status().as_u16(), micros, "request");
    response
}

async fn auth(State(app): State<App>, request: Request, next: Next) -> Response {
    if let Some(key) = &app.key {
        let Some(value) = request.headers().get(AUTHORIZATION) else {
            return ApiError::unauthorized("missing `Authorization: Bearer <key>` header").into_response();
        };
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
        if !token.is_some_and(|t| key.matches(t.trim())) {
            return ApiError::unauthorized("the service key is not valid").into_response();
        }
    }
    if request.headers().get_all(ORG_HEADER).iter().nth(1).is_some() {
        return ApiError::bad_request("duplicate_org", "the `X-Organization-Id` header is repeated; send it once")
            .into_response();
    }
    next.run(request).await
}

async fn healthz() -> Response {
    json_body(r#"{"status":"ok"}"#.to_owned()).into_response()
}

async fn openapi() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(|| super::openapi::to_json_string(&super::openapi::document()));
    json_body(doc.clone()).into_response()
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(404, "not_found", format!("no route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(format!("{method} is not allowed on {}", uri.path()))
}

/// Returns the org the request acts for.
fn org_of(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(ORG_HEADER) else {
        return Err(ApiError::bad_request("missing_org", "missing `X-Organization-Id` header"));
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request("invalid_org", "`X-Organization-Id` must be a non-empty org id"))
}

/// Returns the revision `If-Match` names: `3`, `"3"` or `W/"3"`; `None` without the header or
/// for `*` (any revision). Anything else is a 400.
fn if_match_of(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let mut values = headers.get_all(IF_MATCH).iter();
    let Some(value) = values.next() else { return Ok(None) };
    let bad = || {
        ApiError::bad_request(
            "invalid_if_match",
            "`If-Match` must name one record revision (an integer, like `If-Match: 3`) or be `*`",
        )
    };
    if values.next().is_some() {
        return Err(bad());
    }
    let text = value.to_str().map_err(|_| bad())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    let text = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    text.parse::<u64>().map(Some).map_err(|_| bad())
}

/// A query that names an org must name the one the request acts for (403 otherwise); the
/// single-record routes take no other parameter that matters.
fn check_query_org(org: &str, query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<(), ApiError> {
    let Query(pairs) = query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    match pairs.iter().find(|(k, v)| k == "organizationId" && v != org) {
        Some((_, named)) => Err(ApiError::org_mismatch(org, named)),
        None => Ok(()),
    }
}

fn path_of<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(p)| p).map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))
}

fn query_of(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<ListQuery, ApiError> {
    let Query(pairs) = query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    ListQuery::from_pairs(&pairs)
}

/// Reads a JSON object body of at most [`MAX_BODY_BYTES`]. A larger body is read to its end
/// (up to [`DRAIN_LIMIT`]) before the 413, so the client gets the answer instead of a reset
/// connection.
async fn body_of(headers: &HeaderMap, body: Body) -> Result<Record, ApiError> {
    parse_body(&read_body(headers, body).await?)
}

/// Reads a body that may be absent (a DELETE's): `None` when empty, else as [`body_of`].
async fn optional_body_of(headers: &HeaderMap, body: Body) -> Result<Option<Record>, ApiError> {
    let bytes = read_body(headers, body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) { Ok(None) } else { parse_body(&bytes).map(Some) }
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
        return Err(ApiError::too_large());
    }
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request("unreadable_body", format!("cannot read the body: {e}")))?;
        total += chunk.len();
        if total > DRAIN_LIMIT {
            break;
        }
        if total <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&chunk);
        }
    }
    if total > MAX_BODY_BYTES {
        return Err(ApiError::too_large());
    }
    Ok(bytes)
}

fn parse_body(bytes: &[u8]) -> Result<Record, ApiError> {
    match serde_json::from_slice(bytes) {
        Ok(serde_json::Value::Object(record)) => {
            super::types::check_integer_literals(bytes)?;
            Ok(record)
        }
        Ok(_) => Err(ApiError::bad_request("malformed_json", "the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))),
    }
}

/// Runs a store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = Arc::clone(&app.store);
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|e| Err(ApiError::store(format!("the store task failed: {e}"))))
}

fn page_response(page: &RawPage) -> Response {
    json_body(page.to_json()).into_response()
}

fn record_response(status: StatusCode, record: &Record) -> Response {
    let text = serde_json::to_string(record).unwrap_or_else(|_| "{}".to_owned());
    (status, json_body(text)).into_response()
}

fn upserted_response(upserted: &Upserted) -> Response {
    let status = if upserted.created { StatusCode::CREATED } else { StatusCode::OK };
    record_response(status, &upserted.record)
}

async fn list(
    State(app): State<App>,
    headers: HeaderMap,
    collection: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let collection = path_of(collection)?;
    let query = query_of(query)?;
    if collection == ORGANIZATIONS {
        let page = blocking(&app, move |store| store.organizations(&query)).await?;
        return Ok(page_response(&page));
    }
    let org = org_of(&headers)?;
    let page = blocking(&app, move |store| store.list(&org, &collection, &query)).await?;
    Ok(page_response(&page))
}

async fn create(
    State(app): State<App>,
    headers: HeaderMap,
    collection: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    let collection = path_of(collection)?;
    let org = org_of(&headers)?;
    let body = body_of(&headers, body).await?;
    let record = blocking(&app, move |store| store.create(&org, &collection, body)).await?;
    Ok(record_response(StatusCode::CREATED, &record))
}

async fn upsert(
    State(app): State<App>,
    headers: HeaderMap,
    collection: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    let collection = path_of(collection)?;
    let org = org_of(&headers)?;
    let body = body_of(&headers, body).await?;
    let upserted = blocking(&app, move |store| store.upsert(&org, &collection, body)).await?;
    Ok(upserted_response(&upserted))
}

async fn get_one(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (collection, id) = path_of(path)?;
    let org = org_of(&headers)?;
    check_query_org(&org, query)?;
    let raw = blocking(&app, move |store| store.get(&org, &collection, &id)).await?;
    Ok(json_body(raw).into_response())
}

async fn put(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    let (collection, id) = path_of(path)?;
    let org = org_of(&headers)?;
    check_query_org(&org, query)?;
    let body = body_of(&headers, body).await?;
    let upserted = blocking(&app, move |store| store.put(&org, &collection, &id, body)).await?;
    Ok(upserted_response(&upserted))
}

async fn patch(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    let (collection, id) = path_of(path)?;
    let org = org_of(&headers)?;
    check_query_org(&org, query)?;
    let if_match = if_match_of(&headers)?;
    let body = body_of(&headers, body).await?;
    let record = blocking(&app, move |store| store.patch_if(&org, &collection, &id, body, if_match)).await?;
    Ok(record_response(StatusCode::OK, &record))
}

async fn delete(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    let (collection, id) = path_of(path)?;
    let org = org_of(&headers)?;
    check_query_org(&org, query)?;
    let if_match = if_match_of(&headers)?;
    // A DELETE needs no body, but one that names another org is refused like any other.
    if let Some(body) = optional_body_of(&headers, body).await? {
        check_body_org(&org, &body)?;
    }
    let record = blocking(&app, move |store| store.delete_if(&org, &collection, &id, if_match)).await?;
    Ok(record_response(StatusCode::OK, &record))
}
