//! `agentb test` (SPEC §10): skill tests that run each case through agentb's real runtime
//! (guard, tiers, proposals, breakers) with a fresh in-memory ERP and a cassette-backed model.
//!
//! - [`spec`]: the test file format and its diagnostics;
//! - [`matcher`]: output paths and matchers;
//! - [`cassette`]: recorded model interactions, canonical requests, replay and record;
//! - [`assertions`]: a case's outcome checked against its expectations;
//! - [`report`]: the JSON and JUnit reports.

pub mod assertions;
pub mod cassette;
pub mod matcher;
pub mod report;
pub mod spec;
