//! Errors of ERP calls: each names the instance, the org, the method and the path, never the key.

use std::fmt;

/// The call that failed: which instance, for which org, which method on which path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub instance: String,
    /// Empty for calls that act for no org (`GET /api/v1/organizations`).
    pub org: String,
    pub method: String,
    pub path: String,
}

impl Call {
    /// Returns a boxed call description.
    pub fn boxed(instance: &str, org: &str, method: &str, path: impl Into<String>) -> Box<Self> {
        Box::new(Self {
            instance: instance.to_owned(),
            org: org.to_owned(),
            method: method.to_owned(),
            path: path.into(),
        })
    }
}

/// What to do when a key was pasted where a variable name belongs (`{field}`: the config key).
pub const PASTED_KEY_HINT: &str = "never put the key itself in the config: rotate it, export it in an environment \
     variable, and set `{field}` to that variable's name";

/// A failed ERP call.
#[derive(Debug, Clone)]
pub enum ErpError {
    /// The instance could not be reached (connect error, timeout) after retries.
    Unreachable { call: Box<Call>, url: String, message: String },
    /// The instance answered with an error status (the local store answers the same way).
    Status { call: Box<Call>, status: u16, code: String, message: String },
    /// The call was refused before anything was sent: its record id is not a single path
    /// segment. Reads like the 400 `invalid_id` the server would answer.
    InvalidId { call: Box<Call>, message: String },
    /// The instance answered 2xx with a body that does not fit the contract.
    InvalidResponse { call: Box<Call>, message: String },
    /// The local store failed.
    Store { path: String, message: String },
    /// The instance's key variable is not set.
    MissingKey { instance: String, env: String },
    /// The instance's `key_env` holds what looks like a key instead of a variable name (the
    /// value is never shown).
    PastedKey { instance: String },
    /// The config names no such instance.
    UnknownInstance { name: String, suggestion: Option<String> },
    /// The instance has no such org (`orgs`: the ones it has).
    UnknownOrg { instance: String, org: String, suggestion: Option<String>, orgs: Vec<String> },
    /// The instance's config is unusable (for example a malformed `url`).
    Config { instance: String, message: String },
}

impl std::error::Error for ErpError {}

impl fmt::Display for ErpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let for_org =
            |call: &Call| if call.org.is_empty() { String::new() } else { format!(" for org `{}`", call.org) };
        match self {
            ErpError::Unreachable { call, url, message } => {
                write!(f, "cannot reach ERP instance `{}` ({} {url}): {message}", call.instance, call.method)
            }
            ErpError::Status { call, status, message, .. } => write!(
                f,
                "ERP instance `{}` answered {status} to {} {}{}: {message}",
                call.instance,
                call.method,
                call.path,
                for_org(call)
            ),
            ErpError::InvalidId { call, message } => write!(
                f,
                "refused to send {} {} to ERP instance `{}`{}: {message}",
                call.method,
                call.path,
                call.instance,
                for_org(call)
            ),
            ErpError::InvalidResponse { call, message } => write!(
                f,
                "ERP instance `{}` sent an invalid response to {} {}{}: {message}",
                call.instance,
                call.method,
                call.path,
                for_org(call)
            ),
            ErpError::Store { path, message } => write!(f, "local ERP store `{path}`: {message}"),
            ErpError::MissingKey { instance, env } => {
                write!(f, "ERP instance `{instance}` needs a service key in `{env}`, which is not set")
            }
            ErpError::PastedKey { instance } => {
                write!(f, "ERP instance `{instance}`: the configured `key_env` looks like a key, not a variable name")
            }
            ErpError::UnknownInstance { name, .. } => write!(f, "no ERP instance `{name}` in the config"),
            ErpError::UnknownOrg { instance, org, .. } => write!(f, "instance `{instance}` has no org `{org}`"),
            ErpError::Config { instance, message } => write!(f, "ERP instance `{instance}`: {message}"),
        }
    }
}

impl ErpError {
    /// Returns the HTTP status the instance answered, if it answered one (400 for an id refused
    /// before sending, as the instance would have answered).
    pub fn status(&self) -> Option<u16> {
        match self {
            ErpError::Status { status, .. } => Some(*status),
            ErpError::InvalidId { .. } => Some(400),
            _ => None,
        }
    }

    /// Returns the contract's error code (`not_found`, `conflict`, …), if the instance sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ErpError::Status { code, .. } => Some(code),
            ErpError::InvalidId { .. } => Some("invalid_id"),
            _ => None,
        }
    }

    /// Returns whether the record (or the org) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Returns whether a compare-and-set (`If-Match`) lost: the record changed since (412).
    pub fn is_precondition_failed(&self) -> bool {
        self.status() == Some(412)
    }

    /// Returns whether the call conflicted with an existing record.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// Returns a hint for the user, when there is an obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            ErpError::Unreachable { call, .. } => Some(format!(
                "check the instance's `url` and that the server is running (`agentb erp ping --instance {}`)",
                call.instance
            )),
            ErpError::Status { status: 401, .. } => {
                Some("check the service key in the instance's `key_env` variable".to_owned())
            }
            ErpError::Status { status: 404, code, call, .. } if code == "org_not_found" => {
                Some(format!("add the org with `agentb erp org add {}`, or check `--org`", call.org))
            }
            ErpError::Status { status: 413, .. } => Some("records are limited to 1 MiB".to_owned()),
            ErpError::Status { status: 429, .. } => Some("the instance is rate limiting; retry later".to_owned()),
            ErpError::Status { status: 500..=599, .. } => {
                Some("the instance failed; retry later or check its logs".to_owned())
            }
            ErpError::MissingKey { env, .. } => Some(format!("export `{env}` with the instance's service key")),
            ErpError::PastedKey { .. } => Some(PASTED_KEY_HINT.replace("{field}", "key_env")),
            ErpError::UnknownInstance { suggestion: Some(s), .. }
            | ErpError::UnknownOrg { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            ErpError::UnknownOrg { orgs, .. } if orgs.is_empty() => {
                Some("the instance has no orgs; add one with `agentb erp org add ORG`".to_owned())
            }
            ErpError::UnknownOrg { orgs, .. } => Some(format!("its orgs: {}", orgs.join(", "))),
            ErpError::UnknownInstance { suggestion: None, .. } => {
                Some("instances are declared under `[erp.instances.NAME]` in `.agentbuilder.toml`".to_owned())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors_name_instance_org_method_and_path() {
        let err = ErpError::Status {
            call: Call::boxed("staging", "acme", "GET", "/api/v1/briefs/b1"),
            status: 404,
            code: "not_found".into(),
            message: "no `briefs` record `b1`".into(),
        };
        assert_eq!(
            err.to_string(),
            "ERP instance `staging` answered 404 to GET /api/v1/briefs/b1 for org `acme`: no `briefs` record `b1`"
        );
        assert!(err.is_not_found());
    }

    #[test]
    fn config_errors_exit_2() {
        let err = ErpError::MissingKey { instance: "staging".into(), env: "KEY".into() };
        assert_eq!(err.hint().unwrap(), "export `KEY` with the instance's service key");
    }
}
