//! Integration tests: the real binary in hermetic temporary projects, one module per command.

mod support;

mod claude;
mod cli;
mod compile;
mod deploy;
mod erp;
mod harden;
mod lint;
mod proposals;
mod run;
mod run_claude;
mod shared_sessions;
mod testing;
mod version;
