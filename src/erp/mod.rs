//! The ERP contract (SPEC §6): the types, the one trait, and its implementations.

mod error;

pub use error::ErpError;
