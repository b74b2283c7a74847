//! The hermetic test harness: a temporary project, a cleared environment, and the real binary.
//!
//! A test reads like
//! `Test::new().skill("a.md", SRC).args(["lint"]).run().code(1).stderr_contains("AB012")`.

#![allow(dead_code)]

pub mod claude;
pub mod erp;
pub mod flaky_erp;
pub mod runtime;
pub mod with_claude;

pub use claude::{FakeClaude, Reply};
pub use erp::ErpServer;

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The repository root (for the example project).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A test project in a temporary directory, and the command to run in it.
#[must_use]
pub struct Test {
    dir: TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    cwd: Option<PathBuf>,
}

impl Test {
    /// Returns an empty project (no config: the defaults apply).
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir"), args: Vec::new(), env: Vec::new(), stdin: None, cwd: None }
    }

    /// Returns a copy of the repository's example project (skills and personas).
    pub fn example() -> Self {
        let test = Self::new();
        for sub in ["skills", "personas"] {
            copy_dir(&repo().join(sub), &test.dir.path().join(sub));
        }
        test
    }

    /// Returns the project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders), relative to the project root.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("create dirs");
        std::fs::write(full, contents).expect("write file");
        self
    }

    /// Writes `skills/<name>`.
    pub fn skill(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        self.file(&format!("skills/{name}"), contents)
    }

    /// Writes `personas/<name>`.
    pub fn persona(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        self.file(&format!("personas/{name}"), contents)
    }

    /// Writes a sparse file of `len` bytes that starts with `prefix` (fast even for 100 MB:
    /// only the prefix is written).
    pub fn sparse_file(self, path: &str, prefix: &[u8], len: u64) -> Self {
        use std::io::Write as _;
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("create dirs");
        let mut file = std::fs::File::create(&full).expect("create file");
        file.write_all(prefix).expect("write prefix");
        file.set_len(len).expect("set length");
        self
    }

    /// Reads a file of the project as bytes.
    pub fn read_bytes(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    /// Reads a file of the project.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    /// Sets the arguments (replacing earlier ones).
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Runs in this subfolder of the project.
    pub fn cwd(mut self, sub: &str) -> Self {
        self.cwd = Some(self.dir.path().join(sub));
        self
    }

    /// Feeds standard input.
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// Returns the command that would run.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_agentb"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .current_dir(self.cwd.as_deref().unwrap_or(self.dir.path()))
            .args(&self.args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary and returns its output; the test project stays alive in the result.
    pub fn run(self) -> Run {
        use std::io::Write as _;
        use std::process::Stdio;
        let mut cmd = self.command();
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn agentb");
        let input = self.stdin.clone().unwrap_or_default();
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let output = child.wait_with_output().expect("wait for agentb");
        let _ = writer.join();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            test: self,
        }
    }
}

/// The outcome of a run, with assertion helpers that print everything on failure.
#[must_use]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub test: Test,
}

impl Run {
    fn dump(&self) -> String {
        format!("exit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, self.stdout, self.stderr)
    }

    /// Asserts the exit code.
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, Some(expected), "unexpected exit code\n{}", self.dump());
        self
    }

    /// Asserts stdout contains `needle`.
    pub fn stdout_contains(self, needle: &str) -> Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}\n{}", self.dump());
        self
    }

    /// Asserts stderr contains `needle`.
    pub fn stderr_contains(self, needle: &str) -> Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}\n{}", self.dump());
        self
    }

    /// Asserts stderr does not contain `needle`.
    pub fn stderr_lacks(self, needle: &str) -> Self {
        assert!(!self.stderr.contains(needle), "stderr has {needle:?}\n{}", self.dump());
        self
    }

    /// Asserts stdout does not contain `needle`.
    pub fn stdout_lacks(self, needle: &str) -> Self {
        assert!(!self.stdout.contains(needle), "stdout has {needle:?}\n{}", self.dump());
        self
    }

    /// Asserts neither stdout nor stderr contains `needle`.
    pub fn output_lacks(self, needle: &str) -> Self {
        assert!(
            !self.stdout.contains(needle) && !self.stderr.contains(needle),
            "output has {needle:?}\n{}",
            self.dump()
        );
        self
    }

    /// Ends a chain of assertions. A `Run` is `#[must_use]` so that no run goes unchecked; a
    /// statement that only asserts ends with this.
    pub fn done(self) {
        drop(self);
    }

    /// Asserts no panic or backtrace reached the user.
    pub fn no_panic(self) -> Self {
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"), "panic\n{}", self.dump());
        self
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", self.dump()))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
