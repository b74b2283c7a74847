//! Deployment (SPEC §9): canary bucketing, and (to come) state, plans and rollouts.

pub mod bucket;
