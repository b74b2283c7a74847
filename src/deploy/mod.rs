//! Deployment (SPEC §9): canary bucketing and the state file with its lock. Plans and rollouts
//! build on these.

pub mod bucket;
pub mod state;
