//! The project configuration, `.agentbuilder.toml`: its types, its defaults (the same as
//! `.agentbuilder.toml.example`), and loading with precise errors (file, line, column and a
//! "did you mean" hint for unknown keys).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::text::{LineIndex, did_you_mean};

/// The name of the config file that discovery looks for.
pub const CONFIG_FILE: &str = ".agentbuilder.toml";

/// Returns whether a value of `api_key_env` / `key_env` looks like a key pasted in place of a
/// variable name: not of a variable name's shape (`[A-Za-z_][A-Za-z0-9_]*`), or a long token
/// that mixes upper and lower case letters and digits as keys do. Such a value is never shown.
pub fn looks_like_key(value: &str) -> bool {
    let name_shaped = value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mixed = value.chars().any(|c| c.is_ascii_lowercase())
        && value.chars().any(|c| c.is_ascii_uppercase())
        && value.chars().any(|c| c.is_ascii_digit());
    !name_shaped || (value.len() >= 32 && mixed)
}

/// The whole config file. Every section is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub project: ProjectConfig,
    pub claude: ClaudeConfig,
    pub erp: ErpConfig,
    pub limits: LimitsConfig,
    /// Tool name → tier override.
    pub tiers: BTreeMap<String, Tier>,
    pub proposals: ProposalsConfig,
    pub hooks: HooksConfig,
    pub deploy: DeployConfig,
    pub lint: LintConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ProjectConfig {
    /// Folder of skill files, relative to the project root.
    pub skills: PathBuf,
    /// Folder of persona files, relative to the project root.
    pub personas: PathBuf,
}

impl Default for ProjectConfig {
    fn default() -> Self {
        Self { skills: PathBuf::from("skills"), personas: PathBuf::from("personas") }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ClaudeConfig {
    pub model: String,
    /// Name of the environment variable that holds the API key (never the key itself).
    pub api_key_env: String,
    pub base_url: String,
    pub max_tokens: u32,
    /// A whole non-streamed answer; for a stream, the longest silence between two chunks.
    pub timeout_secs: u64,
    /// Establishing the connection.
    pub connect_timeout_secs: u64,
    pub max_retries: u32,
    /// The largest reply read (a JSON body, or an event stream in total); more is an error.
    pub max_response_bytes: u64,
    /// Model → USD per million tokens.
    pub pricing: BTreeMap<String, Pricing>,
}

/// The default cap on a response body: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// The default cap on the pages of one listing.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

impl Default for ClaudeConfig {
    fn default() -> Self {
        let mut pricing = BTreeMap::new();
        pricing.insert(
            "claude-sonnet-4-5".to_owned(),
            Pricing { input: 3.0, output: 15.0, cache_write: 3.75, cache_read: 0.30 },
        );
        Self {
            model: "claude-sonnet-4-5".to_owned(),
            api_key_env: "ANTHROPIC_API_KEY".to_owned(),
            base_url: "https://api.anthropic.com".to_owned(),
            max_tokens: 4096,
            timeout_secs: 120,
            connect_timeout_secs: 10,
            max_retries: 4,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pricing,
        }
    }
}

/// USD per million tokens.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_write: f64,
    #[serde(default)]
    pub cache_read: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ErpConfig {
    /// The instance used when `--instance` is not given.
    pub default: String,
    pub instances: BTreeMap<String, InstanceConfig>,
    /// Extra ERP entity type names skills may use as input/output types (e.g. `Campaign`).
    pub entities: Vec<String>,
    /// The largest response body read from an instance; more is an error.
    pub max_response_bytes: u64,
    /// The most pages one listing follows; more (or a cursor seen twice) is an error.
    pub max_pages: u32,
}

impl Default for ErpConfig {
    fn default() -> Self {
        let mut instances = BTreeMap::new();
        instances.insert("local".to_owned(), InstanceConfig::local_default());
        Self {
            default: "local".to_owned(),
            instances,
            entities: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// `local` for the embedded store, else the base URL of the ERP.
    pub url: String,
    /// Name of the environment variable holding the service key.
    #[serde(default)]
    pub key_env: Option<String>,
    /// The orgs of the instance; when omitted they are listed from the instance.
    #[serde(default)]
    pub orgs: Option<Vec<String>>,
    /// Request timeout in seconds.
    #[serde(default = "default_erp_timeout")]
    pub timeout_secs: u64,
    /// Retries after a connect error, 429 or 5xx.
    #[serde(default = "default_erp_retries")]
    pub max_retries: u32,
}

fn default_erp_timeout() -> u64 {
    30
}

fn default_erp_retries() -> u32 {
    3
}

impl InstanceConfig {
    /// Returns the embedded instance of the defaults, with the orgs acme, beta, corp and demo.
    pub fn local_default() -> Self {
        Self {
            url: "local".to_owned(),
            key_env: None,
            orgs: Some(["acme", "beta", "corp", "demo"].map(str::to_owned).to_vec()),
            timeout_secs: default_erp_timeout(),
            max_retries: default_erp_retries(),
        }
    }

    /// Returns whether this instance is the embedded SQLite store.
    pub fn is_local(&self) -> bool {
        self.url == "local"
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    pub max_turns: u32,
    pub max_wall_secs: u64,
    pub max_cost_usd: f64,
    pub max_output_tokens: u64,
    /// A longer tool result is cut (at a char boundary) before the model sees it.
    pub max_tool_result_bytes: u64,
    pub tier_calls: TierCalls,
    /// Tool name → per-tool limits.
    pub tools: BTreeMap<String, ToolLimit>,
}

/// The default of `limits.max_tool_result_bytes`: 64 KiB.
pub const DEFAULT_MAX_TOOL_RESULT_BYTES: u64 = 64 * 1024;

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_turns: 20,
            max_wall_secs: 300,
            max_cost_usd: 1.0,
            max_output_tokens: 50_000,
            max_tool_result_bytes: DEFAULT_MAX_TOOL_RESULT_BYTES,
            tier_calls: TierCalls::default(),
            tools: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TierCalls {
    pub t1: u32,
    pub t2: u32,
    pub t3: u32,
}

impl Default for TierCalls {
    fn default() -> Self {
        Self { t1: 30, t2: 5, t3: 2 }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ToolLimit {
    pub per_turn: Option<u32>,
    pub per_run: Option<u32>,
}

/// A trust tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Executes at once.
    T1,
    /// Soft confirmation.
    T2,
    /// Explicit approval.
    T3,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::T1 => "t1",
            Tier::T2 => "t2",
            Tier::T3 => "t3",
        })
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ProposalsConfig {
    /// How long a T2 proposal stays open, e.g. `24h`.
    pub t2_window: String,
    /// Tool name → window override.
    pub windows: BTreeMap<String, String>,
}

impl Default for ProposalsConfig {
    fn default() -> Self {
        Self { t2_window: "24h".to_owned(), windows: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HooksConfig {
    pub pre_tool_use: Vec<HookConfig>,
    pub post_tool_use: Vec<HookConfig>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HookConfig {
    /// Regex on the tool name.
    #[serde(default = "match_all")]
    pub matcher: String,
    /// Shell command run with the hook JSON on stdin.
    pub command: String,
    #[serde(default = "default_hook_timeout")]
    pub timeout_secs: u64,
}

fn match_all() -> String {
    ".*".to_owned()
}

fn default_hook_timeout() -> u64 {
    30
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeployConfig {
    pub concurrency: usize,
    pub canary_max_failure_rate: f64,
    /// The finished canary invocations the promotion gate needs; fewer is inconclusive.
    pub canary_min_invocations: u64,
}

impl Default for DeployConfig {
    fn default() -> Self {
        Self { concurrency: 16, canary_max_failure_rate: 0.05, canary_min_invocations: 20 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LintConfig {
    /// Rules (codes or names, or `warnings`) raised to errors.
    pub deny: Vec<String>,
    /// Rules silenced.
    pub allow: Vec<String>,
    /// Rules lowered to warnings.
    pub warn: Vec<String>,
    /// The token budget of one compiled system prompt (rule AB034).
    pub max_prompt_tokens: usize,
}

impl Default for LintConfig {
    fn default() -> Self {
        Self { deny: Vec::new(), allow: Vec::new(), warn: Vec::new(), max_prompt_tokens: 8000 }
    }
}

/// A config file that could not be loaded; names the file, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read config `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid { path: PathBuf, line: usize, column: usize, message: String, hint: Option<String> },
    /// More than one unknown key: every one, each with its place and suggestion.
    #[error("{} unknown keys in `{}`:{}", keys.len(), path.display(), list_keys(path, keys))]
    UnknownKeys { path: PathBuf, keys: Vec<UnknownKey> },
}

/// Returns the lines listing unknown keys, each `\n  path:line:column: unknown key …`.
fn list_keys(path: &Path, keys: &[UnknownKey]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for k in keys {
        let _ = write!(out, "\n  {}:{}:{}: {}", path.display(), k.line, k.column, k.describe());
    }
    out
}

/// An unknown key of a config file: where it is, serde's message, and a suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    pub line: usize,
    pub column: usize,
    /// `unknown field `x`, expected one of …`.
    pub message: String,
    /// The key it probably is.
    pub suggestion: Option<String>,
}

impl UnknownKey {
    /// Returns `unknown key `x` (did you mean `y`?)`, or with what was expected.
    fn describe(&self) -> String {
        let key = self.message.strip_prefix("unknown field `").and_then(|r| r.split_once('`'));
        match (key, &self.suggestion) {
            (Some((key, _)), Some(s)) => format!("unknown key `{key}` (did you mean `{s}`?)"),
            (Some((key, rest)), None) => format!("unknown key `{key}`{}", rest.replacen(", ", " (", 1) + ")"),
            (None, _) => self.message.clone(),
        }
    }
}

impl ConfigError {
    /// Returns the "did you mean" hint, if there is one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { hint, .. } => hint.as_deref(),
            ConfigError::Read { .. } | ConfigError::UnknownKeys { .. } => None,
        }
    }
}

impl Config {
    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// Parses config text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let index = LineIndex::new(text);
        let at = |e: &toml::de::Error| e.span().map_or((1, 1), |span| index.line_col(text, span.start));
        let invalid = |e: &toml::de::Error| {
            let (line, column) = at(e);
            let message = e.message().trim().to_owned();
            let hint = unknown_field_hint(&message);
            ConfigError::Invalid { path: path.to_owned(), line, column, message, hint }
        };
        let mut doc = toml::de::DeTable::parse(text).map_err(|e| invalid(&e))?;
        // Every unknown key is reported, not only the first: each one found is taken out of
        // the document and the rest deserialized again.
        let mut unknown: Vec<(UnknownKey, ConfigError)> = Vec::new();
        let parsed = loop {
            match Config::deserialize(toml::de::Deserializer::from(doc.clone())) {
                Ok(config) => break Ok(config),
                Err(e) if e.message().starts_with("unknown field") && unknown.len() < 100 => {
                    let removed = e.span().is_some_and(|span| remove_key(doc.get_mut(), &span));
                    let (line, column) = at(&e);
                    let message = e.message().trim().to_owned();
                    let suggestion = unknown_field_suggestion(&message).map(str::to_owned);
                    unknown.push((UnknownKey { line, column, message, suggestion }, invalid(&e)));
                    if !removed {
                        break Err(e);
                    }
                }
                Err(e) => break Err(e),
            }
        };
        if unknown.len() > 1 {
            let keys = unknown.into_iter().map(|(k, _)| k).collect();
            return Err(ConfigError::UnknownKeys { path: path.to_owned(), keys });
        }
        if let Some((_, only)) = unknown.pop() {
            return Err(only);
        }
        let mut config = parsed.map_err(|e| invalid(&e))?;
        // The embedded instance is always there, as with no config at all, unless the file
        // defines its own `local`: adding `[erp.instances.staging]` must not lose it.
        config.erp.instances.entry("local".to_owned()).or_insert_with(InstanceConfig::local_default);
        config.validate(text, path)?;
        Ok(config)
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let err = |key: &str, message: String, hint: Option<String>| {
            let at = text.find(key).unwrap_or(0);
            let (line, column) = LineIndex::new(text).line_col(text, at);
            ConfigError::Invalid { path: path.to_owned(), line, column, message, hint }
        };
        if !self.erp.instances.contains_key(&self.erp.default) {
            let names: Vec<&str> = self.erp.instances.keys().map(String::as_str).collect();
            return Err(err(
                "default",
                format!("`erp.default` names the instance `{}`, which is not defined", self.erp.default),
                Some(format!("define `[erp.instances.{}]`, or use one of: {}", self.erp.default, names.join(", "))),
            ));
        }
        if let Err(e) = crate::duration::parse(&self.proposals.t2_window) {
            return Err(err("t2_window", format!("`proposals.t2_window`: {e}"), None));
        }
        for (tool, window) in &self.proposals.windows {
            if let Err(e) = crate::duration::parse(window) {
                return Err(err(tool, format!("`proposals.windows.{tool}`: {e}"), None));
            }
        }
        for hook in self.hooks.pre_tool_use.iter().chain(&self.hooks.post_tool_use) {
            if let Err(e) = regex::Regex::new(&hook.matcher) {
                return Err(err(&hook.matcher, format!("invalid hook matcher `{}`: {e}", hook.matcher), None));
            }
        }
        if self.deploy.concurrency == 0 {
            return Err(err("concurrency", "`deploy.concurrency` must be at least 1".to_owned(), None));
        }
        if !(0.0..=1.0).contains(&self.deploy.canary_max_failure_rate) {
            return Err(err(
                "canary_max_failure_rate",
                "`deploy.canary_max_failure_rate` must be between 0 and 1".to_owned(),
                None,
            ));
        }
        Ok(())
    }
}

/// Removes from `table` (at any depth) the key whose span holds `span`'s start; returns
/// whether one was found.
fn remove_key(table: &mut toml::de::DeTable<'_>, span: &std::ops::Range<usize>) -> bool {
    if let Some(key) = table.keys().find(|k| k.span().contains(&span.start)).cloned() {
        table.remove(&key);
        return true;
    }
    table.iter_mut().any(|(_, value)| match value.get_mut() {
        toml::de::DeValue::Table(t) => remove_key(t, span),
        toml::de::DeValue::Array(items) => items.iter_mut().any(|item| match item.get_mut() {
            toml::de::DeValue::Table(t) => remove_key(t, span),
            _ => false,
        }),
        _ => false,
    })
}

/// Builds a "did you mean" hint from serde's "unknown field `x`, expected one of `a`, `b`".
fn unknown_field_hint(message: &str) -> Option<String> {
    unknown_field_suggestion(message).map(|m| format!("did you mean `{m}`?"))
}

/// Returns the expected field closest to the unknown one of serde's message.
fn unknown_field_suggestion(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, expected.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_keys_are_told_from_variable_names() {
        for name in ["ANTHROPIC_API_KEY", "STAGING_KEY", "erp_key", "_K1"] {
            assert!(!looks_like_key(name), "{name}");
        }
        for key in ["sk-ant-api03-abc", "Bearer abc", "abc def", "Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU", ""] {
            assert!(looks_like_key(key), "{key}");
        }
    }

    #[test]
    fn empty_config_is_the_defaults() {
        let c = Config::parse("", Path::new("x.toml")).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.erp.instances["local"].orgs.as_ref().unwrap().len(), 4);
    }

    #[test]
    fn example_config_parses() {
        let text = include_str!("../.agentbuilder.toml.example");
        let config = Config::parse(text, Path::new(".agentbuilder.toml.example")).unwrap();
        assert_eq!(config.erp.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
        assert_eq!(config.erp.max_pages, DEFAULT_MAX_PAGES);
        assert_eq!(config.claude.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
    }

    #[test]
    fn unknown_key_names_line_column_and_suggests() {
        let err = Config::parse("[project]\nskils = \"x\"\n", Path::new("c.toml")).unwrap_err();
        let ConfigError::Invalid { line, column, hint, .. } = &err else { panic!("{err:?}") };
        assert_eq!((*line, *column), (2, 1));
        assert_eq!(hint.as_deref(), Some("did you mean `skills`?"));
    }

    #[test]
    fn every_unknown_key_is_listed() {
        let text = "[project]\nskils = \"x\"\nfoo = 1\n[claude]\nmodl = \"x\"\n[erp.instances.dev]\nurl = \"local\"\nkey_evn = \"K\"\n";
        let err = Config::parse(text, Path::new("c.toml")).unwrap_err();
        let ConfigError::UnknownKeys { keys, .. } = &err else { panic!("{err:?}") };
        let places: Vec<(usize, usize)> = keys.iter().map(|k| (k.line, k.column)).collect();
        assert_eq!(places.len(), 4, "{err}");
        for place in [(2, 1), (3, 1), (5, 1), (8, 1)] {
            assert!(places.contains(&place), "{place:?} missing from\n{err}");
        }
        let shown = err.to_string();
        assert!(shown.starts_with("4 unknown keys in `c.toml`:\n"), "{shown}");
        assert!(shown.contains("c.toml:2:1: unknown key `skils` (did you mean `skills`?)"), "{shown}");
        assert!(shown.contains("c.toml:5:1: unknown key `modl` (did you mean `model`?)"), "{shown}");
        assert!(shown.contains("c.toml:3:1: unknown key `foo` (expected"), "{shown}");
        // Other errors still stop at the first.
        let err = Config::parse("[deploy]\nconcurrency = \"x\"\n", Path::new("c.toml")).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { line: 2, .. }), "{err:?}");
    }

    #[test]
    fn defining_another_instance_keeps_the_embedded_local_one() {
        let c = Config::parse("[erp.instances.dev]\nurl = \"http://127.0.0.1:8787\"\n", Path::new("c.toml")).unwrap();
        assert_eq!(c.erp.default, "local");
        assert!(c.erp.instances["local"].is_local());
        assert!(c.erp.instances.contains_key("dev"));
        let own =
            Config::parse("[erp.instances.local]\nurl = \"local\"\norgs = [\"x\"]\n", Path::new("c.toml")).unwrap();
        assert_eq!(own.erp.instances["local"].orgs.as_deref(), Some(&["x".to_owned()][..]));
    }

    #[test]
    fn undefined_default_instance_is_an_error() {
        let err = Config::parse("[erp]\ndefault = \"prod\"\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("`prod`"), "{err}");
    }
}
