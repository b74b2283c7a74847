//! The ERP contract (SPEC §6): the types, the one [`Erp`] trait, and its implementations —
//! [`HttpErp`] (a remote instance over HTTP), [`LocalErp`] (the embedded SQLite store, in
//! process) and [`server`] (`agentb erp serve`: the store over HTTP, the reference ERP).
//!
//! Callers get an instance from the config with [`open`]; they use the trait's calls, plus the
//! typed helpers of [`ErpExt`] (`upsert_skill`, `list_all`, `create_invocation`, …).

mod error;
pub mod http;
pub mod local;
pub mod openapi;
pub mod report;
mod secret;
pub mod server;
mod store;
mod types;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

pub use error::{Call, ErpError, PASTED_KEY_HINT};
pub use http::{HttpErp, HttpOptions};
pub use local::LocalErp;
pub use secret::Secret;
pub use store::{RawPage, Store, is_org_id, revision_of};
pub use types::*;

use crate::config::InstanceConfig;
use crate::env::Env;
use crate::workspace::Project;

/// The future every [`Erp`] call returns: boxed and `Send`, so the trait works as
/// `Arc<dyn Erp>` across tokio tasks.
pub type ErpFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ErpError>> + Send + 'a>>;

/// One ERP instance, as the contract of SPEC §6 defines it. Every call but
/// [`Erp::organizations`] acts for exactly one org; a record of another org is never visible.
///
/// Collections are plural kebab-case names: `agent-skills`, `agent-personas`,
/// `agent-invocations`, `form-templates`, `content-triggers`, `knowledge`, and any entity
/// collection (`briefs`, `clients`, …).
pub trait Erp: Send + Sync {
    /// Returns the instance's name, for messages.
    fn instance(&self) -> &str;

    /// Returns the most pages one listing follows (`erp.max_pages`).
    fn max_pages(&self) -> u32 {
        crate::config::DEFAULT_MAX_PAGES
    }

    /// Returns every org of the instance (following pagination).
    fn organizations(&self) -> ErpFuture<'_, Vec<Organization>>;

    /// Returns one page of a collection.
    fn list<'a>(&'a self, org: &'a str, collection: &'a str, query: &'a ListQuery) -> ErpFuture<'a, Page>;

    /// Returns one record; a missing record (or another org's) is a 404.
    fn get<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str) -> ErpFuture<'a, Record>;

    /// Creates a record (the body's `id` is used when given) and returns it as stored.
    fn create<'a>(&'a self, org: &'a str, collection: &'a str, record: Record) -> ErpFuture<'a, Record>;

    /// Creates or replaces the record with this id.
    fn put<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, record: Record) -> ErpFuture<'a, Upserted>;

    /// Applies a JSON merge patch (RFC 7386) and returns the record as stored.
    fn patch<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, patch: Record) -> ErpFuture<'a, Record>;

    /// Deletes a record and returns it as it was.
    fn delete<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str) -> ErpFuture<'a, Record>;

    /// Applies a JSON merge patch when the record is at `revision` (`If-Match`): a 412
    /// ([`ErpError::is_precondition_failed`]) when it changed since. The compare-and-set that
    /// lets several machines share sessions and proposals.
    fn patch_if<'a>(
        &'a self,
        org: &'a str,
        collection: &'a str,
        id: &'a str,
        patch: Record,
        revision: u64,
    ) -> ErpFuture<'a, Record>;

    /// Deletes a record when it is at `revision` (`If-Match`; a 412 otherwise).
    fn delete_if<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, revision: u64) -> ErpFuture<'a, Record>;

    /// Creates or replaces the record with the same natural key (`slug` for skills and
    /// personas, `path` for knowledge).
    fn upsert<'a>(&'a self, org: &'a str, collection: &'a str, record: Record) -> ErpFuture<'a, Upserted>;
}

/// Guards one listing: never more than [`Erp::max_pages`] pages, and never a cursor twice (a
/// server that always answers a new `nextCursor`, or an old one, would page forever).
pub(crate) struct Pages<'a> {
    instance: &'a str,
    org: &'a str,
    collection: &'a str,
    max: u32,
    count: u32,
    seen: std::collections::HashSet<String>,
}

impl<'a> Pages<'a> {
    pub(crate) fn new(erp: &'a (impl Erp + ?Sized), org: &'a str, collection: &'a str) -> Self {
        Self {
            instance: erp.instance(),
            org,
            collection,
            max: erp.max_pages(),
            count: 0,
            seen: std::collections::HashSet::new(),
        }
    }

    /// Counts a page read; returns the cursor of the next one, `None` after the last.
    pub(crate) fn next(&mut self, cursor: Option<String>) -> Result<Option<String>, ErpError> {
        self.count += 1;
        let Some(cursor) = cursor else { return Ok(None) };
        let fail = |message: String| ErpError::InvalidResponse {
            call: Call::boxed(self.instance, self.org, "GET", format!("/api/v1/{}", self.collection)),
            message,
        };
        if self.count >= self.max {
            return Err(fail(format!("the listing goes on past `erp.max_pages` ({} pages)", self.max)));
        }
        if !self.seen.insert(cursor.clone()) {
            return Err(fail(format!("the instance returned the `nextCursor` `{}` twice", shown_id(&cursor))));
        }
        Ok(Some(cursor))
    }
}

/// Typed helpers over any [`Erp`].
pub trait ErpExt: Erp {
    /// Returns every record of a collection that matches the query's filters, following
    /// `nextCursor` from page to page.
    fn list_all<'a>(
        &'a self,
        org: &'a str,
        collection: &'a str,
        query: ListQuery,
    ) -> impl Future<Output = Result<Vec<Record>, ErpError>> + Send + 'a {
        async move {
            let mut query = query;
            if query.limit.is_none() {
                query.limit = Some(MAX_PAGE_SIZE);
            }
            let mut all = Vec::new();
            let mut pages = Pages::new(self, org, collection);
            loop {
                let page = self.list(org, collection, &query).await?;
                all.extend(page.data);
                match pages.next(page.next_cursor)? {
                    Some(cursor) => query.cursor = Some(cursor),
                    None => return Ok(all),
                }
            }
        }
    }

    /// Returns the org's skills.
    fn skills<'a>(&'a self, org: &'a str) -> impl Future<Output = Result<Vec<AgentSkill>, ErpError>> + Send + 'a {
        async move {
            let records = self.list_all(org, AGENT_SKILLS, ListQuery::new()).await?;
            records.iter().map(|r| typed(self, org, "GET", AGENT_SKILLS, r)).collect()
        }
    }

    /// Returns the org's skill with this slug, if deployed.
    fn skill<'a>(
        &'a self,
        org: &'a str,
        slug: &'a str,
    ) -> impl Future<Output = Result<Option<AgentSkill>, ErpError>> + Send + 'a {
        async move {
            let query = ListQuery::new().limit(1).filter("slug", slug);
            let page = self.list(org, AGENT_SKILLS, &query).await?;
            page.data.first().map(|r| typed(self, org, "GET", AGENT_SKILLS, r)).transpose()
        }
    }

    /// Creates or replaces the org's skill with the same slug; returns it as stored.
    fn upsert_skill<'a>(
        &'a self,
        org: &'a str,
        skill: &'a AgentSkill,
    ) -> impl Future<Output = Result<AgentSkill, ErpError>> + Send + 'a {
        async move {
            let stored = self.upsert(org, AGENT_SKILLS, to_record(skill)).await?;
            typed(self, org, "PUT", AGENT_SKILLS, &stored.record)
        }
    }

    /// Returns the org's personas.
    fn personas<'a>(&'a self, org: &'a str) -> impl Future<Output = Result<Vec<AgentPersona>, ErpError>> + Send + 'a {
        async move {
            let records = self.list_all(org, AGENT_PERSONAS, ListQuery::new()).await?;
            records.iter().map(|r| typed(self, org, "GET", AGENT_PERSONAS, r)).collect()
        }
    }

    /// Returns the org's persona with this slug, if deployed.
    fn persona<'a>(
        &'a self,
        org: &'a str,
        slug: &'a str,
    ) -> impl Future<Output = Result<Option<AgentPersona>, ErpError>> + Send + 'a {
        async move {
            let query = ListQuery::new().limit(1).filter("slug", slug);
            let page = self.list(org, AGENT_PERSONAS, &query).await?;
            page.data.first().map(|r| typed(self, org, "GET", AGENT_PERSONAS, r)).transpose()
        }
    }

    /// Creates or replaces the org's persona with the same slug; returns it as stored.
    fn upsert_persona<'a>(
        &'a self,
        org: &'a str,
        persona: &'a AgentPersona,
    ) -> impl Future<Output = Result<AgentPersona, ErpError>> + Send + 'a {
        async move {
            let stored = self.upsert(org, AGENT_PERSONAS, to_record(persona)).await?;
            typed(self, org, "PUT", AGENT_PERSONAS, &stored.record)
        }
    }

    /// Creates an invocation; returns it as stored (with its id).
    fn create_invocation<'a>(
        &'a self,
        org: &'a str,
        invocation: &'a AgentInvocation,
    ) -> impl Future<Output = Result<AgentInvocation, ErpError>> + Send + 'a {
        async move {
            let stored = self.create(org, AGENT_INVOCATIONS, to_record(invocation)).await?;
            typed(self, org, "POST", AGENT_INVOCATIONS, &stored)
        }
    }

    /// Patches an invocation (status, output, error, usage, cost, times); returns it as stored.
    fn update_invocation<'a>(
        &'a self,
        org: &'a str,
        id: &'a str,
        patch: Record,
    ) -> impl Future<Output = Result<AgentInvocation, ErpError>> + Send + 'a {
        async move {
            let stored = self.patch(org, AGENT_INVOCATIONS, id, patch).await?;
            typed(self, org, "PATCH", AGENT_INVOCATIONS, &stored)
        }
    }

    /// Returns the org's invocations that match a query's filters (e.g. `skillId`, `status`).
    fn invocations<'a>(
        &'a self,
        org: &'a str,
        query: ListQuery,
    ) -> impl Future<Output = Result<Vec<AgentInvocation>, ErpError>> + Send + 'a {
        async move {
            let records = self.list_all(org, AGENT_INVOCATIONS, query).await?;
            records.iter().map(|r| typed(self, org, "GET", AGENT_INVOCATIONS, r)).collect()
        }
    }

    /// Returns the org's knowledge document at `path`, if any.
    fn knowledge<'a>(
        &'a self,
        org: &'a str,
        path: &'a str,
    ) -> impl Future<Output = Result<Option<Record>, ErpError>> + Send + 'a {
        async move {
            let query = ListQuery::new().limit(1).filter("path", path);
            Ok(self.list(org, KNOWLEDGE, &query).await?.data.into_iter().next())
        }
    }
}

impl<T: Erp + ?Sized> ErpExt for T {}

/// Converts a record an instance returned into its type, or an error naming the call.
fn typed<T: serde::de::DeserializeOwned, E: Erp + ?Sized>(
    erp: &E,
    org: &str,
    method: &str,
    collection: &str,
    record: &Record,
) -> Result<T, ErpError> {
    from_record(record).map_err(|message| ErpError::InvalidResponse {
        call: Call::boxed(erp.instance(), org, method, format!("/api/v1/{collection}")),
        message: format!("the record does not fit the contract: {message}"),
    })
}

/// An instance of the config, opened.
#[derive(Clone)]
pub struct Instance {
    pub name: String,
    pub config: InstanceConfig,
    pub erp: Arc<dyn Erp>,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").field("name", &self.name).field("config", &self.config).finish_non_exhaustive()
    }
}

impl Instance {
    /// Returns the org ids agentb works with: the config's `orgs` when given, else every org
    /// the instance lists.
    pub async fn org_ids(&self) -> Result<Vec<String>, ErpError> {
        if let Some(orgs) = &self.config.orgs {
            tracing::info!("orgs of `{}` (from the config): {}", self.name, orgs.join(", "));
            return Ok(orgs.clone());
        }
        let orgs: Vec<String> = self.erp.organizations().await?.into_iter().map(|o| o.id).collect();
        tracing::info!("orgs of `{}` (listed by the instance): {}", self.name, orgs.join(", "));
        Ok(orgs)
    }
}

/// Returns the name of the instance `name` selects (`None`: the config's `erp.default`) and
/// its config.
pub fn instance_config<'a>(
    project: &'a Project,
    name: Option<&'a str>,
) -> Result<(&'a str, &'a InstanceConfig), ErpError> {
    let name = name.unwrap_or(&project.config.erp.default);
    let instances = &project.config.erp.instances;
    match instances.get_key_value(name) {
        Some((name, config)) => Ok((name.as_str(), config)),
        None => Err(ErpError::UnknownInstance {
            name: name.to_owned(),
            suggestion: crate::text::did_you_mean(name, instances.keys().map(String::as_str)).map(str::to_owned),
        }),
    }
}

/// Returns the database of a local instance: `.agentbuilder/local/erp.sqlite` for the instance
/// named `local`, `.agentbuilder/local/<name>.sqlite` for any other.
pub fn local_db_path(project: &Project, name: &str) -> PathBuf {
    if name == "local" {
        project.local_erp_db()
    } else {
        project.state_dir().join("local").join(format!("{name}.sqlite"))
    }
}

/// Opens the local instance `name` of the project's config: its SQLite store, with the orgs its
/// config lists added. Fails when the instance is not local.
pub fn open_local(project: &Project, name: &str) -> Result<LocalErp, ErpError> {
    let (name, config) = instance_config(project, Some(name))?;
    if !config.is_local() {
        return Err(ErpError::Config {
            instance: name.to_owned(),
            message: format!("the instance is not local: its `url` is `{}`", config.url),
        });
    }
    let local = LocalErp::open(name, &local_db_path(project, name))?;
    for org in config.orgs.iter().flatten() {
        local.add_org(org, org)?;
    }
    Ok(local)
}

/// Opens an instance for a command that only reads: like [`open`], except that a local
/// instance whose database does not exist yet is read as an empty in-memory store holding the
/// orgs its config lists, so that nothing is created (SPEC §12).
pub fn open_read_only(project: &Project, env: &Env, name: Option<&str>) -> Result<Instance, ErpError> {
    let (name, config) = instance_config(project, name)?;
    let db = local_db_path(project, name);
    if !config.is_local() || db.exists() {
        return open(project, env, Some(name));
    }
    tracing::info!("instance `{name}`: embedded, `{}` does not exist yet (read as empty)", db.display());
    let local = LocalErp::in_memory(name)?;
    for org in config.orgs.iter().flatten() {
        local.add_org(org, org)?;
    }
    Ok(Instance { name: name.to_owned(), config: config.clone(), erp: Arc::new(local) })
}

/// Opens an instance of the project's config (`None`: `erp.default`). A local instance opens
/// its SQLite store and adds the orgs its config lists; a remote one reads its key from `env`
/// (the variable its `key_env` names).
pub fn open(project: &Project, env: &Env, name: Option<&str>) -> Result<Instance, ErpError> {
    let (name, config) = instance_config(project, name)?;
    let erp: Arc<dyn Erp> = if config.is_local() {
        tracing::info!("instance `{name}`: embedded, `{}`", local_db_path(project, name).display());
        Arc::new(open_local(project, name)?)
    } else {
        tracing::info!("instance `{name}`: {}", config.url);
        let key = match &config.key_env {
            Some(var) if crate::config::looks_like_key(var) => {
                return Err(ErpError::PastedKey { instance: name.to_owned() });
            }
            Some(var) => Some(
                env.get(var)
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(Secret::new)
                    .ok_or_else(|| ErpError::MissingKey { instance: name.to_owned(), env: var.clone() })?,
            ),
            None => None,
        };
        let erp_config = &project.config.erp;
        Arc::new(
            HttpErp::new(name, &config.url, key, HttpOptions::from_config(config))?
                .with_limits(erp_config.max_response_bytes, erp_config.max_pages),
        )
    };
    Ok(Instance { name: name.to_owned(), config: config.clone(), erp })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn project(toml: &str) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let config: Config = toml::from_str(toml).unwrap();
        let project = Project::new(dir.path().to_path_buf(), None, config);
        (dir, project)
    }

    #[test]
    fn open_seeds_the_orgs_of_a_local_instance() {
        let (_dir, project) = project("");
        let instance = open(&project, &Env::default(), None).unwrap();
        assert_eq!(instance.name, "local");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let orgs = rt.block_on(instance.erp.organizations()).unwrap();
        let ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["acme", "beta", "corp", "demo"]);
        assert!(project.local_erp_db().is_file());
    }

    #[test]
    fn open_needs_the_key_of_a_remote_instance() {
        let toml = "[erp.instances.staging]\nurl = \"http://127.0.0.1:9\"\nkey_env = \"STAGING_KEY\"\n";
        let (_dir, project) = project(toml);
        let err = open(&project, &Env::default(), Some("staging")).unwrap_err();
        assert!(matches!(err, ErpError::MissingKey { .. }), "{err}");
        let env = Env::from_pairs([("STAGING_KEY", "k")]);
        assert_eq!(open(&project, &env, Some("staging")).unwrap().erp.instance(), "staging");
        let err = open(&project, &env, Some("stagin")).unwrap_err();
        assert_eq!(err.hint().unwrap(), "did you mean `staging`?");
    }
}
