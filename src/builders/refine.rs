//! `agentb refine SKILL [--feedback TEXT] [--from-invocations --org ORG --since 7d]` (SPEC §11):
//! an improved version of an existing skill, from feedback or from the org's failed invocations
//! of it (their input, error and output, read from the ERP), drafted through the lint-feedback
//! loop of [`super::draft`]. The clean draft is compared with the working tree's version by the
//! interface diff of [`crate::compile::diff`]; the version bump its class requires is applied to
//! the draft (over whatever version the model wrote), and [`write`] replaces the file.

use std::fmt::Write as _;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::BuildError;
use super::draft::{self, Drafter, Goal, Problem, Round};
use crate::claude::Usage;
use crate::compile::Artifact;
use crate::compile::diff::{self as classify, Change, Class};
use crate::erp::{AgentInvocation, Erp, ErpExt as _, InvocationStatus, ListQuery};
use crate::lint::{Level, Levels};
use crate::workspace::Project;

/// The refiner's id (its sessions' skill).
pub const BUILDER: &str = "skill-refiner";

/// At most this many failed invocations go to the model (the newest).
pub const MAX_INVOCATIONS: usize = 20;

/// Each invocation's input, output and error are cut to this many bytes of JSON.
const MAX_FIELD_BYTES: usize = 2000;

/// The skill as it is in the working tree.
#[derive(Debug, Clone)]
pub struct Base {
    pub id: String,
    /// The file, as shown.
    pub path: String,
    pub abs: std::path::PathBuf,
    pub text: String,
    pub artifact: Artifact,
}

/// Loads the skill to refine: it must exist and lint with no error.
pub fn base(project: &Project, skill: &str) -> anyhow::Result<Base> {
    let ws = crate::workspace::load::load(project)?;
    let Some(found) = ws.skill(skill) else {
        let suggestion =
            crate::text::did_you_mean(skill, ws.summaries.iter().map(|s| s.id.as_str())).map(str::to_owned);
        return Err(BuildError::UnknownSkill { skill: skill.to_owned(), suggestion }.into());
    };
    let path = found.path.display().to_string();
    let levels = Levels::new(&project.config.lint.allow, &project.config.lint.deny, &project.config.lint.warn)?;
    let mut diagnostics = ws.diagnostics.clone();
    levels.apply(&mut diagnostics);
    if diagnostics.iter().any(|d| d.level == Level::Error && d.file == found.path) {
        return Err(BuildError::SkillFailsLint { skill: skill.to_owned(), path }.into());
    }
    let abs = ws.paths.get(&found.path).cloned().unwrap_or_else(|| project.root.join(&found.path));
    let text = std::fs::read_to_string(&abs).map_err(|e| anyhow::anyhow!("failed to read `{path}`: {e}"))?;
    let ctx = crate::skill::parse::ParseContext::new(&project.config);
    let artifact = crate::workspace::build::artifacts(&ws, &ctx, &[found])
        .pop()
        .ok_or_else(|| anyhow::anyhow!("`{path}` compiled to no artifact"))?;
    Ok(Base { id: skill.to_owned(), path, abs, text, artifact })
}

/// A failed invocation, as the model is shown it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub id: String,
    pub version: String,
    pub started_at: Option<Timestamp>,
    pub input: Value,
    pub error: Option<String>,
    pub output: Option<Value>,
}

/// Returns the newest failed invocations of `skill` in `org` that started at or after `since`
/// (at most [`MAX_INVOCATIONS`]).
pub async fn failures(erp: &dyn Erp, org: &str, skill: &str, since: Timestamp) -> anyhow::Result<Vec<Failure>> {
    let query = ListQuery::new().filter("skillId", skill).filter("status", "failed");
    let mut found: Vec<AgentInvocation> = erp
        .invocations(org, query)
        .await?
        .into_iter()
        .filter(|i| i.status == InvocationStatus::Failed && i.started_at.or(i.created_at).is_some_and(|t| t >= since))
        .collect();
    found.sort_by_key(|i| std::cmp::Reverse(i.started_at.or(i.created_at)));
    found.truncate(MAX_INVOCATIONS);
    Ok(found
        .into_iter()
        .map(|i| Failure {
            id: i.id,
            version: i.skill_version,
            started_at: i.started_at.or(i.created_at),
            input: cut(i.input),
            error: i.error.map(|e| cut_str(&e)),
            output: i.output.map(cut),
        })
        .collect())
}

fn cut(value: Value) -> Value {
    let text = value.to_string();
    if text.len() <= MAX_FIELD_BYTES { value } else { Value::String(format!("{} … (cut)", cut_str(&text))) }
}

fn cut_str(text: &str) -> String {
    if text.len() <= MAX_FIELD_BYTES {
        return text.to_owned();
    }
    let mut end = MAX_FIELD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Returns the start of the `--since` window.
pub fn since(now: Timestamp, window: Duration) -> Timestamp {
    let secs = i64::try_from(window.as_secs()).unwrap_or(i64::MAX);
    now.checked_sub(jiff::SignedDuration::from_secs(secs)).unwrap_or(Timestamp::MIN)
}

/// What to refine from.
#[derive(Debug, Clone)]
pub struct Options {
    pub feedback: Option<String>,
    /// The failed invocations read with `--from-invocations` (empty without it).
    pub failures: Vec<Failure>,
    /// `--org` of `--from-invocations`, for the prompt.
    pub org: Option<String>,
    pub rounds: u32,
}

/// What `agentb refine` did: `--format json` prints it as it is.
#[derive(Debug, Clone, Serialize)]
pub struct RefineReport {
    pub session: String,
    pub skill: String,
    pub path: String,
    pub clean: bool,
    pub rounds: Vec<Round>,
    pub problems: Vec<Problem>,
    /// How many failed invocations the model was shown.
    pub invocations: usize,
    pub from: semver::Version,
    /// The version of the draft, after the bump (`None` when the draft is not clean).
    pub to: Option<semver::Version>,
    /// The interface changes, most severe first.
    pub changes: Vec<Change>,
    /// The class they require (`patch` when only prose changed).
    pub class: Option<Class>,
    /// The unified diff of the Markdown body.
    pub body_diff: String,
    /// The draft, with the bump applied.
    pub draft: Option<String>,
    pub written: bool,
    pub usage: Usage,
    pub cost_usd: f64,
    pub turns: u32,
}

/// Returns the refiner's system prompt.
pub fn system_prompt() -> String {
    format!(
        "You are agentb's skill refiner. You improve one existing agent skill so that it stops failing the way \
         it did, and keep everything that works. agentb lints every draft and sends you the diagnostics; fix each \
         one.\n\n{}\n\nKeep the skill's id. Change its interface (inputs, outputs, triggers, permissions) only \
         when the failures require it: agentb sets the version to the bump the interface change requires. Reply \
         with the whole improved file in one ```markdown block.",
        super::skill::FORMAT
    )
}

/// Returns the first message: the skill, the feedback and the failures.
fn prompt(base: &Base, opts: &Options) -> String {
    let mut out =
        format!("Improve the skill `{}`. Its file `{}`:\n\n```markdown\n{}```\n", base.id, base.path, base.text);
    if let Some(feedback) = &opts.feedback {
        let _ = write!(out, "\nFeedback from the team:\n\n{}\n", feedback.trim());
    }
    if !opts.failures.is_empty() {
        let org = opts.org.as_deref().unwrap_or("the org");
        let failures = serde_json::to_string_pretty(&opts.failures).unwrap_or_default();
        let _ = write!(
            out,
            "\nIts {} most recent failed invocations in org `{org}` (input, error and output):\n\n```json\n{failures}\n```\n",
            opts.failures.len()
        );
    }
    out
}

/// Drafts the improved version and compares it with the base; nothing is written (see [`write`]).
pub async fn refine(d: &Drafter<'_>, base: &Base, opts: &Options) -> anyhow::Result<RefineReport> {
    if opts.rounds == 0 {
        return Err(BuildError::NoRounds.into());
    }
    let feedback = opts.feedback.as_deref().is_some_and(|f| !f.trim().is_empty());
    if !feedback && opts.failures.is_empty() {
        let why = match &opts.org {
            Some(org) => format!("no failed invocations of it in org `{org}` in the window, and no `--feedback`"),
            None => "neither `--feedback` nor `--from-invocations`".to_owned(),
        };
        return Err(BuildError::NoFeedback { skill: base.id.clone(), why }.into());
    }
    let goal = Goal {
        builder: BUILDER,
        system: system_prompt(),
        prompt: prompt(base, opts),
        id: Some(base.id.clone()),
        replaces: true,
        rounds: opts.rounds,
    };
    let drafted = draft::run(d, &goal).await?;
    let clean = drafted.clean();
    let problems = match (&drafted.checked, drafted.rounds.last()) {
        (Some(c), _) => c.problems.clone(),
        (None, Some(round)) => round.problems.clone(),
        (None, None) => Vec::new(),
    };
    let mut report = RefineReport {
        session: drafted.session.clone(),
        skill: base.id.clone(),
        path: base.path.clone(),
        clean,
        rounds: drafted.rounds.clone(),
        problems,
        invocations: opts.failures.len(),
        from: base.artifact.version.clone(),
        to: None,
        changes: Vec::new(),
        class: None,
        body_diff: String::new(),
        draft: drafted.text.clone(),
        written: false,
        usage: drafted.usage,
        cost_usd: drafted.cost_usd,
        turns: drafted.turns,
    };
    let (Some(text), Some(checked), true) = (&drafted.text, &drafted.checked, clean) else {
        return Ok(report);
    };
    let (Some(new), Some(span)) = (&checked.artifact, &checked.version_span) else {
        return Ok(report);
    };
    let changes = classify::diff(&base.artifact, Some(new));
    let class = classify::required_class(&changes).unwrap_or(Class::Patch);
    let to = crate::skill::bump::next(&base.artifact.version, class);
    let bumped = crate::skill::bump::rewrite(text, span.clone(), &new.version, &to)
        .ok_or_else(|| anyhow::anyhow!("cannot find the version of the draft to bump it"))?;
    report.body_diff = body_diff(&base.text, &bumped, &base.id, &base.artifact.version, &to);
    report.changes = changes;
    report.class = Some(class);
    report.to = Some(to);
    report.draft = Some(bumped);
    Ok(report)
}

/// Returns the unified diff of two files' Markdown bodies, empty when they are equal.
fn body_diff(old: &str, new: &str, id: &str, from: &semver::Version, to: &semver::Version) -> String {
    let body = |text: &str| -> String {
        crate::skill::source::split(text).map_or_else(|_| text.to_owned(), |p| text[p.body].to_owned())
    };
    let (a, b) = (body(old), body(new));
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{id}@{from} body"), &format!("{id}@{to} body"))
        .to_string()
}

/// Replaces the skill's file with the bumped draft, unless the file changed since it was read.
pub fn write(base: &Base, report: &mut RefineReport) -> anyhow::Result<()> {
    let (Some(text), true, Some(_)) = (&report.draft, report.clean, &report.to) else {
        anyhow::bail!("only a lint-clean draft is written");
    };
    let now = std::fs::read_to_string(&base.abs).unwrap_or_default();
    if now != base.text {
        return Err(BuildError::ChangedMeanwhile { path: base.path.clone() }.into());
    }
    crate::fs::write_atomic(&base.abs, text.as_bytes())?;
    report.written = true;
    Ok(())
}

/// Returns the report's summary line of the interface change, e.g. `minor: 1.0.0 → 1.1.0`.
pub fn summary(report: &RefineReport) -> Option<String> {
    let (class, to) = (report.class?, report.to.as_ref()?);
    Some(format!("{class}: {} → {to}", report.from))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_body_diff_ignores_the_frontmatter() {
        let old = "---\nid: a\nversion: 1.0.0\n---\n# A\nold line\n";
        let new = "---\nid: a\nversion: 1.0.1\n---\n# A\nnew line\n";
        let diff = body_diff(old, new, "a", &semver::Version::new(1, 0, 0), &semver::Version::new(1, 0, 1));
        assert!(diff.contains("-old line") && diff.contains("+new line"), "{diff}");
        assert!(!diff.contains("version"), "{diff}");
        assert_eq!(body_diff(old, old, "a", &semver::Version::new(1, 0, 0), &semver::Version::new(1, 0, 0)), "");
    }

    #[test]
    fn long_fields_are_cut_at_a_char_boundary() {
        let long = "é".repeat(MAX_FIELD_BYTES);
        assert!(cut_str(&long).len() <= MAX_FIELD_BYTES);
        assert_eq!(cut(json!({"a": 1})), json!({"a": 1}));
        assert!(cut(json!({"a": "x".repeat(3000)})).as_str().unwrap().ends_with("(cut)"));
    }
}
