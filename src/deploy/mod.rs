//! Deployment (SPEC §9): canary bucketing, the state file with its lock, the release store,
//! plans, rollouts against an ERP instance, the promotion gate, and drift detection; the
//! use-cases themselves are in [`ops`], working on a [`session::ReleaseSession`].

pub mod artifacts;
pub mod bucket;
pub mod drift;
pub mod error;
pub mod gate;
pub mod ops;
pub mod plan;
pub mod release_store;
pub mod rollout;
pub mod session;
pub mod state;

pub use error::DeployError;
pub use session::ReleaseSession;
