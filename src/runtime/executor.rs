//! Tool executors: one tool call becomes one ERP call (or two, for writes that must remember
//! what they change) on the org's collection. The org comes from the runtime, never from the
//! model: any org field in the input was refused by the guard, and the run's org is the only
//! one passed here. Every write returns its [`Compensation`].

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::compile::artifact::ArtifactTool;
use crate::erp::{Erp, ErpError, ListQuery, Record};

/// How to reverse an executed write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Compensation {
    /// Undo a create: delete the record.
    Delete { collection: String, id: String },
    /// Undo an update: patch back the values read before it (`null` removes added fields).
    Patch { collection: String, id: String, patch: Record },
    /// Undo a delete: create the record again from its snapshot.
    Create { collection: String, record: Record },
}

impl Compensation {
    /// Returns a one-line description, e.g. `delete briefs/b1`.
    pub fn describe(&self) -> String {
        match self {
            Compensation::Delete { collection, id } => format!("delete {collection}/{id}"),
            Compensation::Patch { collection, id, .. } => format!("patch back {collection}/{id}"),
            Compensation::Create { collection, record } => {
                format!("re-create {collection}/{}", record.get("id").and_then(Value::as_str).unwrap_or("?"))
            }
        }
    }
}

/// The outcome of one executed tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    /// What the model gets back (a record, or a page of records).
    pub result: Value,
    pub compensation: Option<Compensation>,
}

/// Why a call failed.
#[derive(Debug, Clone)]
pub enum ToolError {
    /// The call was wrong (bad input, a missing record, a conflict): the model is told and can
    /// adapt.
    Input(String),
    /// The ERP failed (unreachable, 5xx): the run fails.
    Erp(ErpError),
}

impl ToolError {
    /// Returns the message for the model or the user.
    pub fn message(&self) -> String {
        match self {
            ToolError::Input(m) => m.clone(),
            ToolError::Erp(e) => e.to_string(),
        }
    }
}

fn classify(e: ErpError) -> ToolError {
    match e.status() {
        Some(status) if (400..500).contains(&status) => ToolError::Input(e.to_string()),
        _ => ToolError::Erp(e),
    }
}

fn string_field<'a>(input: &'a Value, key: &str) -> Result<&'a str, ToolError> {
    input
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ToolError::Input(format!("the input needs a non-empty string `{key}`")))
}

fn data_field(input: &Value) -> Result<Record, ToolError> {
    match input.get("data") {
        Some(Value::Object(map)) if !map.is_empty() => {
            let mut map = map.clone();
            // The runtime sets the org; the guard refused any other one, so drop the run's own.
            for key in crate::erp::MANAGED_FIELDS.iter().filter(|k| **k != "id") {
                map.remove(*key);
            }
            Ok(map)
        }
        _ => Err(ToolError::Input("the input needs a non-empty object `data`".to_owned())),
    }
}

/// Returns the id a create uses when the model gives none: derived from the session and the
/// tool_use_id, so a create repeated after a crash conflicts instead of creating twice.
pub fn idempotent_id(session_id: &str, tool_use_id: &str) -> String {
    let digest = Sha256::digest(format!("{session_id}:{tool_use_id}").as_bytes());
    format!("ab-{}", &hex::encode(digest)[..16])
}

/// Returns whether a tool's writes need the record read before them (for the compensation).
pub fn needs_snapshot(tool: &ArtifactTool) -> bool {
    matches!(tool.action.as_str(), "update" | "execute" | "delete")
}

/// Returns the record an update, execute or delete is about to change, read before it runs.
/// Saved before the write, it lets a write repeated after a crash still record the compensation
/// of the state before the first attempt.
pub async fn snapshot(
    erp: &dyn Erp,
    org: &str,
    tool: &ArtifactTool,
    input: &Value,
) -> Result<Option<Record>, ToolError> {
    if !needs_snapshot(tool) {
        return Ok(None);
    }
    let key = if tool.resource == "knowledge" { "path" } else { "id" };
    let id = string_field(input, key)?;
    Ok(Some(erp.get(org, &tool.collection, id).await.map_err(classify)?))
}

/// Executes one tool call against `org`'s collection. `before` is the [`snapshot`] taken before
/// an earlier attempt of the same call, if one was.
pub async fn execute(
    erp: &dyn Erp,
    org: &str,
    tool: &ArtifactTool,
    input: &Value,
    idempotency_id: &str,
    before: Option<Record>,
) -> Result<Executed, ToolError> {
    let collection = tool.collection.as_str();
    let key = if tool.resource == "knowledge" { "path" } else { "id" };
    match tool.action.as_str() {
        "read" if tool.name.starts_with("erp_get_") => {
            let id = string_field(input, key)?;
            let record = if key == "path" {
                let query = ListQuery::new().limit(1).filter("path", id);
                erp.list(org, collection, &query).await.map_err(classify)?.data.into_iter().next().ok_or_else(|| {
                    ToolError::Input(format!("no `{collection}` document at path `{id}` in this organization"))
                })?
            } else {
                erp.get(org, collection, id).await.map_err(classify)?
            };
            Ok(Executed { result: for_model(record), compensation: None })
        }
        "read" => {
            let mut query = ListQuery::new()
                .limit(input.get("limit").and_then(Value::as_u64).map_or(20, |l| l.clamp(1, 100)) as u32);
            query.cursor = input.get("cursor").and_then(Value::as_str).map(str::to_owned);
            if let Some(prefix) = input.get("path_prefix").and_then(Value::as_str) {
                query = query.path_prefix(prefix);
            }
            if let Some(Value::Object(filters)) = input.get("filter") {
                for (field, value) in filters {
                    query = query.filter(field.clone(), value.clone());
                }
            }
            let page = erp.list(org, collection, &query).await.map_err(classify)?;
            let data: Vec<Value> = page.data.into_iter().map(for_model).collect();
            Ok(Executed { result: json!({"data": data, "nextCursor": page.next_cursor}), compensation: None })
        }
        "create" => {
            let mut data = data_field(input)?;
            if !data.contains_key("id") {
                data.insert("id".to_owned(), Value::String(idempotency_id.to_owned()));
            }
            let id = data.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let record = match erp.create(org, collection, data).await {
                Ok(record) => record,
                // Created before a crash: the same call already happened.
                Err(e) if e.is_conflict() && id == idempotency_id => {
                    erp.get(org, collection, &id).await.map_err(classify)?
                }
                Err(e) => return Err(classify(e)),
            };
            let id = record.get("id").and_then(Value::as_str).unwrap_or(&id).to_owned();
            Ok(Executed {
                result: for_model(record),
                compensation: Some(Compensation::Delete { collection: collection.to_owned(), id }),
            })
        }
        "update" | "execute" => {
            let id = string_field(input, key)?.to_owned();
            let patch = if tool.action == "update" {
                data_field(input)?
            } else {
                let mut patch = Record::new();
                patch.insert(
                    "lastExecution".to_owned(),
                    json!({"requestedBy": "agentb", "parameters": input.get("parameters").cloned().unwrap_or(json!({}))}),
                );
                patch
            };
            let before = match before {
                Some(before) => before,
                None => erp.get(org, collection, &id).await.map_err(classify)?,
            };
            let record = erp.patch(org, collection, &id, patch.clone()).await.map_err(classify)?;
            let back = reverse_patch(&before, &patch);
            Ok(Executed {
                result: for_model(record),
                compensation: Some(Compensation::Patch { collection: collection.to_owned(), id, patch: back }),
            })
        }
        "delete" => {
            let id = string_field(input, key)?;
            let record = match erp.delete(org, collection, id).await {
                Ok(record) => record,
                // Deleted by an attempt that crashed before it was journaled.
                Err(e) if e.is_not_found() && before.is_some() => before.unwrap_or_default(),
                Err(e) => return Err(classify(e)),
            };
            Ok(Executed {
                result: json!({"deleted": id}),
                compensation: Some(Compensation::Create { collection: collection.to_owned(), record }),
            })
        }
        other => Err(ToolError::Input(format!("the tool `{}` has an unknown action `{other}`", tool.name))),
    }
}

/// Returns a record as the model sees it: without `revision`, the contract's compare-and-set
/// counter, which is agentb's business (and would make every recorded cassette stale).
fn for_model(mut record: Record) -> Value {
    record.remove("revision");
    Value::Object(record)
}

/// Returns the merge patch that takes a record from `merge_patch(before, patch)` back to
/// `before`: every key `patch` touches gets its old value, or `null` when it was absent; nested
/// objects are reversed key by key, since a merge patch merges them rather than replacing them.
fn reverse_patch(before: &Record, patch: &Record) -> Record {
    patch
        .iter()
        .map(|(key, value)| {
            let back = match (before.get(key), value) {
                (Some(Value::Object(old)), Value::Object(inner)) => Value::Object(reverse_patch(old, inner)),
                (Some(old), _) => old.clone(),
                (None, _) => Value::Null,
            };
            (key.clone(), back)
        })
        .collect()
}

/// Runs a compensation against `org`; returns what the ERP answered.
pub async fn compensate(erp: &dyn Erp, org: &str, compensation: &Compensation) -> Result<Value, ErpError> {
    match compensation {
        Compensation::Delete { collection, id } => match erp.delete(org, collection, id).await {
            Ok(record) => Ok(Value::Object(record)),
            // Already gone: the undo's goal holds.
            Err(e) if e.is_not_found() => Ok(json!({"deleted": id})),
            Err(e) => Err(e),
        },
        Compensation::Patch { collection, id, patch } => {
            Ok(Value::Object(erp.patch(org, collection, id, patch.clone()).await?))
        }
        Compensation::Create { collection, record } => {
            let mut record = record.clone();
            for key in ["organizationId", "createdAt", "updatedAt"] {
                record.remove(key);
            }
            Ok(Value::Object(erp.create(org, collection, record).await?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erp::{ErpExt as _, LocalErp};

    fn tool(name: &str, action: &str, collection: &str) -> ArtifactTool {
        ArtifactTool {
            name: name.to_owned(),
            description: String::new(),
            tier: crate::config::Tier::T2,
            resource: collection.trim_end_matches('s').to_owned(),
            action: action.to_owned(),
            collection: collection.to_owned(),
            input_schema: json!({}),
        }
    }

    fn erp() -> (tempfile::TempDir, LocalErp) {
        let dir = tempfile::tempdir().unwrap();
        let erp = LocalErp::open("local", &dir.path().join("erp.sqlite")).unwrap();
        erp.add_org("acme", "acme").unwrap();
        erp.add_org("beta", "beta").unwrap();
        (dir, erp)
    }

    #[test]
    fn writes_record_compensations_that_undo_them() {
        let (_dir, erp) = erp();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let create = tool("erp_create_brief", "create", "briefs");
            let done = execute(&erp, "acme", &create, &json!({"data": {"title": "T"}}), "ab-1", None).await.unwrap();
            assert_eq!(done.result["id"], "ab-1");
            assert_eq!(done.result["organizationId"], "acme");
            // Again (as after a crash): no second record.
            let again = execute(&erp, "acme", &create, &json!({"data": {"title": "T"}}), "ab-1", None).await.unwrap();
            assert_eq!(again.result["id"], "ab-1");
            assert_eq!(erp.list_all("acme", "briefs", ListQuery::new()).await.unwrap().len(), 1);

            let update = tool("erp_update_brief", "update", "briefs");
            let input = json!({"id": "ab-1", "data": {"title": "U", "extra": 1}});
            let up = execute(&erp, "acme", &update, &input, "x", None).await.unwrap();
            assert_eq!(up.result["title"], "U");
            compensate(&erp, "acme", up.compensation.as_ref().unwrap()).await.unwrap();
            let back = erp.get("acme", "briefs", "ab-1").await.unwrap();
            assert_eq!(back["title"], "T");
            assert!(!back.contains_key("extra"));

            let delete = tool("erp_delete_brief", "delete", "briefs");
            let del = execute(&erp, "acme", &delete, &json!({"id": "ab-1"}), "x", None).await.unwrap();
            assert!(erp.get("acme", "briefs", "ab-1").await.unwrap_err().is_not_found());
            compensate(&erp, "acme", del.compensation.as_ref().unwrap()).await.unwrap();
            assert_eq!(erp.get("acme", "briefs", "ab-1").await.unwrap()["title"], "T");

            compensate(&erp, "acme", done.compensation.as_ref().unwrap()).await.unwrap();
            assert!(erp.get("acme", "briefs", "ab-1").await.unwrap_err().is_not_found());
        });
    }

    #[test]
    fn undo_of_an_update_restores_nested_objects_and_removes_added_keys() {
        let (_dir, erp) = erp();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let Value::Object(rec) =
                json!({"id": "b1", "title": "T", "meta": {"a": 1, "deep": {"x": 1}}, "tags": ["a"]})
            else {
                unreachable!()
            };
            erp.create("acme", "briefs", rec).await.unwrap();
            let original = erp.get("acme", "briefs", "b1").await.unwrap();
            let update = tool("erp_update_brief", "update", "briefs");
            let input = json!({"id": "b1", "data": {
                "meta": {"a": 2, "b": 3, "deep": {"y": 2}}, "tags": ["b"], "owner": {"id": "u1"}, "title": null
            }});
            let up = execute(&erp, "acme", &update, &input, "x", None).await.unwrap();
            assert_eq!(up.result["meta"], json!({"a": 2, "b": 3, "deep": {"x": 1, "y": 2}}));
            compensate(&erp, "acme", up.compensation.as_ref().unwrap()).await.unwrap();
            let mut back = erp.get("acme", "briefs", "b1").await.unwrap();
            // The undo is one more write: only `updatedAt` and `revision` differ.
            back.remove("updatedAt");
            back.remove("revision");
            let mut original = original;
            original.remove("updatedAt");
            original.remove("revision");
            assert_eq!(back, original);
        });
    }

    #[test]
    fn reads_stay_in_the_org_and_missing_records_go_back_to_the_model() {
        let (_dir, erp) = erp();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut rec = Record::new();
            rec.insert("id".into(), json!("c1"));
            rec.insert("name".into(), json!("Beta Corp"));
            erp.create("beta", "clients", rec).await.unwrap();
            let get = tool("erp_get_client", "read", "clients");
            let err = execute(&erp, "acme", &get, &json!({"id": "c1"}), "x", None).await.unwrap_err();
            assert!(matches!(err, ToolError::Input(m) if m.contains("404")));
            let list = tool("erp_list_clients", "read", "clients");
            let page = execute(&erp, "acme", &list, &json!({}), "x", None).await.unwrap();
            assert_eq!(page.result["data"], json!([]));
            let page =
                execute(&erp, "beta", &list, &json!({"filter": {"name": "Beta Corp"}}), "x", None).await.unwrap();
            assert_eq!(page.result["data"][0]["id"], "c1");
        });
    }

    #[test]
    fn a_write_repeated_after_a_crash_keeps_the_first_snapshot() {
        let (_dir, erp) = erp();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut rec = Record::new();
            rec.insert("id".into(), json!("b1"));
            rec.insert("title".into(), json!("Original"));
            erp.create("acme", "briefs", rec).await.unwrap();
            let update = tool("erp_update_brief", "update", "briefs");
            let input = json!({"id": "b1", "data": {"title": "New"}});
            let before = snapshot(&erp, "acme", &update, &input).await.unwrap();
            execute(&erp, "acme", &update, &input, "x", before.clone()).await.unwrap();
            // The crash: run again with the saved snapshot; undo still restores the original.
            let again = execute(&erp, "acme", &update, &input, "x", before).await.unwrap();
            compensate(&erp, "acme", again.compensation.as_ref().unwrap()).await.unwrap();
            assert_eq!(erp.get("acme", "briefs", "b1").await.unwrap()["title"], "Original");

            let delete = tool("erp_delete_brief", "delete", "briefs");
            let input = json!({"id": "b1"});
            let before = snapshot(&erp, "acme", &delete, &input).await.unwrap();
            execute(&erp, "acme", &delete, &input, "x", before.clone()).await.unwrap();
            let again = execute(&erp, "acme", &delete, &input, "x", before).await.unwrap();
            compensate(&erp, "acme", again.compensation.as_ref().unwrap()).await.unwrap();
            assert_eq!(erp.get("acme", "briefs", "b1").await.unwrap()["title"], "Original");
            // Without a snapshot a missing record is the model's mistake.
            let err = execute(&erp, "acme", &delete, &json!({"id": "nope"}), "x", None).await.unwrap_err();
            assert!(matches!(err, ToolError::Input(_)));
        });
    }
}
