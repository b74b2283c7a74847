//! The SQLite store behind the `local` instances and `agentb erp serve`: orgs and generic JSON
//! records per org and collection, with the contract's rules (isolation, natural keys, typed
//! validation, the size limit) enforced here, once, so both front ends answer alike.
//!
//! WAL mode; one writer connection behind a mutex and a small pool of readers; versioned
//! migrations through `PRAGMA user_version`. Every query is scoped by org.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, Transaction, TransactionBehavior};
use serde_json::Value;

use super::error::ErpError;
use super::types::{
    ApiError, DEFAULT_PAGE_SIZE, ListQuery, MANAGED_FIELDS, MAX_BODY_BYTES, MAX_PAGE_SIZE, ORGANIZATIONS, Page, Record,
    Upserted, check_id, check_integer_range, filter_text, is_collection_name, merge_patch, natural_key, validate,
};

/// The schema migrations; `PRAGMA user_version` holds how many have run.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE orgs (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE records (
        org TEXT NOT NULL REFERENCES orgs (id),
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        natural_key TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (org, collection, id)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX records_natural_key ON records (org, collection, natural_key)
        WHERE natural_key IS NOT NULL;
",
    "
    UPDATE records SET data = json_set(data, '$.revision', 1) WHERE json_type(data, '$.revision') IS NULL;
",
];

/// Readers kept open for reuse.
const MAX_IDLE_READERS: usize = 8;

/// The longest record id.
const MAX_ID_LEN: usize = 256;

/// A page of records as stored JSON text, so a server can send it without re-encoding.
#[derive(Debug, Clone, Default)]
pub struct RawPage {
    pub data: Vec<String>,
    pub next_cursor: Option<String>,
}

impl RawPage {
    /// Returns the page as the contract's JSON body: `{"data":[…],"nextCursor":…}`.
    pub fn to_json(&self) -> String {
        let size = self.data.iter().map(|d| d.len() + 1).sum::<usize>() + 64;
        let mut out = String::with_capacity(size);
        out.push_str("{\"data\":[");
        for (i, record) in self.data.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(record);
        }
        out.push_str("],\"nextCursor\":");
        match &self.next_cursor {
            Some(cursor) => out.push_str(&Value::String(cursor.clone()).to_string()),
            None => out.push_str("null"),
        }
        out.push('}');
        out
    }

    /// Returns the page with its records parsed.
    pub fn parse(self) -> Result<Page, ApiError> {
        let data = self.data.iter().map(|d| parse_record(d)).collect::<Result<_, _>>()?;
        Ok(Page { data, next_cursor: self.next_cursor })
    }
}

/// The store: a SQLite database file, or an in-memory database for tests.
pub struct Store {
    /// The database file; `None` in memory.
    path: Option<PathBuf>,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Set for a test case's store: timestamps and new ids that replay byte for byte.
    fixed: Option<Fixed>,
}

/// The clock and id source of a store made for one test case: every write is stamped with one
/// instant, and new record ids come from a seed and a counter.
#[derive(Debug)]
struct Fixed {
    at: String,
    seed: u64,
    next: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("location", &self.location()).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating it and its folder when missing) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self, ErpError> {
        let fail = |message: String| ErpError::Store { path: path.display().to_string(), message };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| fail(format!("cannot create its folder: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(e.to_string()))?;
        configure(&conn, true).map_err(|e| fail(e.to_string()))?;
        let store = Self {
            path: Some(path.to_path_buf()),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            fixed: None,
        };
        store.migrate().map_err(|e| fail(e.message))?;
        Ok(store)
    }

    /// Returns an empty in-memory store (each call a new, private database).
    pub fn in_memory() -> Result<Self, ErpError> {
        let fail = |message: String| ErpError::Store { path: ":memory:".to_owned(), message };
        let conn = Connection::open_in_memory().map_err(|e| fail(e.to_string()))?;
        configure(&conn, false).map_err(|e| fail(e.to_string()))?;
        let store = Self { path: None, writer: Mutex::new(conn), readers: Mutex::new(Vec::new()), fixed: None };
        store.migrate().map_err(|e| fail(e.message))?;
        Ok(store)
    }

    /// Returns an empty in-memory store whose writes are all stamped `at` and whose new record
    /// ids derive from `seed` (`00000000-0000-4000-8000-<seed><n>`), so that a test case that
    /// runs twice sees the same records byte for byte.
    pub fn in_memory_fixed(at: jiff::Timestamp, seed: u64) -> Result<Self, ErpError> {
        let mut store = Self::in_memory()?;
        store.fixed = Some(Fixed { at: at.to_string(), seed, next: std::sync::atomic::AtomicU64::new(1) });
        Ok(store)
    }

    /// Returns the time a write is stamped with.
    fn now(&self) -> String {
        match &self.fixed {
            Some(f) => f.at.clone(),
            None => jiff::Timestamp::now().to_string(),
        }
    }

    /// Returns the id of a record created without one: a UUID v7, or the fixed store's next id.
    fn new_id(&self) -> String {
        match &self.fixed {
            Some(f) => {
                let n = f.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                format!("{:08x}-{:04x}-4000-8000-{n:012x}", f.seed >> 32, (f.seed >> 16) & 0xffff)
            }
            None => uuid::Uuid::now_v7().to_string(),
        }
    }

    /// Returns where the store lives, for messages.
    pub fn location(&self) -> String {
        self.path.as_ref().map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string())
    }

    /// Returns the schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<u32, ApiError> {
        let conn = lock(&self.writer);
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(sql)
    }

    fn migrate(&self) -> Result<(), ApiError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(sql)?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(ApiError::store(format!(
                "the database has schema version {version}, newer than this agentb knows ({}); upgrade agentb",
                MIGRATIONS.len()
            )));
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(migration).map_err(sql)?;
            tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX)).map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let Some(path) = &self.path else {
            return f(&lock(&self.writer));
        };
        let pooled = lock(&self.readers).pop();
        let conn = if let Some(conn) = pooled {
            conn
        } else {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
            configure(&conn, false).map_err(sql)?;
            conn
        };
        let result = f(&conn);
        let mut pool = lock(&self.readers);
        if pool.len() < MAX_IDLE_READERS {
            pool.push(conn);
        }
        result
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let out = f(&tx)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Adds an org; returns whether it was new (an existing org keeps its name).
    pub fn add_org(&self, id: &str, name: &str) -> Result<bool, ApiError> {
        if !is_org_id(id) {
            return Err(ApiError::bad_request(
                "invalid_org",
                format!("`{id}` is not a valid org id (1-64 letters, digits, `.`, `_` and `-`)"),
            ));
        }
        let now = self.now();
        self.write(|tx| {
            let n = tx
                .prepare_cached("INSERT OR IGNORE INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3)")
                .and_then(|mut s| s.execute((id, name, &now)))
                .map_err(sql)?;
            Ok(n == 1)
        })
    }

    /// Returns one page of the orgs, as records `{id, name, organizationId, createdAt}`.
    pub fn organizations(&self, query: &ListQuery) -> Result<RawPage, ApiError> {
        if let Some((field, _)) = query.filters.first() {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("`organizations` cannot be filtered by `{field}`"),
            ));
        }
        let after = decode_cursor(query.cursor.as_deref())?;
        let limit = page_size(query.limit)?;
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT id, name, created_at FROM orgs WHERE id > ?1 ORDER BY id LIMIT ?2")
                .map_err(sql)?;
            let rows = stmt
                .query_map((&after, i64::from(limit) + 1), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
                })
                .map_err(sql)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(sql)?;
            let rows: Vec<(String, String)> = rows
                .into_iter()
                .map(|(id, name, created)| {
                    let record =
                        serde_json::json!({"id": id, "name": name, "organizationId": id, "createdAt": created});
                    (id, record.to_string())
                })
                .collect();
            Ok(page_of(rows, limit))
        })
    }

    /// Returns whether the org exists.
    pub fn has_org(&self, org: &str) -> Result<bool, ApiError> {
        self.read(|conn| org_exists(conn, org))
    }

    /// Returns one page of a collection of an org, ordered by id.
    pub fn list(&self, org: &str, collection: &str, query: &ListQuery) -> Result<RawPage, ApiError> {
        if collection == ORGANIZATIONS {
            return self.organizations(query);
        }
        check_collection(collection)?;
        let after = decode_cursor(query.cursor.as_deref())?;
        let limit = page_size(query.limit)?;
        let mut sql_text = String::from("SELECT id, data FROM records WHERE org = ?1 AND collection = ?2 AND id > ?3");
        let mut params: Vec<SqlValue> =
            vec![SqlValue::Text(org.to_owned()), SqlValue::Text(collection.to_owned()), SqlValue::Text(after)];
        for (field, value) in &query.filters {
            let text = filter_text(value);
            if field == "organizationId" {
                if text == org {
                    continue;
                }
                return Err(ApiError::org_mismatch(org, &text));
            }
            let n = params.len();
            let _ = write!(sql_text, " AND data -> ?{} IN (?{}, ?{})", n + 1, n + 2, n + 3);
            params.push(SqlValue::Text(format!("$.\"{field}\"")));
            params.push(SqlValue::Text(Value::String(text.clone()).to_string()));
            // A filter `true` or `42` also matches the JSON boolean or number.
            let scalar = serde_json::from_str::<Value>(&text)
                .ok()
                .filter(|v| !v.is_string() && !v.is_object() && !v.is_array())
                .map_or_else(|| Value::String(text.clone()).to_string(), |v| v.to_string());
            params.push(SqlValue::Text(scalar));
        }
        if let Some(prefix) = &query.path_prefix {
            let n = params.len();
            let _ = write!(sql_text, " AND substr(data ->> '$.path', 1, ?{}) = ?{}", n + 1, n + 2);
            params.push(SqlValue::Integer(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX)));
            params.push(SqlValue::Text(prefix.clone()));
        }
        let _ = write!(sql_text, " ORDER BY id LIMIT ?{}", params.len() + 1);
        params.push(SqlValue::Integer(i64::from(limit) + 1));
        self.read(|conn| {
            require_org(conn, org)?;
            let mut stmt = conn.prepare_cached(&sql_text).map_err(sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params.iter()), |row| Ok((row.get(0)?, row.get(1)?)))
                .map_err(sql)?
                .collect::<Result<Vec<(String, String)>, _>>()
                .map_err(sql)?;
            Ok(page_of(rows, limit))
        })
    }

    /// Returns one record as stored JSON text.
    pub fn get(&self, org: &str, collection: &str, id: &str) -> Result<String, ApiError> {
        check_record_collection(collection, "get")?;
        check_id(id)?;
        self.read(|conn| {
            require_org(conn, org)?;
            load(conn, org, collection, id)?.ok_or_else(|| ApiError::not_found(collection, id))
        })
    }

    /// Creates a record; its id is the body's `id` when given, else a new UUID v7.
    pub fn create(&self, org: &str, collection: &str, body: Record) -> Result<Record, ApiError> {
        check_record_collection(collection, "create")?;
        check_body_org(org, &body)?;
        check_integer_range(&body)?;
        let id = match body.get("id") {
            None | Some(Value::Null) => self.new_id(),
            Some(value) => record_id(value)?,
        };
        self.write(|tx| {
            require_org(tx, org)?;
            if load(tx, org, collection, &id)?.is_some() {
                return Err(ApiError::conflict(format!("a `{collection}` record `{id}` already exists")));
            }
            let record = build(org, collection, &id, body, &self.now(), None)?;
            save(tx, org, collection, &id, &record, false)?;
            Ok(record)
        })
    }

    /// Creates or replaces the record with this id.
    pub fn put(&self, org: &str, collection: &str, id: &str, body: Record) -> Result<Upserted, ApiError> {
        check_record_collection(collection, "replace")?;
        check_id(id)?;
        check_body_org(org, &body)?;
        check_integer_range(&body)?;
        check_body_id(id, &body)?;
        record_id(&Value::String(id.to_owned()))?;
        self.write(|tx| {
            require_org(tx, org)?;
            let existing = load(tx, org, collection, id)?.map(|raw| parse_record(&raw)).transpose()?;
            let created = existing.is_none();
            let record = build(org, collection, id, body, &self.now(), existing.as_ref())?;
            save(tx, org, collection, id, &record, !created)?;
            Ok(Upserted { record, created })
        })
    }

    /// Applies a JSON merge patch to a record.
    pub fn patch(&self, org: &str, collection: &str, id: &str, patch: Record) -> Result<Record, ApiError> {
        self.patch_if(org, collection, id, patch, None)
    }

    /// Applies a JSON merge patch to a record whose `revision` is `if_match` (when given): the
    /// compare-and-set of `If-Match`, a 412 when the record changed since.
    pub fn patch_if(
        &self,
        org: &str,
        collection: &str,
        id: &str,
        patch: Record,
        if_match: Option<u64>,
    ) -> Result<Record, ApiError> {
        check_record_collection(collection, "patch")?;
        check_id(id)?;
        check_body_org(org, &patch)?;
        check_integer_range(&patch)?;
        check_body_id(id, &patch)?;
        self.write(|tx| {
            require_org(tx, org)?;
            let raw = load(tx, org, collection, id)?.ok_or_else(|| ApiError::not_found(collection, id))?;
            let existing = parse_record(&raw)?;
            check_revision(collection, id, &existing, if_match)?;
            let mut merged = existing.clone();
            let patch: Record = patch.into_iter().filter(|(k, _)| !MANAGED_FIELDS.contains(&k.as_str())).collect();
            merge_patch(&mut merged, &patch);
            let record = build(org, collection, id, merged, &self.now(), Some(&existing))?;
            save(tx, org, collection, id, &record, true)?;
            Ok(record)
        })
    }

    /// Deletes a record; returns it as it was.
    pub fn delete(&self, org: &str, collection: &str, id: &str) -> Result<Record, ApiError> {
        self.delete_if(org, collection, id, None)
    }

    /// Deletes a record whose `revision` is `if_match` (when given; a 412 otherwise).
    pub fn delete_if(&self, org: &str, collection: &str, id: &str, if_match: Option<u64>) -> Result<Record, ApiError> {
        check_record_collection(collection, "delete")?;
        check_id(id)?;
        self.write(|tx| {
            require_org(tx, org)?;
            let raw = load(tx, org, collection, id)?.ok_or_else(|| ApiError::not_found(collection, id))?;
            if if_match.is_some() {
                check_revision(collection, id, &parse_record(&raw)?, if_match)?;
            }
            tx.prepare_cached("DELETE FROM records WHERE org = ?1 AND collection = ?2 AND id = ?3")
                .and_then(|mut s| s.execute((org, collection, id)))
                .map_err(sql)?;
            parse_record(&raw)
        })
    }

    /// Creates or replaces the record whose natural key (`slug`, `path`) equals the body's.
    pub fn upsert(&self, org: &str, collection: &str, body: Record) -> Result<Upserted, ApiError> {
        check_record_collection(collection, "upsert")?;
        let Some(key_field) = natural_key(collection) else {
            return Err(ApiError::method_not_allowed(format!(
                "`{collection}` has no natural key to upsert by; use `PUT /api/v1/{collection}/{{id}}`"
            )));
        };
        check_body_org(org, &body)?;
        check_integer_range(&body)?;
        let Some(Value::String(key)) = body.get(key_field).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) else {
            return Err(ApiError::invalid(collection, &format!("missing field `{key_field}`")));
        };
        let key = key.clone();
        self.write(|tx| {
            require_org(tx, org)?;
            let existing_id: Option<String> = tx
                .prepare_cached("SELECT id FROM records WHERE org = ?1 AND collection = ?2 AND natural_key = ?3")
                .and_then(|mut s| s.query_row((org, collection, &key), |row| row.get(0)).optional())
                .map_err(sql)?;
            let (id, existing) = match existing_id {
                Some(id) => {
                    let raw = load(tx, org, collection, &id)?.ok_or_else(|| ApiError::not_found(collection, &id))?;
                    (id, Some(parse_record(&raw)?))
                }
                None => match body.get("id") {
                    None | Some(Value::Null) => (self.new_id(), None),
                    Some(value) => {
                        let id = record_id(value)?;
                        if load(tx, org, collection, &id)?.is_some() {
                            return Err(ApiError::conflict(format!(
                                "a `{collection}` record `{id}` already exists with another `{key_field}`"
                            )));
                        }
                        (id, None)
                    }
                },
            };
            check_body_id(&id, &body)?;
            let created = existing.is_none();
            let record = build(org, collection, &id, body, &self.now(), existing.as_ref())?;
            save(tx, org, collection, &id, &record, !created)?;
            Ok(Upserted { record, created })
        })
    }
}

/// Sets the pragmas of a connection.
fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    if writer {
        let _: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[allow(clippy::needless_pass_by_value)]
fn sql(err: rusqlite::Error) -> ApiError {
    ApiError::store(format!("database error: {err}"))
}

fn parse_record(raw: &str) -> Result<Record, ApiError> {
    serde_json::from_str(raw).map_err(|e| ApiError::store(format!("a stored record is not a JSON object: {e}")))
}

/// Returns whether `id` is a valid org id: 1-64 ASCII letters, digits, `.`, `_` and `-`.
pub fn is_org_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn check_collection(collection: &str) -> Result<(), ApiError> {
    if is_collection_name(collection) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_collection",
            format!("`{collection}` is not a collection name (plural kebab-case, like `form-templates`)"),
        ))
    }
}

fn check_record_collection(collection: &str, action: &str) -> Result<(), ApiError> {
    if collection == ORGANIZATIONS {
        return Err(ApiError::method_not_allowed(format!("`organizations` is list only; it cannot {action} a record")));
    }
    check_collection(collection)
}

/// A body that names an org must name the one the request acts for (403 otherwise).
pub(crate) fn check_body_org(org: &str, body: &Record) -> Result<(), ApiError> {
    match body.get("organizationId") {
        None => Ok(()),
        Some(Value::String(named)) if named == org => Ok(()),
        Some(Value::String(named)) => Err(ApiError::org_mismatch(org, named)),
        Some(other) => Err(ApiError::org_mismatch(org, &other.to_string())),
    }
}

/// A body that repeats the id must repeat the path's.
fn check_body_id(id: &str, body: &Record) -> Result<(), ApiError> {
    match body.get("id") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(given)) if given == id => Ok(()),
        Some(other) => Err(ApiError::bad_request(
            "id_mismatch",
            format!("the body's `id` {other} differs from the record's `{id}`; ids cannot change"),
        )),
    }
}

fn record_id(value: &Value) -> Result<String, ApiError> {
    if let Value::String(id) = value {
        check_id(id)?;
    }
    match value {
        Value::String(id) if !id.is_empty() && id.len() <= MAX_ID_LEN && !id.chars().any(char::is_control) => {
            Ok(id.clone())
        }
        _ => Err(ApiError::bad_request(
            "invalid_id",
            format!("`id` must be a string of 1 to {MAX_ID_LEN} printable characters, not {value}"),
        )),
    }
}

fn page_size(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(
            "invalid_query",
            format!("`limit` must be an integer from 1 to {MAX_PAGE_SIZE}, not `{n}`"),
        )),
    }
}

fn decode_cursor(cursor: Option<&str>) -> Result<String, ApiError> {
    let Some(cursor) = cursor else { return Ok(String::new()) };
    hex::decode(cursor).ok().and_then(|bytes| String::from_utf8(bytes).ok()).ok_or_else(|| {
        ApiError::bad_request("invalid_cursor", "`cursor` is not a cursor this instance returned".to_owned())
    })
}

/// Returns a page from up to `limit + 1` rows of (id, JSON).
fn page_of(mut rows: Vec<(String, String)>, limit: u32) -> RawPage {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|(id, _)| hex::encode(id)) } else { None };
    RawPage { data: rows.into_iter().map(|(_, data)| data).collect(), next_cursor }
}

fn org_exists(conn: &Connection, org: &str) -> Result<bool, ApiError> {
    conn.prepare_cached("SELECT 1 FROM orgs WHERE id = ?1").and_then(|mut s| s.exists([org])).map_err(sql)
}

fn require_org(conn: &Connection, org: &str) -> Result<(), ApiError> {
    if org_exists(conn, org)? { Ok(()) } else { Err(ApiError::org_not_found(org)) }
}

fn load(conn: &Connection, org: &str, collection: &str, id: &str) -> Result<Option<String>, ApiError> {
    conn.prepare_cached("SELECT data FROM records WHERE org = ?1 AND collection = ?2 AND id = ?3")
        .and_then(|mut s| s.query_row((org, collection, id), |row| row.get(0)).optional())
        .map_err(sql)
}

/// Returns the record to store: the managed fields first (`id`, `organizationId`), the body's
/// fields, then `createdAt` (kept from `existing`) and `updatedAt`; validated for its collection.
fn build(
    org: &str,
    collection: &str,
    id: &str,
    body: Record,
    now: &str,
    existing: Option<&Record>,
) -> Result<Record, ApiError> {
    let mut record = Record::new();
    record.insert("id".to_owned(), Value::String(id.to_owned()));
    record.insert("organizationId".to_owned(), Value::String(org.to_owned()));
    for (key, value) in body {
        if !MANAGED_FIELDS.contains(&key.as_str()) {
            record.insert(key, value);
        }
    }
    let created = existing.and_then(|e| e.get("createdAt").cloned()).unwrap_or_else(|| Value::String(now.to_owned()));
    record.insert("createdAt".to_owned(), created);
    record.insert("updatedAt".to_owned(), Value::String(now.to_owned()));
    let revision = existing.map_or(0, revision_of) + 1;
    record.insert("revision".to_owned(), Value::from(revision));
    validate(collection, &record).map_err(|problem| ApiError::invalid(collection, &problem))?;
    Ok(record)
}

/// Returns a stored record's `revision` (0 for one written before revisions existed).
pub fn revision_of(record: &Record) -> u64 {
    record.get("revision").and_then(Value::as_u64).unwrap_or(0)
}

/// The compare-and-set of `If-Match`: a 412 when the record is not at the expected revision.
fn check_revision(collection: &str, id: &str, record: &Record, if_match: Option<u64>) -> Result<(), ApiError> {
    match if_match {
        Some(expected) if revision_of(record) != expected => {
            Err(ApiError::precondition_failed(collection, id, expected, revision_of(record)))
        }
        _ => Ok(()),
    }
}

/// Writes a record, checking its size and that its natural key is free.
fn save(
    tx: &Transaction<'_>,
    org: &str,
    collection: &str,
    id: &str,
    record: &Record,
    replace: bool,
) -> Result<(), ApiError> {
    let data = serde_json::to_string(record).map_err(|e| ApiError::store(e.to_string()))?;
    if data.len() > MAX_BODY_BYTES {
        return Err(ApiError::record_too_large(data.len()));
    }
    let key = natural_key(collection).and_then(|field| record.get(field)).and_then(Value::as_str);
    if let (Some(key), Some(field)) = (key, natural_key(collection)) {
        let holder: Option<String> = tx
            .prepare_cached("SELECT id FROM records WHERE org = ?1 AND collection = ?2 AND natural_key = ?3")
            .and_then(|mut s| s.query_row((org, collection, key), |row| row.get(0)).optional())
            .map_err(sql)?;
        if let Some(holder) = holder.filter(|h| h != id) {
            return Err(ApiError::conflict(format!(
                "the `{collection}` record `{holder}` already has {field} `{key}`"
            )));
        }
    }
    let statement = if replace {
        "UPDATE records SET natural_key = ?4, data = ?5 WHERE org = ?1 AND collection = ?2 AND id = ?3"
    } else {
        "INSERT INTO records (org, collection, id, natural_key, data) VALUES (?1, ?2, ?3, ?4, ?5)"
    };
    tx.prepare_cached(statement).and_then(|mut s| s.execute((org, collection, id, key, &data))).map_err(sql)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(value: Value) -> Record {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn a_fixed_store_stamps_one_instant_and_numbers_its_ids() {
        let run = || {
            let store = Store::in_memory_fixed("2026-01-01T00:00:00Z".parse().unwrap(), 0xabcd_ef01_2345_6789).unwrap();
            store.add_org("acme", "Acme").unwrap();
            let a = store.create("acme", "briefs", obj(json!({"title": "a"}))).unwrap();
            let b = store.create("acme", "briefs", obj(json!({"title": "b"}))).unwrap();
            (a, b)
        };
        let (a, b) = run();
        assert_eq!(a["id"], "abcdef01-2345-4000-8000-000000000001");
        assert_eq!(b["id"], "abcdef01-2345-4000-8000-000000000002");
        assert_eq!(a["createdAt"], "2026-01-01T00:00:00Z");
        assert_eq!(b["updatedAt"], "2026-01-01T00:00:00Z");
        assert_eq!(run(), (a, b), "the same case twice gives the same records");
    }

    fn store_with_orgs() -> Store {
        let store = Store::in_memory().unwrap();
        assert!(store.add_org("acme", "Acme").unwrap());
        assert!(!store.add_org("acme", "Other").unwrap());
        store.add_org("beta", "Beta").unwrap();
        store
    }

    #[test]
    fn migrations_are_versioned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/erp.sqlite");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        store.add_org("acme", "Acme").unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert!(store.has_org("acme").unwrap());
        let mode: String = lock(&store.writer).pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        lock(&store.writer).pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains("schema version 99"), "{err}");
    }

    #[test]
    fn records_are_scoped_by_org() {
        let store = store_with_orgs();
        let record = store.create("acme", "briefs", obj(json!({"title": "t"}))).unwrap();
        let id = record["id"].as_str().unwrap();
        assert_eq!(record["organizationId"], "acme");
        assert_eq!(store.get("beta", "briefs", id).unwrap_err().status, 404);
        assert_eq!(store.patch("beta", "briefs", id, Record::new()).unwrap_err().status, 404);
        assert_eq!(store.delete("beta", "briefs", id).unwrap_err().status, 404);
        assert!(store.list("beta", "briefs", &ListQuery::new()).unwrap().data.is_empty());
        let q = ListQuery::new().filter("organizationId", "acme");
        assert_eq!(store.list("beta", "briefs", &q).unwrap_err().status, 403);
        let err = store.create("beta", "briefs", obj(json!({"organizationId": "acme"}))).unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (403, "org_mismatch"));
        assert_eq!(store.get("zeta", "briefs", id).unwrap_err().code, "org_not_found");
    }

    #[test]
    fn upsert_matches_on_the_natural_key() {
        let store = store_with_orgs();
        let first = store.upsert("acme", "agent-skills", obj(json!({"slug": "a", "name": "A"}))).unwrap();
        assert!(first.created);
        let second =
            store.upsert("acme", "agent-skills", obj(json!({"slug": "a", "name": "A2", "version": "2.0.0"}))).unwrap();
        assert!(!second.created);
        assert_eq!(first.record["id"], second.record["id"]);
        assert_eq!(first.record["createdAt"], second.record["createdAt"]);
        assert_eq!(second.record["name"], "A2");
        let other = store.upsert("beta", "agent-skills", obj(json!({"slug": "a", "name": "B"}))).unwrap();
        assert!(other.created);
        let err = store.create("acme", "agent-skills", obj(json!({"slug": "a", "name": "dup"}))).unwrap_err();
        assert_eq!(err.status, 409);
        assert_eq!(store.upsert("acme", "briefs", Record::new()).unwrap_err().status, 405);
    }

    #[test]
    fn filters_match_strings_and_scalars() {
        let store = store_with_orgs();
        store.create("acme", "briefs", obj(json!({"id": "b1", "done": true, "n": 2, "tag": "x"}))).unwrap();
        store.create("acme", "briefs", obj(json!({"id": "b2", "done": false, "n": 3, "tag": "true"}))).unwrap();
        let ids = |q: ListQuery| -> Vec<String> {
            store
                .list("acme", "briefs", &q)
                .unwrap()
                .parse()
                .unwrap()
                .data
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(ListQuery::new().filter("tag", "x")), ["b1"]);
        assert_eq!(ids(ListQuery::new().filter("n", "3")), ["b2"]);
        assert_eq!(ids(ListQuery::new().filter("n", 2)), ["b1"]);
        assert_eq!(ids(ListQuery::new().filter("done", "true")), ["b1"]);
        assert_eq!(ids(ListQuery::new().filter("tag", "true")), ["b2"]);
        assert!(ids(ListQuery::new().filter("missing", "x")).is_empty());
        assert_eq!(ids(ListQuery::new().filter("done", false)), ["b2"]);
    }

    #[test]
    fn pages_follow_the_cursor() {
        let store = store_with_orgs();
        for i in 0..7 {
            store.create("acme", "deals", obj(json!({"id": format!("d{i}")}))).unwrap();
        }
        let mut cursor = None;
        let mut seen = Vec::new();
        loop {
            let page = store.list("acme", "deals", &ListQuery::new().limit(3).cursor(cursor)).unwrap();
            seen.extend(page.data);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen.len(), 7);
        let bad = ListQuery::new().cursor(Some("zz".into()));
        assert_eq!(store.list("acme", "deals", &bad).unwrap_err().code, "invalid_cursor");
    }

    #[test]
    fn revisions_count_writes_and_if_match_is_a_compare_and_set() {
        let store = store_with_orgs();
        let created = store
            .create(
                "acme",
                "agent-proposals",
                obj(json!({"id": "p1", "sessionId": "s", "toolUseId": "t",
            "tool": "x", "status": "PENDING", "inputHash": "h"})),
            )
            .unwrap();
        assert_eq!(created["revision"], 1);
        let patched =
            store.patch_if("acme", "agent-proposals", "p1", obj(json!({"status": "EXECUTING"})), Some(1)).unwrap();
        assert_eq!(patched["revision"], 2);
        // A second writer that read revision 1 loses: 412, and nothing changes.
        let err =
            store.patch_if("acme", "agent-proposals", "p1", obj(json!({"status": "FAILED"})), Some(1)).unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (412, "precondition_failed"));
        assert!(err.message.contains("revision 2, not 1"), "{}", err.message);
        let raw: Record = serde_json::from_str(&store.get("acme", "agent-proposals", "p1").unwrap()).unwrap();
        assert_eq!((raw["status"].clone(), raw["revision"].clone()), (json!("EXECUTING"), json!(2)));
        // The body cannot set the revision; without `If-Match` a write is unconditional.
        let p = store.patch("acme", "agent-proposals", "p1", obj(json!({"revision": 99}))).unwrap();
        assert_eq!(p["revision"], 3);
        assert_eq!(store.delete_if("acme", "agent-proposals", "p1", Some(2)).unwrap_err().status, 412);
        assert_eq!(store.delete_if("acme", "agent-proposals", "p1", Some(3)).unwrap()["revision"], 3);
        // The typed collections check their required fields.
        let err = store.create("acme", "agent-session-turns", obj(json!({"sessionId": "s"}))).unwrap_err();
        assert_eq!(err.status, 422);
        let up = store.upsert("acme", "agent-skills", obj(json!({"slug": "a", "name": "A"}))).unwrap();
        assert_eq!(up.record["revision"], 1);
        let up = store.upsert("acme", "agent-skills", obj(json!({"slug": "a", "name": "B"}))).unwrap();
        assert_eq!(up.record["revision"], 2);
    }

    #[test]
    fn records_written_before_revisions_get_revision_1() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("erp.sqlite");
        let store = Store::open(&path).unwrap();
        store.add_org("acme", "Acme").unwrap();
        {
            let conn = lock(&store.writer);
            conn.execute(
                "INSERT INTO records (org, collection, id, natural_key, data) VALUES ('acme', 'briefs', 'b1', NULL, '{\"id\":\"b1\"}')",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        drop(store);
        let store = Store::open(&path).unwrap();
        let raw: Record = serde_json::from_str(&store.get("acme", "briefs", "b1").unwrap()).unwrap();
        assert_eq!(raw["revision"], 1);
    }

    #[test]
    fn oversized_records_are_refused() {
        let store = store_with_orgs();
        let big = "x".repeat(MAX_BODY_BYTES);
        let err = store.create("acme", "briefs", obj(json!({"text": big}))).unwrap_err();
        assert_eq!(err.status, 413);
    }

    #[test]
    fn raw_pages_encode_the_contract() {
        let page = RawPage { data: vec!["{\"id\":\"a\"}".into()], next_cursor: Some("61".into()) };
        let value: Value = serde_json::from_str(&page.to_json()).unwrap();
        assert_eq!(value, json!({"data": [{"id": "a"}], "nextCursor": "61"}));
        assert_eq!(RawPage::default().to_json(), "{\"data\":[],\"nextCursor\":null}");
    }
}
