//! [`ErpServer`]: a real `agentb erp serve` process on a free loopback port, with its own
//! temporary database, killed when dropped.
//!
//! ```ignore
//! let server = ErpServer::start("test-key");          // orgs acme, beta, corp, demo
//! let toml = server.instance_config("remote", "REMOTE_KEY");
//! Test::new().file(".agentbuilder.toml", toml).env("REMOTE_KEY", "test-key").args([...]).run();
//! ```

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use tempfile::TempDir;

/// The orgs a server starts with unless told otherwise (the defaults of the `local` instance).
pub const DEFAULT_ORGS: &[&str] = &["acme", "beta", "corp", "demo"];

/// A running `agentb erp serve`.
pub struct ErpServer {
    child: Option<Child>,
    url: String,
    dir: TempDir,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

/// How to start an [`ErpServer`].
#[must_use]
pub struct ErpServerBuilder {
    key: Option<String>,
    orgs: Vec<String>,
    args: Vec<String>,
    env: Vec<(String, String)>,
    project: Option<PathBuf>,
}

impl ErpServerBuilder {
    /// Runs in this project folder and serves its default database (no `--db`, no orgs added:
    /// the server adds the orgs of the project's `local` instance itself).
    pub fn project(mut self, dir: &std::path::Path) -> Self {
        self.project = Some(dir.to_path_buf());
        self
    }

    /// Serves with this key in `AGENTB_ERP_KEY` (`None`: no key; pass `--insecure-dev` in args).
    pub fn key(mut self, key: Option<&str>) -> Self {
        self.key = key.map(str::to_owned);
        self
    }

    /// Starts with these orgs instead of [`DEFAULT_ORGS`].
    pub fn orgs(mut self, orgs: &[&str]) -> Self {
        self.orgs = orgs.iter().map(|o| (*o).to_owned()).collect();
        self
    }

    /// Adds arguments: global flags like `-vvv` go before `erp serve`, the rest after.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Sets an environment variable of the server process.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Starts the server and waits until it listens.
    pub fn start(self) -> ErpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("erp.sqlite");
        if !self.orgs.is_empty() && self.project.is_none() {
            let out = hermetic(dir.path())
                .args(["erp", "org", "add", "--db"])
                .arg(&db)
                .args(&self.orgs)
                .output()
                .expect("run agentb erp org add");
            assert!(out.status.success(), "org add failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let (global, rest): (Vec<&String>, Vec<&String>) = self.args.iter().partition(|a| a.starts_with("-v"));
        let mut cmd = hermetic(self.project.as_deref().unwrap_or(dir.path()));
        cmd.args(global).args(["erp", "serve", "--addr", "127.0.0.1:0"]);
        if self.project.is_none() {
            cmd.arg("--db").arg(&db);
        }
        cmd.args(rest);
        if let Some(key) = &self.key {
            cmd.env("AGENTB_ERP_KEY", key);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child =
            cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn agentb");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("Listening on http://") {
                    let url = line[at + "Listening on ".len()..].split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(url);
                }
                let mut log = sink.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut server = ErpServer { child: Some(child), url: String::new(), dir, log, reader: Some(reader) };
        if let Ok(url) = rx.recv_timeout(Duration::from_secs(30)) {
            server.url = url;
        } else {
            let status = server.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            panic!("agentb erp serve did not start (exit {status:?}):\n{}", server.log());
        }
        server
    }
}

impl ErpServer {
    /// Returns a builder: key `None`, orgs [`DEFAULT_ORGS`], no extra arguments.
    pub fn builder() -> ErpServerBuilder {
        ErpServerBuilder {
            key: None,
            orgs: DEFAULT_ORGS.iter().map(|o| (*o).to_owned()).collect(),
            args: Vec::new(),
            env: Vec::new(),
            project: None,
        }
    }

    /// Starts a server with this key and the default orgs.
    pub fn start(key: &str) -> Self {
        Self::builder().key(Some(key)).start()
    }

    /// Returns the base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Returns the database file (of a server started without [`ErpServerBuilder::project`]).
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("erp.sqlite")
    }

    /// Returns what the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// Adds orgs to the served database (while it runs).
    pub fn add_orgs(&self, orgs: &[&str]) {
        let out = hermetic(self.dir.path())
            .args(["erp", "org", "add", "--db"])
            .arg(self.db())
            .args(orgs)
            .output()
            .expect("run agentb erp org add");
        assert!(out.status.success(), "org add failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Returns an `[erp]` config declaring this server as instance `name` (the default
    /// instance), its key in `key_env`.
    pub fn instance_config(&self, name: &str, key_env: &str) -> String {
        format!(
            "[erp]\ndefault = \"{name}\"\n\n[erp.instances.{name}]\nurl = \"{}\"\nkey_env = \"{key_env}\"\n",
            self.url
        )
    }

    /// Sends SIGTERM and waits; returns the exit code and everything the server wrote to stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let mut child = self.child.take().expect("child");
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let status = wait_timeout(&mut child, Duration::from_secs(20));
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (status, self.log())
    }
}

impl Drop for ErpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_timeout(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("agentb erp serve did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Returns the binary with a cleared environment, run in `dir`.
fn hermetic(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agentb"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .current_dir(dir);
    cmd
}
