//! Integration tests: the real binary in hermetic temporary projects, one module per command.

mod support;

mod agent_skills;
mod builders;
mod claude;
mod claude_shapes;
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
mod run_org;
mod shared_sessions;
mod testing;
mod version;
