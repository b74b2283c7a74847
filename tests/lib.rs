//! Integration tests: the real binary in hermetic temporary projects, one module per command.

mod support;

mod cli;
mod compile;
mod deploy;
mod erp;
mod lint;
mod version;
