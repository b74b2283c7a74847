//! [`RunError`]: what the run lifecycle, the session store and the proposal commands refuse —
//! an unknown skill, persona, org, session or proposal, an input that does not fit, a session
//! that cannot be resumed, a proposal in the wrong state. Each variant carries the facts; the
//! command line maps them to exit statuses (`cli/command_error.rs`).

use std::path::PathBuf;

use jiff::Timestamp;

use super::proposals::State;

/// What a lookup of a session was for: it decides the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionUse {
    /// `agentb run --resume`: agentb never starts a new session in its place.
    Resume,
    /// `agentb sessions show`.
    Show,
    /// `agentb proposals list --session`.
    Filter,
}

/// A refused run, resume, or proposal or session command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    #[error("no skill `{skill}` in this project")]
    UnknownSkill { skill: String, suggestion: Option<String> },
    #[error("skill `{skill}` does not pass lint: {message}")]
    SkillFailsLint { skill: String, message: String, path: PathBuf },
    #[error("skill `{skill}` is disabled")]
    SkillDisabled { skill: String, path: PathBuf },
    #[error("no persona `{persona}` in this project")]
    UnknownPersona { persona: String, suggestion: Option<String> },
    /// `state.toml` names a deployment whose artifact neither the release store nor the org's
    /// record holds.
    #[error(
        "the artifact of `{skill}` {version} deployed to org `{org}` of `{instance}` is not in the release store, and {}",
        found.as_ref().map_or_else(|| "the org has no record of the skill".to_owned(), |f| format!("the org's record holds {f} instead"))
    )]
    DeployedArtifactMissing { skill: String, org: String, instance: String, version: String, found: Option<String> },
    /// A skill record whose `definition` is not the artifact it claims.
    #[error("the record of `{skill}` in org `{org}` of `{instance}` cannot be run: {problem}")]
    BadRecord { skill: String, org: String, instance: String, problem: String },
    #[error("skill `{skill}` {version} is disabled in org `{org}`")]
    DisabledInOrg { skill: String, org: String, version: String },
    #[error("persona `{persona}` is disabled in org `{org}`")]
    PersonaDisabledInOrg { persona: String, org: String },
    #[error("persona `{persona}` may not use skill `{skill}`")]
    PersonaNotAllowed { persona: String, skill: String, path: PathBuf, allowed: Vec<String> },
    #[error("the input does not fit the input schema of `{skill}`:\n{}", list(problems))]
    InputSchema { skill: String, problems: Vec<String> },
    /// A schema that cannot be used to validate (the compiler's output is wrong).
    #[error("{0}")]
    Schema(String),
    #[error("org `{org}` is not an org of instance `{instance}`")]
    UnknownOrg { org: String, instance: String, suggestion: Option<String>, orgs: Vec<String> },
    #[error("`--message` is empty")]
    EmptyMessage { session: String },
    #[error("session `{session}` finished its turn and nothing changed since")]
    NothingToResume { session: String },
    #[error("`{id}` is not a session id")]
    NotASessionId { id: String },
    #[error("no session `{id}` in this project")]
    UnknownSession { id: String, purpose: SessionUse },
    #[error("session `{id}` is damaged: {message}")]
    SessionDamaged { id: String, message: String },
    #[error("session `{id}` expired: its last turn was at {last_turn}, more than 30 days ago")]
    SessionExpired { id: String, last_turn: Timestamp },
    #[error("session `{id}` is in use by another agentb process")]
    SessionInUse { id: String },
    #[error("no proposal `{id}` in this project")]
    UnknownProposal { id: String },
    /// A proposal file no longer holds what agentb bound when it created it (its id, session,
    /// org, instance or input hash): it was edited by hand or forged.
    #[error("`{}` was changed after agentb created it: {what}", path.display())]
    ProposalChanged { path: PathBuf, what: String },
    /// A transition the proposal state machine forbids.
    #[error("{0}")]
    Transition(String),
    #[error("proposal `{id}` is {state}, not CONFIRMED")]
    NotConfirmed { id: String, state: State },
    #[error("proposal `{id}` is {state}; only a PENDING, CONFIRMED or FAILED proposal can be approved")]
    NotApprovable { id: String, state: State },
    #[error("proposal `{id}` expired: its window closed at {}", closed_at.map(|t| t.to_string()).unwrap_or_default())]
    ProposalExpired { id: String, closed_at: Option<Timestamp> },
    /// The approved call ran and failed (a remote failure, exit 3).
    #[error("proposal `{id}` failed: {error}")]
    ProposalFailed { id: String, error: String },
    #[error("proposal `{id}` is {state}; only an EXECUTED proposal can be undone")]
    NotUndoable { id: String, state: State },
    #[error("proposal `{id}` ({tool}) changed nothing that can be undone")]
    NothingToUndo { id: String, tool: String },
    /// A proposal write lost its compare-and-set: the stored proposal moved on since this copy
    /// was read (another machine or process wrote it).
    #[error("proposal `{id}` changed since it was read (revision {read}{}); nothing was written", now.map(|n| format!(", now {n}")).unwrap_or_default())]
    StaleProposal { id: String, read: u64, now: Option<u64> },
    /// Another machine holds the proposal's execution claim: it is never executed twice.
    #[error("proposal `{id}` is already being executed elsewhere (claimed by {by} at {at})")]
    AlreadyExecuting { id: String, by: String, at: Timestamp, until: Timestamp },
    /// The ERP implements an older contract: it has no collection for sessions or proposals.
    #[error(
        "ERP instance `{instance}` has no `{collection}` collection (it answered 404 to {method} /api/v1/{collection})"
    )]
    MissingCollection { instance: String, collection: String, method: String },
    /// A session (or proposal) record in the ERP no longer holds what agentb bound when it
    /// created it: damaged, or forged. Nothing is touched.
    #[error("session `{id}` in ERP instance `{instance}` was changed after agentb created it: {what}")]
    SessionForged { id: String, instance: String, what: String },
}

fn list(problems: &[String]) -> String {
    problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

fn did_you_mean(suggestion: Option<&String>, otherwise: String) -> String {
    match suggestion {
        Some(m) => format!("did you mean `{m}`?"),
        None => otherwise,
    }
}

impl RunError {
    /// Returns the obvious next step, if there is one.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            RunError::UnknownSkill { suggestion, .. } => did_you_mean(
                suggestion.as_ref(),
                "list the skills with `agentb lint` or look in the skills folder".to_owned(),
            ),
            RunError::SkillFailsLint { path, .. } => format!("`agentb lint {}` shows every problem", path.display()),
            RunError::SkillDisabled { path, .. } => format!("set `status: active` in `{}` to run it", path.display()),
            RunError::UnknownPersona { suggestion, .. } => did_you_mean(
                suggestion.as_ref(),
                "personas live in the personas folder (`personas/<id>.md`)".to_owned(),
            ),
            RunError::DeployedArtifactMissing { .. } => {
                "restore `.agentbuilder/releases/` from git, or run the working \
                                                         copy with `--source`; `agentb status --refresh` shows drift"
                    .to_owned()
            }
            RunError::BadRecord { .. } => {
                "`agentb status --refresh` shows the drift; deploy again, or run the working copy with `--source`"
                    .to_owned()
            }
            RunError::DisabledInOrg { .. } => "`--source` runs the working copy instead".to_owned(),
            RunError::PersonaDisabledInOrg { .. } => "`--source` uses the project's persona file instead".to_owned(),
            RunError::PersonaNotAllowed { skill, path, allowed, .. } => {
                if allowed.is_empty() {
                    format!("add `{skill}` to `allowed_skills` in `{}`", path.display())
                } else {
                    let allowed: Vec<String> = allowed.iter().map(|s| format!("`{s}`")).collect();
                    format!(
                        "its `allowed_skills` are {}; add `{skill}` there to allow it, or pick another persona",
                        allowed.join(", ")
                    )
                }
            }
            RunError::InputSchema { skill, .. } => format!(
                "give inputs with `--input key=value` or `--input-file FILE`; `agentb compile {skill}` writes the schema"
            ),
            RunError::UnknownOrg { suggestion, orgs, .. } => {
                did_you_mean(suggestion.as_ref(), format!("its orgs are: {}", orgs.join(", ")))
            }
            RunError::EmptyMessage { session } => {
                format!("say what the model should do next: agentb run --resume {session} --message \"…\"")
            }
            RunError::NothingToResume { session } => {
                format!("pass `--message TEXT` to continue the conversation: agentb run --resume {session} --message …")
            }
            RunError::NotASessionId { .. } => {
                "session ids look like `s-0193…`; `agentb sessions list` shows them".to_owned()
            }
            RunError::UnknownSession { purpose: SessionUse::Resume, .. } => {
                "`agentb sessions list` shows the sessions; agentb never starts a new one in its place".to_owned()
            }
            RunError::UnknownSession { purpose: SessionUse::Show, .. } => {
                "`agentb sessions list` shows the sessions".to_owned()
            }
            RunError::SessionExpired { .. } => {
                "start a new run; its proposals stay listed in `agentb proposals list`".to_owned()
            }
            RunError::SessionInUse { .. } => "wait for it to finish, then try again".to_owned(),
            RunError::UnknownProposal { .. } => "`agentb proposals list` shows the proposals".to_owned(),
            RunError::NotApprovable { .. } => "`agentb proposals show ID` shows its history".to_owned(),
            RunError::ProposalExpired { .. } => "run the skill again to propose it anew".to_owned(),
            RunError::StaleProposal { id, .. } => {
                format!("`agentb proposals show {id}` shows where it stands now; run the command again")
            }
            RunError::AlreadyExecuting { until, .. } => format!(
                "nothing was run here; `agentb proposals show` shows the outcome once it finishes (a claim whose \
                 machine died may be taken over after {until})"
            ),
            RunError::MissingCollection { instance, .. } => format!(
                "the instance implements an older ERP contract: upgrade it to the one `agentb erp serve` serves at \
                 `/openapi.json` (collections `agent-sessions`, `agent-session-turns`, `agent-proposals`), or run \
                 against a local instance; runs on instance `{instance}` need them to keep sessions and proposals"
            ),
            RunError::SessionForged { .. } => "nothing was executed or written; a session cannot be trusted once its \
                                               org or input changed: start a new run"
                .to_owned(),
            RunError::ProposalChanged { .. } => "restore the file as agentb wrote it (nothing was executed); a call \
                                                 with another org or input is a new proposal: run the skill again"
                .to_owned(),
            RunError::Schema(_)
            | RunError::UnknownSession { purpose: SessionUse::Filter, .. }
            | RunError::SessionDamaged { .. }
            | RunError::Transition(_)
            | RunError::NotConfirmed { .. }
            | RunError::ProposalFailed { .. }
            | RunError::NotUndoable { .. }
            | RunError::NothingToUndo { .. } => return None,
        })
    }

    /// Returns whether the error is a failed remote call, or another machine's doing (exit 3;
    /// the rest are the user's to fix).
    pub fn is_remote(&self) -> bool {
        matches!(
            self,
            RunError::ProposalFailed { .. }
                | RunError::MissingCollection { .. }
                | RunError::AlreadyExecuting { .. }
                | RunError::StaleProposal { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_hints_name_the_facts() {
        let e = RunError::InputSchema { skill: "b".into(), problems: vec!["x".into(), "y".into()] };
        assert_eq!(e.to_string(), "the input does not fit the input schema of `b`:\n  - x\n  - y");
        let e = RunError::UnknownOrg {
            org: "zz".into(),
            instance: "local".into(),
            suggestion: None,
            orgs: vec!["a".into(), "b".into()],
        };
        assert_eq!(e.hint().as_deref(), Some("its orgs are: a, b"));
        let e = RunError::UnknownSkill { skill: "brief".into(), suggestion: Some("briefs".into()) };
        assert_eq!(e.hint().as_deref(), Some("did you mean `briefs`?"));
        let e =
            RunError::ProposalExpired { id: "p-1".into(), closed_at: Some("2026-01-02T00:00:00Z".parse().unwrap()) };
        assert_eq!(e.to_string(), "proposal `p-1` expired: its window closed at 2026-01-02T00:00:00Z");
        assert!(RunError::ProposalFailed { id: "p".into(), error: "e".into() }.is_remote());
        assert!(!RunError::SessionInUse { id: "s".into() }.is_remote());
        assert_eq!(RunError::UnknownSession { id: "s".into(), purpose: SessionUse::Filter }.hint(), None);
    }
}
