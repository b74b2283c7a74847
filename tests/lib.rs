//! Integration tests: the real binary in hermetic temporary projects, one module per command.

mod support;

mod claude;
mod cli;
mod compile;
mod deploy;
mod erp;
mod harden;
mod lint;
mod newcomer;
mod proposals;
mod readme;
mod run;
mod run_claude;
mod testing;
mod version;
