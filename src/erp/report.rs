//! The reports of `agentb erp ping` and `agentb erp org list`: what an instance answered, typed,
//! for the human line and for `--format json`.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{AGENT_SKILLS, ErpError, Instance, ListQuery, Organization};

/// What a ping of an instance found. Serialized as `agentb erp ping --format json` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PingReport {
    pub instance: String,
    pub url: String,
    pub ok: bool,
    /// How many orgs the instance listed.
    pub orgs: usize,
    /// How long listing the orgs took, in milliseconds to 0.1.
    pub latency_ms: f64,
    /// The org asked for its skills: the one given, else the config's first, else the first
    /// listed.
    pub org: Option<String>,
    pub org_latency_ms: Option<f64>,
}

/// Returns a duration in milliseconds, rounded to 0.1.
fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// Pings an instance: lists its orgs, then lists one skill of `org` (see
/// [`PingReport::org`]), timing both.
pub async fn ping(instance: &Instance, org: Option<&str>) -> Result<PingReport, ErpError> {
    let started = Instant::now();
    let orgs = instance.erp.organizations().await?;
    let latency = started.elapsed();
    if let Some(org) = org.filter(|org| !orgs.iter().any(|o| o.id == *org)) {
        let ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        return Err(ErpError::UnknownOrg {
            instance: instance.name.clone(),
            org: org.to_owned(),
            suggestion: crate::text::did_you_mean(org, ids.iter().copied()).map(str::to_owned),
            orgs: ids.iter().map(|&id| id.to_owned()).collect(),
        });
    }
    let org = org
        .map(str::to_owned)
        .or_else(|| instance.config.orgs.as_ref().and_then(|o| o.first().cloned()))
        .or_else(|| orgs.first().map(|o| o.id.clone()));
    let mut org_latency = None;
    if let Some(org) = &org {
        let started = Instant::now();
        instance.erp.list(org, AGENT_SKILLS, &ListQuery::new().limit(1)).await?;
        org_latency = Some(started.elapsed());
    }
    Ok(PingReport {
        instance: instance.name.clone(),
        url: instance.config.url.clone(),
        ok: true,
        orgs: orgs.len(),
        latency_ms: millis(latency),
        org,
        org_latency_ms: org_latency.map(millis),
    })
}

/// One org as `agentb erp org list --format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgListing {
    pub id: String,
    pub name: String,
}

impl From<Organization> for OrgListing {
    fn from(o: Organization) -> Self {
        Self { id: o.id, name: o.name }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_round_to_a_tenth() {
        assert!((millis(Duration::from_micros(1_234_567)) - 1234.6).abs() < 1e-9);
    }

    #[test]
    fn the_ping_report_keeps_its_json_shape() {
        let report = PingReport {
            instance: "local".into(),
            url: String::new(),
            ok: true,
            orgs: 2,
            latency_ms: 0.5,
            org: None,
            org_latency_ms: None,
        };
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            r#"{"instance":"local","url":"","ok":true,"orgs":2,"latencyMs":0.5,"org":null,"orgLatencyMs":null}"#
        );
    }
}
