//! agentb: write, lint, compile, test, version and ship agent skills to the organizations of a
//! multi-tenant ERP, and run them on Claude behind hard, code-level safety rails.
//!
//! The binary is a thin shell over this library: [`cli::main`] parses the command line,
//! resolves the settings, dispatches to one of its commands, and maps the outcome to an exit
//! status. Everything outside [`cli`] is the library: it knows nothing of clap, the terminal or
//! exit codes.

pub mod agent_skills;
pub mod builders;
pub mod claude;
pub mod cli;
pub mod compile;
pub mod config;
pub mod deploy;
pub mod duration;
pub mod env;
pub mod erp;
pub mod fs;
pub mod lint;
pub mod retry;
pub mod rt;
pub mod runtime;
pub mod skill;
pub mod testing;
pub mod text;
pub mod tools;
pub mod versions;
pub mod workspace;
