//! The size of what a deploy writes for a skill, estimated without building the artifact, so
//! lint can report a skill that no ERP record can hold (AB042) before any deploy fails with 413.

use super::artifact::ArtifactTool;
use super::{prompt, schema};
use crate::skill::Skill;
use crate::tools::Catalog;

/// The largest record an ERP stores, in bytes.
pub const RECORD_LIMIT: usize = crate::erp::MAX_BODY_BYTES;

/// What a deployed record holds besides the prompt, schemas and tools (ids, hashes, limits,
/// triggers, managed fields), rounded up so the estimate errs on the large side.
const RECORD_OVERHEAD: usize = 4096;

/// Returns the estimated size in bytes of the record a deploy writes for `skill`: the system
/// prompt, the input and output schemas twice (in the artifact and as the record's `inputs` and
/// `outputs`), the tool definitions, and a fixed overhead. No artifact is built.
pub fn record_bytes(skill: &Skill, catalog: &Catalog) -> usize {
    let json_len = |value: &serde_json::Value| serde_json::to_vec(value).map_or(0, |v| v.len());
    // JSON escapes grow text; `to_vec` of the prompt as a string counts them.
    let prompt = serde_json::to_vec(&prompt::render(skill)).map_or(0, |v| v.len());
    let schemas = json_len(&schema::object(&skill.inputs, true)) + json_len(&schema::object(&skill.outputs, false));
    let mut tools: Vec<ArtifactTool> =
        skill.permissions.iter().flat_map(|p| catalog.grants(&p.resource, p.action)).map(ArtifactTool::from).collect();
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    tools.dedup_by(|a, b| a.name == b.name);
    let tools = serde_json::to_vec(&tools).map_or(0, |v| v.len());
    let dependencies = skill.dependencies.len() * 128;
    prompt + 2 * schemas + tools + dependencies + RECORD_OVERHEAD
}
