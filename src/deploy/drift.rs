//! Drift (SPEC §9, `agentb status --refresh`): a live record that no longer matches what the
//! state says was deployed — changed by hand (a different hash, recomputed from the record's
//! definition), deleted, or disabled.

use std::collections::BTreeMap;

use serde::Serialize;

use super::plan::Live;
use super::state::Deployment;

/// How a live record drifted from the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "drift")]
pub enum Drift {
    /// The record's content hash (or version) differs from the deployed one.
    Changed { live_version: String, live_hash: String },
    /// The record is gone.
    Missing,
    /// The record was deployed enabled and is now disabled.
    Disabled,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Changed { live_version, live_hash } if live_hash.is_empty() => {
                write!(f, "changed in the ERP (live version {live_version}, a definition that is not an artifact)")
            }
            Drift::Changed { live_version, live_hash } => {
                let short = &live_hash[..live_hash.len().min(12)];
                write!(f, "changed in the ERP (live version {live_version}, hash {short})")
            }
            Drift::Missing => f.write_str("missing in the ERP"),
            Drift::Disabled => f.write_str("disabled in the ERP"),
        }
    }
}

/// Returns the drift of one deployed skill, if any. `enabled` is whether the deployed artifact
/// is active (so its record was written enabled).
pub fn check(deployed: &Deployment, live: &Live, skill: &str, enabled: bool) -> Option<Drift> {
    let Some(record) = live.skills.get(skill) else { return Some(Drift::Missing) };
    let differing = record.differing_hash(&deployed.content_hash);
    if differing.is_some() || record.version != deployed.version.to_string() {
        let live_hash = differing.unwrap_or(&record.content_hash).to_owned();
        return Some(Drift::Changed { live_version: record.version.clone(), live_hash });
    }
    if enabled && !record.is_enabled {
        return Some(Drift::Disabled);
    }
    None
}

/// Returns every drift of an org's deployments: skill id → drift.
pub fn org(
    deployments: &BTreeMap<String, Deployment>,
    live: &Live,
    mut enabled: impl FnMut(&str, &Deployment) -> bool,
) -> BTreeMap<String, Drift> {
    deployments
        .iter()
        .filter_map(|(skill, d)| Some((skill.clone(), check(d, live, skill, enabled(skill, d))?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::state::Strategy;

    #[test]
    fn detects_changed_missing_and_disabled_records() {
        let artifact = crate::deploy::release_store::tests::artifact("1.0.0", "p1");
        let d = Deployment {
            version: semver::Version::new(1, 0, 0),
            content_hash: artifact.content_hash.clone(),
            strategy: Strategy::Latest,
            canary: None,
            history: Vec::new(),
        };
        let mut live = Live::default();
        assert_eq!(check(&d, &live, "a", true), Some(Drift::Missing));
        let record = crate::deploy::plan::skill_record(&artifact);
        live.skills.insert("a".into(), (&record).into());
        assert_eq!(check(&d, &live, "a", true), None);
        let mut off = record.clone();
        off.is_enabled = false;
        live.skills.insert("a".into(), (&off).into());
        assert_eq!(check(&d, &live, "a", true), Some(Drift::Disabled));
        assert_eq!(check(&d, &live, "a", false), None, "a draft is deployed disabled");
        let mut edited = record.clone();
        edited.content_hash = "h2".into();
        live.skills.insert("a".into(), (&edited).into());
        assert!(matches!(check(&d, &live, "a", true), Some(Drift::Changed { live_hash, .. }) if live_hash == "h2"));
        // The definition edited, its `contentHash` left: the hash is recomputed, not trusted.
        let mut edited = record.clone();
        edited.definition["system_prompt"] = "p2".into();
        live.skills.insert("a".into(), (&edited).into());
        let other = crate::deploy::release_store::tests::artifact("1.0.0", "p2").content_hash;
        assert!(matches!(check(&d, &live, "a", true), Some(Drift::Changed { live_hash, .. }) if live_hash == other));
        let mut edited = record;
        edited.definition = serde_json::Value::Null;
        live.skills.insert("a".into(), (&edited).into());
        let drift = check(&d, &live, "a", true).unwrap();
        assert_eq!(drift.to_string(), "changed in the ERP (live version 1.0.0, a definition that is not an artifact)");
    }
}
