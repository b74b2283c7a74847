//! The release use-cases, one module each: a function taking options (and a
//! [`ReleaseSession`](super::session::ReleaseSession)) and returning a plan to carry out with
//! [`ReleaseSession::apply`](super::session::ReleaseSession::apply), or a report.

pub mod abort;
pub mod deploy;
pub mod history;
pub mod pin;
pub mod promote;
pub mod rollback;
pub mod status;

use serde::Serialize;

use super::plan::PlanReport;
use super::session::ApplyReport;

/// The report of a release that was planned and then carried out (or not): `--format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseReport {
    pub plan: PlanReport,
    pub result: Outcome,
    /// The promotion gate (promote only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<promote::GateReport>,
}

/// What became of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    /// It was carried out.
    Applied(ApplyReport),
    /// The confirmation was declined; `cancelled` is always true.
    Cancelled { cancelled: bool },
}

#[cfg(test)]
mod tests;
