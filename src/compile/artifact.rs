//! The artifact: the compiled, self-contained, deterministic JSON form of one skill version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{prompt, schema};
use crate::config::LimitsConfig;
use crate::skill::Skill;
use crate::skill::model::{Status, Trigger};
use crate::tools::{Catalog, Tool};

/// The artifact format version.
pub const FORMAT: u32 = 1;

/// A compiled skill. Field order is the serialization order, which is part of determinism.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub format: u32,
    pub id: String,
    pub name: String,
    pub version: semver::Version,
    pub status: Status,
    pub category: String,
    pub description: String,
    pub triggers: Vec<Trigger>,
    pub dependencies: Vec<ResolvedDependency>,
    pub permissions: Vec<String>,
    pub input_schema: Value,
    pub output_schema: Value,
    pub tools: Vec<ArtifactTool>,
    pub system_prompt: String,
    pub limits: EffectiveLimits,
    pub source_hash: String,
    /// sha256 of the artifact serialized compactly with `content_hash` set to "".
    pub content_hash: String,
}

/// A dependency with the version it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedDependency {
    pub id: String,
    /// The requirement as written (`^1.0`), or `*`.
    pub requirement: String,
    pub version: semver::Version,
}

/// A tool as recorded in an artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactTool {
    pub name: String,
    pub description: String,
    pub tier: crate::config::Tier,
    pub resource: String,
    pub action: String,
    pub collection: String,
    pub input_schema: Value,
}

impl From<Tool> for ArtifactTool {
    fn from(t: Tool) -> Self {
        Self {
            name: t.name,
            description: t.description,
            tier: t.tier,
            resource: t.resource,
            action: t.action.as_str().to_owned(),
            collection: t.collection,
            input_schema: t.input_schema,
        }
    }
}

/// The limits a run of this skill gets: the project's, tightened by the skill's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectiveLimits {
    pub max_turns: u32,
    pub max_wall_secs: u64,
    pub max_cost_usd: f64,
    pub max_output_tokens: u64,
    /// `limits.max_tool_result_bytes`. Left out of the artifact at its default, so artifacts
    /// (and their content hashes) are the same as before the limit existed.
    #[serde(default = "default_max_tool_result_bytes", skip_serializing_if = "is_default_max_tool_result_bytes")]
    pub max_tool_result_bytes: u64,
    pub tier_calls: BTreeMap<String, u32>,
    /// Tool name → per-tool limits, for the tools this skill has.
    pub tools: BTreeMap<String, crate::config::ToolLimit>,
}

fn default_max_tool_result_bytes() -> u64 {
    crate::config::DEFAULT_MAX_TOOL_RESULT_BYTES
}

#[allow(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
fn is_default_max_tool_result_bytes(n: &u64) -> bool {
    *n == crate::config::DEFAULT_MAX_TOOL_RESULT_BYTES
}

/// Builds the artifact of a skill whose dependencies resolved to `resolved`.
pub fn build(skill: &Skill, resolved: Vec<ResolvedDependency>, catalog: &Catalog, limits: &LimitsConfig) -> Artifact {
    let mut tools: Vec<ArtifactTool> =
        skill.permissions.iter().flat_map(|p| catalog.grants(&p.resource, p.action)).map(ArtifactTool::from).collect();
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    tools.dedup_by(|a, b| a.name == b.name);
    let l = &skill.limits;
    let tool_limits = limits
        .tools
        .iter()
        .filter(|(name, _)| tools.iter().any(|t| &t.name == *name))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let mut tier_calls = BTreeMap::new();
    tier_calls.insert("t1".to_owned(), l.t1.unwrap_or(limits.tier_calls.t1).min(limits.tier_calls.t1));
    tier_calls.insert("t2".to_owned(), l.t2.unwrap_or(limits.tier_calls.t2).min(limits.tier_calls.t2));
    tier_calls.insert("t3".to_owned(), l.t3.unwrap_or(limits.tier_calls.t3).min(limits.tier_calls.t3));
    let mut artifact = Artifact {
        format: FORMAT,
        id: skill.id.value.clone(),
        name: skill.name.clone(),
        version: skill.version.value.clone(),
        status: skill.status,
        category: skill.category.clone(),
        description: skill.description.clone(),
        triggers: skill.triggers.iter().map(|t| t.value.clone()).collect(),
        dependencies: resolved,
        permissions: skill.permissions.iter().map(ToString::to_string).collect(),
        input_schema: schema::object(&skill.inputs, true),
        output_schema: schema::object(&skill.outputs, false),
        tools,
        system_prompt: prompt::render(skill),
        limits: EffectiveLimits {
            max_turns: l.max_turns.unwrap_or(limits.max_turns).min(limits.max_turns),
            max_wall_secs: l.max_wall_secs.unwrap_or(limits.max_wall_secs).min(limits.max_wall_secs),
            max_cost_usd: l.max_cost_usd.unwrap_or(limits.max_cost_usd).min(limits.max_cost_usd),
            max_output_tokens: l.max_output_tokens.unwrap_or(limits.max_output_tokens).min(limits.max_output_tokens),
            max_tool_result_bytes: limits.max_tool_result_bytes,
            tier_calls,
            tools: tool_limits,
        },
        source_hash: skill.source_hash.clone(),
        content_hash: String::new(),
    };
    // `content_hash` is still empty: hash the artifact as it is, without a copy.
    artifact.content_hash = hex::encode(Sha256::digest(serde_json::to_vec(&artifact).unwrap_or_default()));
    artifact
}

impl Artifact {
    /// Returns the sha256 of the artifact with `content_hash` empty, serialized compactly.
    pub fn compute_content_hash(&self) -> String {
        let mut copy = self.clone();
        copy.content_hash = String::new();
        let bytes = serde_json::to_vec(&copy).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    /// Returns the file name, `<id>@<version>.json`.
    pub fn file_name(&self) -> String {
        format!("{}@{}.json", self.id, self.version)
    }

    /// Returns the bytes written to disk: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}
