//! [`LocalErp`]: the contract on the embedded SQLite [`Store`], in process, for instances whose
//! `url` is `local` (and, in memory, for `agentb test`). Errors read exactly like the HTTP
//! client's: the same status, code, method and path.

use std::path::Path;
use std::sync::Arc;

use super::error::{Call, ErpError};
use super::store::Store;
use super::types::{ApiError, ListQuery, ORGANIZATIONS, Organization, Page, Record, Upserted, from_record};
use super::{Erp, ErpFuture};

/// The embedded ERP.
#[derive(Debug, Clone)]
pub struct LocalErp {
    instance: String,
    store: Arc<Store>,
}

impl LocalErp {
    /// Opens the store at `path` (creating it) for the instance named `instance`.
    pub fn open(instance: &str, path: &Path) -> Result<Self, ErpError> {
        Ok(Self { instance: instance.to_owned(), store: Arc::new(Store::open(path)?) })
    }

    /// Returns an empty in-memory instance (for tests: every call a fresh ERP).
    pub fn in_memory(instance: &str) -> Result<Self, ErpError> {
        Ok(Self { instance: instance.to_owned(), store: Arc::new(Store::in_memory()?) })
    }

    /// Returns an instance over an open store.
    pub fn with_store(instance: &str, store: Arc<Store>) -> Self {
        Self { instance: instance.to_owned(), store }
    }

    /// Returns the store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Adds an org (named `name`); returns whether it was new.
    pub fn add_org(&self, id: &str, name: &str) -> Result<bool, ErpError> {
        self.store.add_org(id, name).map_err(|e| self.error(e, "", "POST", "/api/v1/organizations".to_owned()))
    }

    fn error(&self, err: ApiError, org: &str, method: &str, path: String) -> ErpError {
        if err.status == 500 {
            return ErpError::Store { path: self.store.location(), message: err.message };
        }
        ErpError::Status {
            call: Call::boxed(&self.instance, org, method, path),
            status: err.status,
            code: err.code,
            message: err.message,
        }
    }

    /// Runs a store call off the async threads (when there are any) and maps its error.
    fn call<'a, T: Send + 'static>(
        &'a self,
        org: &'a str,
        method: &'static str,
        path: String,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> ErpFuture<'a, T> {
        let store = Arc::clone(&self.store);
        Box::pin(async move {
            let result = match tokio::runtime::Handle::try_current() {
                Ok(handle) => match handle.spawn_blocking(move || f(&store)).await {
                    Ok(result) => result,
                    Err(e) => Err(ApiError::store(format!("the store task failed: {e}"))),
                },
                Err(_) => f(&store),
            };
            result.map_err(|e| self.error(e, org, method, path))
        })
    }
}

fn path_of(collection: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("/api/v1/{collection}/{}", super::types::shown_id(id)),
        None => format!("/api/v1/{collection}"),
    }
}

impl Erp for LocalErp {
    fn instance(&self) -> &str {
        &self.instance
    }

    fn organizations(&self) -> ErpFuture<'_, Vec<Organization>> {
        self.call("", "GET", path_of(ORGANIZATIONS, None), |store| {
            let mut all = Vec::new();
            let mut query = ListQuery::new().limit(super::MAX_PAGE_SIZE);
            loop {
                let page = store.organizations(&query)?.parse()?;
                for record in &page.data {
                    all.push(from_record::<Organization>(record).map_err(ApiError::store)?);
                }
                match page.next_cursor {
                    Some(cursor) => query.cursor = Some(cursor),
                    None => return Ok(all),
                }
            }
        })
    }

    fn list<'a>(&'a self, org: &'a str, collection: &'a str, query: &'a ListQuery) -> ErpFuture<'a, Page> {
        let (o, c, q) = (org.to_owned(), collection.to_owned(), query.clone());
        self.call(org, "GET", path_of(collection, None), move |store| store.list(&o, &c, &q)?.parse())
    }

    fn get<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str) -> ErpFuture<'a, Record> {
        let (o, c, i) = (org.to_owned(), collection.to_owned(), id.to_owned());
        self.call(org, "GET", path_of(collection, Some(id)), move |store| {
            let raw = store.get(&o, &c, &i)?;
            serde_json::from_str(&raw).map_err(|e| ApiError::store(e.to_string()))
        })
    }

    fn create<'a>(&'a self, org: &'a str, collection: &'a str, record: Record) -> ErpFuture<'a, Record> {
        let (o, c) = (org.to_owned(), collection.to_owned());
        self.call(org, "POST", path_of(collection, None), move |store| store.create(&o, &c, record))
    }

    fn put<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        let (o, c, i) = (org.to_owned(), collection.to_owned(), id.to_owned());
        self.call(org, "PUT", path_of(collection, Some(id)), move |store| store.put(&o, &c, &i, record))
    }

    fn patch<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, patch: Record) -> ErpFuture<'a, Record> {
        let (o, c, i) = (org.to_owned(), collection.to_owned(), id.to_owned());
        self.call(org, "PATCH", path_of(collection, Some(id)), move |store| store.patch(&o, &c, &i, patch))
    }

    fn delete<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str) -> ErpFuture<'a, Record> {
        let (o, c, i) = (org.to_owned(), collection.to_owned(), id.to_owned());
        self.call(org, "DELETE", path_of(collection, Some(id)), move |store| store.delete(&o, &c, &i))
    }

    fn patch_if<'a>(
        &'a self,
        org: &'a str,
        collection: &'a str,
        id: &'a str,
        patch: Record,
        revision: u64,
    ) -> ErpFuture<'a, Record> {
        let (o, c, i) = (org.to_owned(), collection.to_owned(), id.to_owned());
        self.call(org, "PATCH", path_of(collection, Some(id)), move |store| {
            store.patch_if(&o, &c, &i, patch, Some(revision))
        })
    }

    fn delete_if<'a>(&'a self, org: &'a str, collection: &'a str, id: &'a str, revision: u64) -> ErpFuture<'a, Record> {
        let (o, c, i) = (org.to_owned(), collection.to_owned(), id.to_owned());
        self.call(org, "DELETE", path_of(collection, Some(id)), move |store| {
            store.delete_if(&o, &c, &i, Some(revision))
        })
    }

    fn upsert<'a>(&'a self, org: &'a str, collection: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        let (o, c) = (org.to_owned(), collection.to_owned());
        self.call(org, "PUT", path_of(collection, None), move |store| store.upsert(&o, &c, record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erp::ErpExt as _;
    use crate::erp::types::{AgentSkill, to_record};

    #[tokio::test]
    async fn errors_name_instance_org_method_and_path() {
        let erp = LocalErp::in_memory("local").unwrap();
        erp.add_org("acme", "Acme").unwrap();
        let err = erp.get("acme", "briefs", "b1").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "ERP instance `local` answered 404 to GET /api/v1/briefs/b1 for org `acme`: no `briefs` record `b1`"
        );
    }

    #[tokio::test]
    async fn typed_skills_round_trip() {
        let erp = LocalErp::in_memory("local").unwrap();
        erp.add_org("acme", "Acme").unwrap();
        let skill: AgentSkill =
            from_record(&to_record(&serde_json::json!({"slug": "brief-creator", "name": "Brief Creator", "version": "1.0.0", "contentHash": "h1"})))
                .unwrap();
        let stored = erp.upsert_skill("acme", &skill).await.unwrap();
        assert_eq!(stored.organization_id, "acme");
        assert!(!stored.id.is_empty());
        let read = erp.skill("acme", "brief-creator").await.unwrap().unwrap();
        assert_eq!(read.content_hash, "h1");
        assert!(erp.skill("acme", "nope").await.unwrap().is_none());
    }

    #[test]
    fn works_without_a_runtime() {
        let erp = LocalErp::in_memory("local").unwrap();
        erp.add_org("acme", "Acme").unwrap();
        let orgs = futures_util::FutureExt::now_or_never(erp.organizations()).unwrap().unwrap();
        assert_eq!(orgs[0].id, "acme");
    }
}
