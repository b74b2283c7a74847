//! The `agentb` binary: parse, run, exit.

fn main() -> std::process::ExitCode {
    agentb::cli::main()
}
