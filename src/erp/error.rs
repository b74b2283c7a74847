//! Errors of ERP calls: each names the instance, the org, the method and the path, never the key.

use crate::error::ExitStatus;

/// A failed ERP call.
#[derive(Debug, thiserror::Error)]
pub enum ErpError {
    /// The instance could not be reached (connect error, timeout) after retries.
    #[error("cannot reach ERP instance `{instance}` ({method} {url}): {message}")]
    Unreachable { instance: String, method: String, url: String, message: String },
    /// The instance answered with an error status.
    #[error("ERP instance `{instance}` answered {status} to {method} {path} for org `{org}`: {message}")]
    Status { instance: String, org: String, method: String, path: String, status: u16, code: String, message: String },
    /// The local store failed.
    #[error("local ERP store `{path}`: {message}")]
    Store { path: String, message: String },
}

impl ErpError {
    /// Returns the exit status: a client mistake the user can fix (401, 403, 404, 409, 422) is
    /// still a failed ERP call, exit 3, per SPEC §12.
    pub fn exit_status(&self) -> ExitStatus {
        ExitStatus::Remote
    }

    /// Returns a hint for the user, when there is an obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            ErpError::Unreachable { .. } => {
                Some("check the instance's `url` and that the server is running (`agentb erp ping`)".to_owned())
            }
            ErpError::Status { status: 401, .. } => {
                Some("check the service key in the instance's `key_env` variable".to_owned())
            }
            _ => None,
        }
    }
}
