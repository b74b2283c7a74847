//! Deployment (SPEC §9): canary bucketing, the state file with its lock, the release store,
//! plans, rollouts against an ERP instance, the promotion gate, and drift detection.

pub mod bucket;
pub mod drift;
pub mod gate;
pub mod plan;
pub mod release_store;
pub mod rollout;
pub mod state;
