//! Compile: a skill into its artifact (SPEC §5), deterministic to the byte: the artifact, its
//! schemas and system prompt, and the interface diff between two artifacts. Building a whole
//! workspace incrementally is [`crate::workspace::build`].

pub mod artifact;
pub mod diff;
pub mod prompt;
pub mod schema;
pub mod size;

pub use artifact::Artifact;
use artifact::ResolvedDependency;

/// Returns the resolved dependencies `deps` (id, requirement) of a skill, sorted by id: each
/// that `find` knows, with the version it resolved to (the unresolved ones are lint errors).
pub fn resolve_with<'a, 'w>(
    find: impl Fn(&str) -> Option<&'w semver::Version>,
    deps: impl Iterator<Item = (&'a str, Option<&'a semver::VersionReq>)>,
) -> Vec<ResolvedDependency> {
    let mut deps: Vec<ResolvedDependency> = deps
        .filter_map(|(id, req)| {
            let version = find(id)?;
            Some(ResolvedDependency {
                id: id.to_owned(),
                requirement: req.map_or_else(|| "*".to_owned(), ToString::to_string),
                version: version.clone(),
            })
        })
        .collect();
    deps.sort_by(|a, b| a.id.cmp(&b.id));
    deps
}
