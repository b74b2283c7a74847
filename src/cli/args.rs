//! Every clap definition of the command line: the global flags, the subcommands and their
//! arguments. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Write, lint, compile, test, version and ship agent skills to the organizations of an ERP
#[derive(Debug, Parser)]
#[command(name = "agentb", version, about, long_about = None, propagate_version = true)]
#[command(arg_required_else_help = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every subcommand (listed under their own heading in `--help`).
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = crate::cli::help::GLOBAL_HEADING)]
pub struct GlobalArgs {
    /// Run as if agentb was started in DIR
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,

    /// Use this config file instead of searching for `.agentbuilder.toml`
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Output format of the command's report
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// When to use colors
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only errors and data
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Log more to stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Never prompt (implied when stdin is not a terminal or `CI` is set)
    #[arg(long, global = true)]
    pub no_input: bool,

    /// Answer yes to confirmations (never approves T3 tool calls)
    #[arg(short, long, global = true)]
    pub yes: bool,
}

/// Report formats; each command accepts the ones that make sense for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people, with colors on a terminal
    Human,
    /// One machine-readable JSON document
    Json,
    /// SARIF 2.1.0, for code scanning (lint)
    Sarif,
    /// GitHub Actions workflow commands (lint)
    Github,
    /// JUnit XML, for CI test reports (test; written to `--out`)
    Junit,
    /// Anthropic's Agent Skills folders (export; its report is for people)
    AgentSkills,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when writing to a terminal and `NO_COLOR` is not set
    Auto,
    /// Always color
    Always,
    /// Never color
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check skills, personas, test files and the config
    Lint(LintArgs),
    /// Lint, then compile skills into deployable artifacts
    ///
    /// Each changed artifact is listed when at most 20 changed (every one with `-v`); more are
    /// summed up in one line.
    Compile(CompileArgs),
    /// Explain a lint rule, or list all rules
    Explain(ExplainArgs),
    /// Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory
    Init(InitArgs),
    /// Scaffold a new skill or persona that passes lint
    #[command(subcommand)]
    New(NewCommand),
    /// Work with ERP instances: serve the reference ERP, manage local orgs, check reachability
    #[command(subcommand)]
    Erp(ErpCommand),
    /// Show the interface changes and the prompt diff of a skill against a deployed version,
    /// a kept version or a git revision
    Diff(DiffArgs),
    /// List skill versions and where they are deployed; bump or check versions
    Version(VersionArgs),
    /// Deploy compiled skills (and personas) to the orgs of an instance
    ///
    /// Reads the live records first and prints a plan per skill and org: create, update
    /// (from → to), unchanged, record (already in the ERP), skipped (pinned or outside the
    /// canary). Asks on a terminal; needs `--yes` otherwise. Orgs already up to date cost no
    /// write. A failure in one org does not stop the others: the state records exactly what
    /// succeeded, the summary lists the failures, the exit code is 3, and running the same
    /// command again finishes the job.
    Deploy(DeployArgs),
    /// Send a skill's canary version to all remaining orgs, after the failure-rate gate
    ///
    /// The gate reads the skill's invocations since the canary began and fails (exit 1) when
    /// the canary orgs' failure rate exceeds `deploy.canary_max_failure_rate`, or the baseline
    /// orgs' rate by more than that. Only invocations that ran the canary artifact (its
    /// `contentHash`) count, and with fewer than `deploy.canary_min_invocations` (default 20)
    /// finished ones the gate is inconclusive and promote refuses (exit 1). The numbers are
    /// printed; `--force` skips the gate.
    Promote(PromoteArgs),
    /// Return a skill's canary orgs to the baseline version
    Abort(AbortArgs),
    /// Deploy a kept version of a skill to orgs and keep them there
    Pin(PinArgs),
    /// Let pinned orgs follow new versions again
    Unpin(UnpinArgs),
    /// Redeploy the previous (or a named) version of a skill
    Rollback(RollbackArgs),
    /// Show what is deployed where; with `--refresh`, check the live records for drift
    Status(StatusArgs),
    /// Show the release history of a skill
    History(HistoryArgs),
    /// Run a skill on Claude for one org, behind the guard, hooks and proposals
    ///
    /// Runs what the org runs: the version deployed to it (its canary or pinned version
    /// included), read from the release store and verified, else from the org's ERP record.
    /// `--source` runs the working copy; a skill never deployed to the org runs from the working
    /// copy with a note. The invocation records the version and content hash that ran. The
    /// first Ctrl-C stops at the next safe point, saves the session, marks the invocation failed
    /// (`interrupted`) and exits 130; a second one exits at once.
    Run(RunArgs),
    /// Let a built-in builder draft a skill, or design a form or a workflow for an org
    ///
    /// `skill` drafts `skills/<id>.md` with Claude, lints it and feeds the diagnostics back
    /// until it is clean (at most `--rounds`), shows it and writes it on confirmation (`--yes`
    /// without a terminal); it never overwrites a skill (that is `agentb refine`). `form` and
    /// `workflow` run like `agentb run`: they read the org with T1 tools and create only through
    /// T2 proposals, checked against the FormTemplate or ContentTrigger shape first.
    #[command(subcommand, after_help = crate::builders::HELP)]
    Build(BuildCommand),
    /// Draft an improved version of a skill from feedback or from its failed invocations
    ///
    /// The draft goes through the same lint loop as `agentb build skill`; then the interface
    /// diff with its class, the body diff and the version bump that class requires (applied to
    /// the draft) are shown, and the file is replaced on confirmation (`--yes` without a terminal).
    Refine(RefineArgs),
    /// Run the skills' test cases (`skills/<id>.test.yaml`) through the real runtime
    ///
    /// Each case runs as `agentb run` would, with a fresh in-memory ERP seeded with its
    /// fixtures, a fixed clock and the project's tiers, limits and hooks. In `replay` mode (the
    /// default) the model's answers come from the case's cassette and no network connection is
    /// opened; a request the cassette does not hold fails the case, naming the first differing
    /// field. Exit 0 when every case passed, 1 when any failed, 2 for a malformed test file.
    Test(TestArgs),
    /// Import Agent Skills folders (`SKILL.md`) as agentb skills
    ///
    /// PATH is a `SKILL.md`, a skill folder, or a tree of skill folders. Each skill becomes
    /// `skills/<name>.md` (status `draft`, one `manual_invoke` trigger, the description as its
    /// Purpose, the source body under `## Instructions` with its headings one level down); its
    /// other files are copied byte for byte to `skills/<name>/`, and the body's relative links are
    /// rewritten to point there. `allowed-tools` entries that name agentb tools (`erp_*`) become
    /// permissions; the others are kept but not granted. A skill without frontmatter, with an
    /// invalid name or a description over 1024 characters is refused with its file and line; the
    /// others still import. Exit 0 when all imported, 1 when any was refused, 2 for a bad PATH.
    Import(ImportArgs),
    /// Export skills as Agent Skills folders that the official validator accepts
    ///
    /// Writes `DIR/<id>/SKILL.md` with the format's six keys (`name`, `description`, `license`,
    /// `compatibility`, `allowed-tools`, `metadata`); the version, status, category and interface
    /// travel in `metadata` (`agentb-version`, `agentb-status`, `agentb-category`,
    /// `agentb-interface`), so importing the folder gives back the same skill. The files of
    /// `skills/<id>/` are copied along. An imported skill's body goes back as it came. A
    /// description over 1024 characters refuses the skill (exit 1); an existing folder is only
    /// replaced with `--force`. `--format agent-skills` is the default; `--format json` writes
    /// the same folders and reports what it did as JSON.
    Export(ExportArgs),
    /// List, show, approve, reject or undo the proposals of runs
    #[command(subcommand)]
    Proposals(ProposalsCommand),
    /// List or show run sessions
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Write the man pages and completion scripts into a directory
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to check (default: the project's skills, personas and config)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Apply the fixes that cannot change meaning, and report them
    #[arg(long)]
    pub fix: bool,

    /// Treat these rules (codes, names, or `warnings`) as errors
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,

    /// Silence these rules (codes or names)
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A `SKILL.md`, a skill folder, or a folder of skill folders
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Overwrite existing skill files and their bundled-file folders
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The skills to export (their ids)
    #[arg(value_name = "SKILL", required = true)]
    pub skills: Vec<String>,
    /// The folder to write the skill folders into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace existing exported skill folders
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Skills to compile (default: all)
    #[arg(value_name = "SKILL")]
    pub skills: Vec<String>,

    /// Directory for the artifacts [default: .agentbuilder/cache/compiled]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Write nothing; exit 1 if any artifact would change
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (`AB012`) or name (`unknown-key`); omit to list every rule
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to initialize [default: the current directory]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Scaffold `skills/<ID>.md`
    Skill(NewSkillArgs),
    /// Scaffold `personas/<ID>.md`
    Persona(NewPersonaArgs),
}

#[derive(Debug, Args)]
pub struct NewSkillArgs {
    /// The skill id (lowercase letters, digits and single hyphens)
    pub id: String,
    /// Category, e.g. `briefs`
    #[arg(long)]
    pub category: Option<String>,
    /// One-sentence description
    #[arg(long)]
    pub description: Option<String>,
    /// Trigger events (snake_case), repeatable
    #[arg(long = "trigger", value_name = "EVENT")]
    pub triggers: Vec<String>,
    /// Inputs as `name:type` or `name:type!` for required, repeatable
    #[arg(long = "input", value_name = "NAME:TYPE")]
    pub inputs: Vec<String>,
    /// Outputs as `name:type`, repeatable
    #[arg(long = "output", value_name = "NAME:TYPE")]
    pub outputs: Vec<String>,
    /// Permissions as `resource:action`, repeatable
    #[arg(long = "permission", value_name = "RESOURCE:ACTION")]
    pub permissions: Vec<String>,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NewPersonaArgs {
    /// The persona id
    pub id: String,
    /// Display name
    #[arg(long)]
    pub name: Option<String>,
    /// Skills the persona may use, repeatable
    #[arg(long = "allow-skill", value_name = "SKILL")]
    pub allowed_skills: Vec<String>,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ErpCommand {
    /// Serve the local store over HTTP: the reference ERP
    ///
    /// Every request under `/api/v1/` needs `Authorization: Bearer $AGENTB_ERP_KEY` and
    /// `X-Organization-Id`. The OpenAPI document is served at `/openapi.json`, a liveness check at
    /// `/healthz`. Prints `listening on http://ADDR` to stderr once it accepts connections; stops
    /// on Ctrl-C or SIGTERM after in-flight requests finish.
    Serve(ErpServeArgs),
    /// Manage the orgs of a local instance
    #[command(subcommand)]
    Org(ErpOrgCommand),
    /// Check that an instance is reachable and the key is accepted
    Ping(ErpPingArgs),
}

#[derive(Debug, Args)]
pub struct ErpServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub addr: String,
    /// SQLite database [default: .agentbuilder/local/erp.sqlite]
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Serve without a key (loopback addresses only)
    #[arg(long)]
    pub insecure_dev: bool,
    /// Create the `--db` database when it does not exist
    #[arg(long, requires = "db")]
    pub create: bool,
}

#[derive(Debug, Subcommand)]
pub enum ErpOrgCommand {
    /// Add orgs to a local instance
    Add(ErpOrgAddArgs),
    /// List the orgs of an instance
    List(ErpOrgListArgs),
}

#[derive(Debug, Args)]
pub struct ErpOrgAddArgs {
    /// The org ids (letters, digits, `.`, `_` and `-`)
    #[arg(value_name = "ORG", required = true)]
    pub orgs: Vec<String>,
    /// Display name [default: the id] (one org only)
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
    /// Use this SQLite database instead of the instance's
    #[arg(long, value_name = "FILE", conflicts_with = "instance")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ErpOrgListArgs {
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
    /// Read this SQLite database instead of the instance
    #[arg(long, value_name = "FILE", conflicts_with = "instance")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ErpInstanceArgs {
    /// Instance name from the config [default: `erp.default`]
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

#[derive(Debug, Args)]
pub struct ErpPingArgs {
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
    /// Org to authenticate as [default: the instance's first org]
    #[arg(long)]
    pub org: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct GenerateDocsArgs {
    /// Repository root to write `completions/` and `man/` into
    #[arg(value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    /// What to compare with: `deployed`, a version kept in the release store, or a git revision
    #[arg(long, value_name = "REF", default_value = "deployed")]
    pub against: String,
    /// With `--against deployed`: the version deployed to this org [default: the newest deployed]
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
    /// Exit 1 when anything differs
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    #[command(subcommand)]
    pub command: Option<VersionCommand>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Rewrite a skill's version (only the version scalar changes in the file)
    Bump(VersionBumpArgs),
    /// Exit 1 when a changed skill's version bump is smaller than its changes require
    Check(VersionCheckArgs),
}

/// How much to bump a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BumpLevel {
    /// X+1.0.0
    Major,
    /// X.Y+1.0
    Minor,
    /// X.Y.Z+1
    Patch,
    /// The level the interface diff against the deployed version requires
    Auto,
}

#[derive(Debug, Args)]
pub struct VersionBumpArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    /// How much to bump
    #[arg(value_enum, value_name = "LEVEL")]
    pub level: BumpLevel,
    /// With `auto`: compare with this instead of the deployed version (as in `agentb diff`)
    #[arg(long, value_name = "REF", default_value = "deployed")]
    pub against: String,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct VersionCheckArgs {
    /// Skills to check [default: all]
    #[arg(value_name = "SKILL")]
    pub skills: Vec<String>,
    /// Compare with `deployed` (the newest deployed version) or a git revision, e.g. `origin/main`
    #[arg(long, value_name = "REF", default_value = "deployed")]
    pub against: String,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct OrgSelection {
    /// Only these orgs (repeatable) [default: every org of the instance]
    #[arg(long = "org", value_name = "ORG", conflicts_with = "all_orgs")]
    pub orgs: Vec<String>,
    /// Every org of the instance (the default)
    #[arg(long)]
    pub all_orgs: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Skills to deploy [default: all, and the personas]
    #[arg(value_name = "SKILL")]
    pub skills: Vec<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
    #[command(flatten)]
    pub orgs: OrgSelection,
    /// Deploy only to the orgs whose canary bucket is below PCT (e.g. `10%`, `2.5`)
    #[arg(long, value_name = "PCT")]
    pub canary: Option<String>,
    /// Show the plan and stop
    #[arg(long)]
    pub plan: bool,
    /// With `--plan`: exit 1 when the plan has changes
    #[arg(long, requires = "plan")]
    pub exit_code: bool,
    /// Orgs written at once [default: `deploy.concurrency`, 16]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,
}

#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
    /// Skip the failure-rate gate
    #[arg(long)]
    pub force: bool,
    /// Orgs written at once [default: `deploy.concurrency`, 16]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,
}

#[derive(Debug, Args)]
pub struct AbortArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// The skill and the kept version, `SKILL@VERSION`
    #[arg(value_name = "SKILL@VERSION")]
    pub target: String,
    /// The orgs to pin (repeatable)
    #[arg(long = "org", value_name = "ORG", required = true)]
    pub orgs: Vec<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct UnpinArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    /// The orgs to unpin (repeatable)
    #[arg(long = "org", value_name = "ORG", required = true)]
    pub orgs: Vec<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    #[command(flatten)]
    pub orgs: OrgSelection,
    /// Roll back to this kept version [default: each org's previous version]
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Read the live records and report drift (exit 1 when there is any)
    #[arg(long)]
    pub refresh: bool,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The skill id
    #[arg(value_name = "SKILL")]
    pub skill: String,
    /// Only this org's history
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    #[command(flatten)]
    pub instance: ErpInstanceArgs,
}

/// Which proposals `--approve` confirms without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApproveTier {
    /// Confirm T2 (soft-confirm) calls
    T2,
    /// Confirm T2 and T3 (hard-confirm) calls
    T3,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The skill to run (its id)
    #[arg(value_name = "SKILL", required_unless_present = "resume")]
    pub skill: Option<String>,
    /// The org to run for; every ERP call is scoped to it
    #[arg(long, value_name = "ORG", required_unless_present = "resume")]
    pub org: Option<String>,
    /// Instance name from the config [default: `erp.default`]
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Run as this persona (its prompt comes first; it must allow the skill)
    #[arg(long, value_name = "ID")]
    pub persona: Option<String>,
    /// An input as `key=value` (a JSON value, else a string), repeatable
    #[arg(long = "input", value_name = "KEY=VALUE")]
    pub inputs: Vec<String>,
    /// Read the input from a JSON file (`--input` values override its keys)
    #[arg(long, value_name = "FILE")]
    pub input_file: Option<PathBuf>,
    /// The Claude model [default: the persona's, else `claude.model`]
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Confirm T2 (`t2`) or T2 and T3 (`t3`) calls without asking
    #[arg(long, value_enum, value_name = "TIER")]
    pub approve: Option<ApproveTier>,
    /// Run the working copy (compiled if needed) and the project's persona file, not the
    /// version deployed to the org
    #[arg(long, conflicts_with = "resume")]
    pub source: bool,
    /// Print the exact request that would be sent (and, on stderr, the version that would
    /// run), and stop
    #[arg(long, conflicts_with = "resume")]
    pub dry_run: bool,
    /// Continue this session (its pending T2 proposals are soft-confirmed within their window)
    #[arg(long, value_name = "SESSION", conflicts_with_all = ["skill", "org", "instance", "persona", "inputs", "input_file", "model"])]
    pub resume: Option<String>,
    /// With `--resume`: the next user message
    #[arg(long, value_name = "TEXT", requires = "resume")]
    pub message: Option<String>,
    /// With `--resume`: reject the pending proposals instead of soft-confirming them
    #[arg(long, requires = "resume")]
    pub reject: bool,
}

#[derive(Debug, Subcommand)]
pub enum BuildCommand {
    /// Draft a new skill from a one-sentence description, lint-clean
    Skill(BuildSkillArgs),
    /// Design a FormTemplate for an org and propose it (T2)
    Form(BuildDesignArgs),
    /// Design a chain of ContentTriggers over an org's existing skills and propose it (T2)
    Workflow(BuildDesignArgs),
}

#[derive(Debug, Args)]
pub struct BuildSkillArgs {
    /// What the skill should do, in a sentence or two
    #[arg(value_name = "DESCRIPTION")]
    pub description: String,
    /// The new skill's id [default: the model picks a new one]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// At most this many drafts
    #[arg(long, value_name = "N", default_value_t = crate::builders::skill::DEFAULT_ROUNDS)]
    pub rounds: u32,
    /// The Claude model [default: `claude.model`]
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildDesignArgs {
    /// What the form or workflow must do
    #[arg(value_name = "REQUIREMENTS")]
    pub requirements: String,
    /// The org to design for; every ERP call is scoped to it
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Instance name from the config [default: `erp.default`]
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// The Claude model [default: `claude.model`]
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking
    #[arg(long, value_enum, value_name = "TIER")]
    pub approve: Option<ApproveTier>,
}

#[derive(Debug, Args)]
pub struct RefineArgs {
    /// The skill to refine (its id)
    #[arg(value_name = "SKILL")]
    pub skill: String,
    /// What to improve, in words
    #[arg(long, value_name = "TEXT")]
    pub feedback: Option<String>,
    /// Learn from the org's failed invocations of the skill (input, error, output)
    #[arg(long, requires = "org")]
    pub from_invocations: bool,
    /// With `--from-invocations`: the org whose invocations to read
    #[arg(long, value_name = "ORG", requires = "from_invocations")]
    pub org: Option<String>,
    /// With `--from-invocations`: how far back to look
    #[arg(long, value_name = "DURATION", default_value = "7d", requires = "from_invocations")]
    pub since: String,
    /// With `--from-invocations`: the instance [default: `erp.default`]
    #[arg(long, value_name = "NAME", requires = "from_invocations")]
    pub instance: Option<String>,
    /// At most this many drafts
    #[arg(long, value_name = "N", default_value_t = crate::builders::skill::DEFAULT_ROUNDS)]
    pub rounds: u32,
    /// The Claude model [default: `claude.model`]
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

/// Where a test case's model answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestMode {
    /// From the case's cassette; never opens a network connection
    Replay,
    /// From the real API; the case's cassette is replaced
    Record,
    /// From the real API; nothing is written
    Live,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The skills whose cases to run (default: every skill with a test file)
    #[arg(value_name = "SKILL")]
    pub skills: Vec<String>,
    /// Where the model's answers come from
    #[arg(long, value_enum, default_value = "replay", value_name = "MODE")]
    pub mode: TestMode,
    /// Cases to run at once [default: the number of cores]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Write the report (`--format json` or `junit`) to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run only the cases whose name contains this text
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProposalsCommand {
    /// List proposals, newest last
    List(ProposalsListArgs),
    /// Show one proposal with its input, result and history
    Show(ProposalIdArgs),
    /// Confirm a pending (or failed: a retry) proposal and execute it (exactly once)
    Approve(ProposalIdArgs),
    /// Reject a pending or failed proposal
    Reject(ProposalIdArgs),
    /// Reverse an executed proposal with its recorded compensation
    Undo(ProposalIdArgs),
}

#[derive(Debug, Args)]
pub struct ProposalsListArgs {
    /// Only this session's proposals
    #[arg(long, value_name = "SESSION")]
    pub session: Option<String>,
    /// Only proposals in this state (`pending`, `executed`, …)
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// The instance whose sessions and proposals to use [default: `erp.default`]; an http
    /// instance keeps them in the ERP, so every machine with the key sees the same ones
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProposalIdArgs {
    /// The proposal id (`p-…`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// The instance whose sessions and proposals to use [default: `erp.default`]; an http
    /// instance keeps them in the ERP, so every machine with the key sees the same ones
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List sessions, newest last
    List(SessionsListArgs),
    /// Show one session: its status, usage, proposals and audit log
    Show(SessionShowArgs),
}

#[derive(Debug, Args)]
pub struct SessionShowArgs {
    /// The session id (`s-…`)
    #[arg(value_name = "SESSION")]
    pub id: String,
    /// The instance whose sessions and proposals to use [default: `erp.default`]; an http
    /// instance keeps them in the ERP, so every machine with the key sees the same ones
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

#[derive(Debug, Args)]
pub struct SessionsListArgs {
    /// The instance whose sessions and proposals to use [default: `erp.default`]; an http
    /// instance keeps them in the ERP, so every machine with the key sees the same ones
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}
