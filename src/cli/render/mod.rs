//! Human rendering of the library's reports (plans, summaries, failures, version checks).

pub mod plan;
pub mod test;
pub mod versions;
