//! User command hooks with the Claude Code command-hook contract (SPEC §8): the hook's JSON on
//! stdin; exit 0 allows (stdout may hold `{"decision":"deny","reason":…}` or
//! `{"updated_input":{…}}`); exit 2 blocks with stderr as the reason; any other exit, a timeout
//! or a hook that cannot start blocks too (fail closed) and is reported as a hook failure.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;
use tokio::io::AsyncWriteExt as _;

use crate::config::HookConfig;

/// The events hooks run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    PreToolUse,
    PostToolUse,
}

impl Event {
    /// Returns the `hook_event_name` of the contract.
    pub fn name(self) -> &'static str {
        match self {
            Event::PreToolUse => "PreToolUse",
            Event::PostToolUse => "PostToolUse",
        }
    }

    /// Returns the config key (`pre_tool_use`).
    pub fn key(self) -> &'static str {
        match self {
            Event::PreToolUse => "pre_tool_use",
            Event::PostToolUse => "post_tool_use",
        }
    }
}

/// The JSON a hook reads on stdin.
#[derive(Debug, Clone, Serialize)]
pub struct HookInput<'a> {
    pub session_id: &'a str,
    pub org: &'a str,
    pub skill: &'a str,
    pub hook_event_name: &'static str,
    pub tool_name: &'a str,
    pub tool_input: &'a Value,
    pub tool_use_id: &'a str,
    pub tier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_response: Option<&'a Value>,
    pub cwd: String,
}

/// What one hook decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Exit 0 without a decision.
    Allow,
    /// Exit 0 with `updated_input`: the call goes on with this input.
    Rewrite(Value),
    /// Exit 0 with `{"decision":"deny"}`, or exit 2.
    Deny(String),
    /// Any other exit, a timeout, or a hook that could not run: blocks (fail closed).
    Failed(String),
}

/// The hooks of one event, with their matchers compiled.
#[derive(Debug, Clone)]
pub struct Hooks {
    event: Event,
    hooks: Vec<(Regex, HookConfig)>,
}

/// The combined decision of every matching hook.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The input the call goes on with (rewritten by hooks, in order).
    pub input: Value,
    /// `Some((index, command, outcome))` for the hook that blocked.
    pub blocked: Option<(usize, String, Outcome)>,
    /// Hooks that ran: index, command, and whether they rewrote the input.
    pub ran: Vec<(usize, String, bool)>,
}

impl Hooks {
    /// Returns the hooks of an event; invalid matchers were rejected when the config loaded,
    /// so one that still fails to compile matches nothing.
    pub fn new(event: Event, configs: &[HookConfig]) -> Self {
        let hooks = configs
            .iter()
            .map(|c| {
                let re = Regex::new(&format!("^(?:{})$", c.matcher)).unwrap_or_else(|_| Regex::new("$^").expect("re"));
                (re, c.clone())
            })
            .collect();
        Self { event, hooks }
    }

    /// Returns the event these hooks run on.
    pub fn event(&self) -> Event {
        self.event
    }

    /// Returns whether any hook matches `tool`.
    pub fn matches(&self, tool: &str) -> bool {
        self.hooks.iter().any(|(re, _)| re.is_match(tool))
    }

    /// Runs every hook that matches the tool, in order, in `dir`; the first that blocks stops
    /// the others. A rewritten input is what later hooks see.
    pub async fn run(&self, dir: &Path, input: HookInput<'_>) -> Decision {
        let mut current = input.tool_input.clone();
        let mut ran = Vec::new();
        for (index, (re, hook)) in self.hooks.iter().enumerate() {
            if !re.is_match(input.tool_name) {
                continue;
            }
            let payload = HookInput { tool_input: &current, ..input.clone() };
            let outcome = run_one(dir, hook, &payload).await;
            match outcome {
                Outcome::Allow => ran.push((index, hook.command.clone(), false)),
                Outcome::Rewrite(updated) => {
                    ran.push((index, hook.command.clone(), true));
                    current = updated;
                }
                blocked @ (Outcome::Deny(_) | Outcome::Failed(_)) => {
                    return Decision { input: current, blocked: Some((index, hook.command.clone(), blocked)), ran };
                }
            }
        }
        Decision { input: current, blocked: None, ran }
    }
}

/// Runs one hook command with `sh -c`.
async fn run_one(dir: &Path, hook: &HookConfig, input: &HookInput<'_>) -> Outcome {
    let payload = match serde_json::to_vec(input) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(format!("cannot encode the hook input: {e}")),
    };
    let mut command = tokio::process::Command::new("sh");
    // Its own process group, so a timeout kills what the hook started too (`sleep 1000 &`).
    #[cfg(unix)]
    command.process_group(0);
    let mut child = match command
        .arg("-c")
        .arg(&hook.command)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => return Outcome::Failed(format!("cannot start `{}`: {e}", hook.command)),
    };
    let stdin = child.stdin.take();
    let pid = child.id();
    // The timeout covers writing the input too: a hook that never reads its stdin would
    // otherwise hang the run once the input outgrows the pipe's buffer.
    let finish = async move {
        if let Some(mut stdin) = stdin {
            // A hook that does not read its stdin is fine: ignore a broken pipe.
            let _ = stdin.write_all(&payload).await;
            drop(stdin);
        }
        child.wait_with_output().await
    };
    let timeout = Duration::from_secs(hook.timeout_secs.max(1));
    let output = match tokio::time::timeout(timeout, finish).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => return Outcome::Failed(format!("`{}` failed: {e}", hook.command)),
        Err(_) => {
            kill_group(pid);
            return Outcome::Failed(format!("`{}` timed out after {}s", hook.command, timeout.as_secs()));
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    match output.status.code() {
        Some(0) => parse_stdout(&stdout),
        Some(2) => Outcome::Deny(if stderr.is_empty() { "blocked by a hook".to_owned() } else { stderr }),
        Some(code) => Outcome::Failed(format!(
            "`{}` exited with {code}{}",
            hook.command,
            if stderr.is_empty() { String::new() } else { format!(": {stderr}") }
        )),
        None => Outcome::Failed(format!("`{}` was killed by a signal", hook.command)),
    }
}

/// Kills the process group a timed-out hook leads (its pid is the group id), so nothing it
/// started outlives it. `kill(1)` does it without unsafe code; a group already gone is fine.
fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        let group = format!("-{pid}");
        let killed = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Err(e) = killed {
            tracing::warn!("cannot kill the hook's process group {pid}: {e}");
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Reads the decision a hook printed after exiting 0; text that is not a JSON object allows.
fn parse_stdout(stdout: &str) -> Outcome {
    let Ok(Value::Object(out)) = serde_json::from_str::<Value>(stdout.trim()) else { return Outcome::Allow };
    // Claude Code's newer form nests the decision in `hookSpecificOutput`.
    let specific = out.get("hookSpecificOutput").and_then(Value::as_object);
    let decision = out
        .get("decision")
        .or_else(|| specific.and_then(|s| s.get("permissionDecision")))
        .and_then(Value::as_str)
        .unwrap_or("");
    if matches!(decision, "deny" | "block") {
        let reason = out
            .get("reason")
            .or_else(|| specific.and_then(|s| s.get("permissionDecisionReason")))
            .and_then(Value::as_str)
            .unwrap_or("denied by a hook");
        return Outcome::Deny(reason.to_owned());
    }
    let updated = out
        .get("updated_input")
        .or_else(|| out.get("updatedInput"))
        .or_else(|| specific.and_then(|s| s.get("updatedInput")));
    match updated {
        Some(value @ Value::Object(_)) => Outcome::Rewrite(value.clone()),
        Some(_) => Outcome::Failed("the hook's `updated_input` is not a JSON object".to_owned()),
        None => Outcome::Allow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hook(matcher: &str, command: &str) -> HookConfig {
        HookConfig { matcher: matcher.to_owned(), command: command.to_owned(), timeout_secs: 5 }
    }

    fn input<'a>(tool: &'a str, value: &'a Value) -> HookInput<'a> {
        HookInput {
            session_id: "s1",
            org: "acme",
            skill: "brief-creator",
            hook_event_name: Event::PreToolUse.name(),
            tool_name: tool,
            tool_input: value,
            tool_use_id: "tu1",
            tier: "t2".to_owned(),
            tool_response: None,
            cwd: ".".to_owned(),
        }
    }

    fn decide(hooks: &[HookConfig], tool: &str, value: &Value) -> Decision {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        rt.block_on(Hooks::new(Event::PreToolUse, hooks).run(dir.path(), input(tool, value)))
    }

    #[test]
    fn decisions_follow_the_contract() {
        let v = json!({"data": {"title": "x"}});
        assert_eq!(decide(&[hook(".*", "cat >/dev/null")], "erp_create_brief", &v).blocked, None);
        let d = decide(&[hook("erp_create_.*", "echo 'no briefs today' >&2; exit 2")], "erp_create_brief", &v);
        assert_eq!(d.blocked.unwrap().2, Outcome::Deny("no briefs today".to_owned()));
        let d = decide(&[hook(".*", r#"echo '{"decision":"deny","reason":"json says no"}'"#)], "erp_get_client", &v);
        assert_eq!(d.blocked.unwrap().2, Outcome::Deny("json says no".to_owned()));
        let d = decide(&[hook(".*", "exit 1")], "erp_get_client", &v);
        assert!(matches!(d.blocked.unwrap().2, Outcome::Failed(m) if m.contains("exited with 1")));
        // A matcher is anchored: `erp_create` does not match `erp_create_brief`.
        assert_eq!(decide(&[hook("erp_create", "exit 2")], "erp_create_brief", &v).blocked, None);
    }

    #[test]
    fn rewrites_chain_and_hooks_read_the_input() {
        let v = json!({"data": {"title": "x"}});
        let hooks = [
            hook(".*", r#"grep -q '"tool_use_id":"tu1"' && echo '{"updated_input":{"data":{"title":"y"}}}'"#),
            hook(".*", r#"grep -q '"title":"y"' || exit 2"#),
        ];
        let d = decide(&hooks, "erp_create_brief", &v);
        assert_eq!(d.blocked, None);
        assert_eq!(d.input, json!({"data": {"title": "y"}}));
        assert_eq!(d.ran.len(), 2);
    }

    #[test]
    fn a_hook_that_never_reads_a_large_input_still_times_out() {
        // More than a pipe buffer (64 KiB) of input, to a hook that neither reads nor exits.
        let big = json!({"data": {"notes": "x".repeat(1 << 20)}});
        let slow = HookConfig { matcher: ".*".to_owned(), command: "sleep 30".to_owned(), timeout_secs: 1 };
        let started = std::time::Instant::now();
        let d = decide(&[slow], "erp_create_brief", &big);
        assert!(matches!(d.blocked.unwrap().2, Outcome::Failed(m) if m.contains("timed out")));
        assert!(started.elapsed() < Duration::from_secs(20), "the timeout held: {:?}", started.elapsed());
    }

    /// Returns whether a process is gone (or a zombie nobody reaped yet).
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_kills_what_the_hook_started() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("bg.pid");
        let command = format!("sleep 1000 & echo $! > '{}'; sleep 30", pid_file.display());
        let slow = HookConfig { matcher: ".*".to_owned(), command, timeout_secs: 1 };
        let d = decide(&[slow], "erp_get_client", &json!({}));
        assert!(matches!(d.blocked.unwrap().2, Outcome::Failed(m) if m.contains("timed out")));
        let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_owned();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !gone(&pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(gone(&pid), "the hook's background `sleep 1000` (pid {pid}) still runs");
    }

    #[test]
    fn a_slow_hook_times_out_and_blocks() {
        let slow = HookConfig { matcher: ".*".to_owned(), command: "sleep 5".to_owned(), timeout_secs: 1 };
        let d = decide(&[slow], "erp_get_client", &json!({}));
        assert!(matches!(d.blocked.unwrap().2, Outcome::Failed(m) if m.contains("timed out")));
    }
}
