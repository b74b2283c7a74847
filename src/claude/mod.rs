//! The Claude Messages API: its types ([`types`]), the HTTP client with streaming and retries
//! ([`client`], [`sse`]), token pricing ([`pricing`]), and the [`Model`] trait the runtime talks
//! to, so the loop runs the same against the real API, a fake server, or an in-process fake.

pub mod client;
pub mod pricing;
pub mod sse;
pub mod types;

use std::future::Future;
use std::pin::Pin;

pub use client::{ClaudeClient, ClaudeOptions};
pub use types::*;

/// The future a [`Model`] returns.
pub type ModelFuture<'a> = Pin<Box<dyn Future<Output = Result<MessagesResponse, ClaudeError>> + Send + 'a>>;

/// A model endpoint: the real client, or an in-process fake in unit tests and benches.
pub trait Model: Send + Sync {
    /// Sends one request. When `request.stream` is true, text deltas are passed to `on_text`
    /// as they arrive; the assembled response is returned either way.
    fn send<'a>(&'a self, request: &'a MessagesRequest, on_text: &'a (dyn Fn(&str) + Send + Sync)) -> ModelFuture<'a>;
}

/// A failed Claude call. Every message names the URL, never the API key.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClaudeError {
    /// The API could not be reached (after retries).
    #[error("cannot reach the Claude API at {url}: {message}")]
    Connect { url: String, message: String },
    /// The request did not complete in time (after retries).
    #[error("the Claude API at {url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    /// The API answered with an error status (after retries, when the status is retryable).
    #[error("the Claude API at {url} answered {status} ({kind}): {message}")]
    Api { url: String, status: u16, kind: String, message: String },
    /// The organization or workspace reached its spend limit; retrying cannot help.
    #[error("the Claude API at {url} refused the request: spend limit reached ({status}): {message}")]
    SpendLimit { url: String, status: u16, message: String },
    /// The SSE stream broke off or carried an `error` event.
    #[error("the Claude API stream failed: {message}")]
    Stream { message: String },
    /// A response body did not fit the Messages API.
    #[error("the Claude API at {url} sent a response agentb cannot read: {message}")]
    Decode { url: String, message: String },
    /// The API key variable is not set.
    #[error("the Claude API key variable `{env}` is not set")]
    MissingKey { env: String },
    /// `api_key_env` holds what looks like a key instead of a variable name (never shown).
    #[error("`[claude] api_key_env` looks like a key, not a variable name")]
    PastedKey,
    /// The client could not be built from the config (for example a malformed `base_url`).
    #[error("claude config: {message}")]
    Config { message: String },
}

impl ClaudeError {
    /// Returns the HTTP status the API answered, if it answered one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClaudeError::Api { status, .. } | ClaudeError::SpendLimit { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Returns a hint for the user, when there is an obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            ClaudeError::MissingKey { env } => Some(format!("export `{env}` with your Anthropic API key")),
            ClaudeError::PastedKey => Some(crate::erp::PASTED_KEY_HINT.replace("{field}", "api_key_env")),
            ClaudeError::Connect { .. } => {
                Some("check `[claude] base_url` (or `ANTHROPIC_BASE_URL`) and your network".to_owned())
            }
            ClaudeError::SpendLimit { .. } => {
                Some("raise the spend limit in the Claude Console, or wait until access resumes".to_owned())
            }
            ClaudeError::Api { status: 401, .. } => Some("check the API key".to_owned()),
            ClaudeError::Api { status: 429 | 500..=599, .. } | ClaudeError::Timeout { .. } => {
                Some("the API is busy or failing; retry later".to_owned())
            }
            _ => None,
        }
    }
}
