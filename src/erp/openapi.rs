//! The contract as an OpenAPI 3.1 document, generated here from the same names the code uses
//! (collections, natural keys, limits, error codes). `agentb erp serve` serves it at
//! `/openapi.json`; the copy in `docs/erp-openapi.json` is checked by a test.

use serde_json::{Value, json};

use super::types::{
    AGENT_INVOCATIONS, AGENT_PERSONAS, AGENT_PROPOSALS, AGENT_SESSION_TURNS, AGENT_SESSIONS, AGENT_SKILLS,
    CONTENT_TRIGGERS, DEFAULT_PAGE_SIZE, FORM_TEMPLATES, KNOWLEDGE, MAX_BODY_BYTES, MAX_PAGE_SIZE, ORGANIZATIONS,
    natural_key,
};

/// The named collections with their record schema.
const TYPED: &[(&str, &str)] = &[
    (AGENT_SKILLS, "AgentSkill"),
    (AGENT_PERSONAS, "AgentPersona"),
    (AGENT_INVOCATIONS, "AgentInvocation"),
    (FORM_TEMPLATES, "FormTemplate"),
    (CONTENT_TRIGGERS, "ContentTrigger"),
    (KNOWLEDGE, "KnowledgeDocument"),
    (AGENT_SESSIONS, "AgentSession"),
    (AGENT_SESSION_TURNS, "AgentSessionTurn"),
    (AGENT_PROPOSALS, "AgentProposal"),
];

/// Returns the document as pretty JSON with a final newline (the form checked in).
pub fn to_json_string(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Returns the OpenAPI 3.1 document of the ERP contract.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    paths.insert("/healthz".into(), health_path());
    paths.insert("/openapi.json".into(), openapi_path());
    paths.insert(format!("/api/v1/{ORGANIZATIONS}"), organizations_path());
    for (collection, schema) in TYPED {
        let (list, item) = collection_paths(collection, schema, None);
        paths.insert(format!("/api/v1/{collection}"), list);
        paths.insert(format!("/api/v1/{collection}/{{id}}"), item);
    }
    let (list, item) = collection_paths("{collection}", "Record", Some(&collection_param()));
    paths.insert("/api/v1/{collection}".into(), list);
    paths.insert("/api/v1/{collection}/{id}".into(), item);

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "agentb ERP contract",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "The HTTP+JSON contract between agentb and an ERP instance.",
            "description": "Every request under `/api/v1/` carries `Authorization: Bearer <service key>` and `X-Organization-Id: <org>` (all but `GET /api/v1/organizations`). Every record carries `organizationId`; a request whose query or body names another org gets 403, and another org's record is invisible (404). Lists are paged with `limit` and `cursor` and answer `{\"data\": [...], \"nextCursor\": ...}`. Errors answer `{\"error\": {\"code\": ..., \"message\": ...}}`; a client mistake is never a 5xx. Every record carries `revision`, an integer the server increments on each write; PATCH and DELETE honour `If-Match: <revision>` and answer 412 when the record changed since (the compare-and-set that lets several machines share sessions and proposals); without `If-Match` they are unconditional. Request bodies and stored records (the body plus the managed fields) are each limited to 1 MiB; an integer outside the 64-bit range is a 400, never a float. `agentb erp serve` is the reference implementation.",
            "license": {"name": "MIT", "identifier": "MIT"}
        },
        "servers": [{"url": "http://127.0.0.1:8787", "description": "`agentb erp serve` on its default address"}],
        "security": [{"serviceKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "serviceKey": {"type": "http", "scheme": "bearer", "description": "The instance's service key (`AGENTB_ERP_KEY` for `agentb erp serve`)."}
            },
            "parameters": parameters(),
            "responses": responses(),
            "schemas": schemas()
        }
    })
}

fn health_path() -> Value {
    json!({"get": {
        "operationId": "health",
        "summary": "Liveness check",
        "security": [],
        "responses": {"200": {"description": "The server is up.", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"status": {"const": "ok"}}, "required": ["status"]
        }}}}}
    }})
}

fn openapi_path() -> Value {
    json!({"get": {
        "operationId": "openapi",
        "summary": "This document",
        "security": [],
        "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}
    }})
}

fn organizations_path() -> Value {
    json!({"get": {
        "operationId": "listOrganizations",
        "summary": "List the orgs of the instance (list only; the org header is not needed)",
        "tags": [ORGANIZATIONS],
        "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
        "responses": {
            "200": page_response("Organization"),
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"}
        }
    }})
}

fn camel(collection: &str) -> String {
    collection
        .split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn page_response(schema: &str) -> Value {
    json!({"description": "One page.", "content": {"application/json": {"schema": {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}},
            "nextCursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last page."}
        },
        "required": ["data", "nextCursor"]
    }}}})
}

fn record_response(description: &str, schema: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn body(schema: &str, description: &str) -> Value {
    json!({"required": true, "description": description, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn errors(codes: &[&str]) -> serde_json::Map<String, Value> {
    let name = |code: &str| match code {
        "400" => "BadRequest",
        "401" => "Unauthorized",
        "403" => "Forbidden",
        "404" => "NotFound",
        "405" => "MethodNotAllowed",
        "409" => "Conflict",
        "412" => "PreconditionFailed",
        "413" => "PayloadTooLarge",
        _ => "Unprocessable",
    };
    codes.iter().map(|c| ((*c).to_owned(), json!({"$ref": format!("#/components/responses/{}", name(c))}))).collect()
}

fn with_errors(mut ok: serde_json::Map<String, Value>, codes: &[&str]) -> Value {
    ok.extend(errors(codes));
    Value::Object(ok)
}

fn collection_param() -> Value {
    json!({"name": "collection", "in": "path", "required": true,
        "description": "Any entity collection: plural kebab-case (`briefs`, `clients`, `deals`, `users`, `deliverables`, ...).",
        "schema": {"type": "string", "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": 64}})
}

/// Returns the list path and the item path of a collection.
fn collection_paths(collection: &str, schema: &str, param: Option<&Value>) -> (Value, Value) {
    let generic = param.is_some();
    let op = if generic { "Record".to_owned() } else { camel(collection) };
    let tag = if generic { "entities" } else { collection };
    let org = json!({"$ref": "#/components/parameters/org"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 256}});
    let (list_path_params, item_path_params) = match param {
        Some(param) => (vec![param.clone(), org.clone()], vec![param.clone(), id, org]),
        None => (vec![org.clone()], vec![id, org]),
    };
    let mut list_params = vec![
        json!({"$ref": "#/components/parameters/limit"}),
        json!({"$ref": "#/components/parameters/cursor"}),
        json!({"$ref": "#/components/parameters/filter"}),
    ];
    if collection == AGENT_SESSION_TURNS || collection == AGENT_PROPOSALS {
        list_params.push(json!({"name": "sessionId", "in": "query", "description": "Only the records of this session.", "schema": {"type": "string"}}));
    }
    if collection == AGENT_PROPOSALS {
        list_params.push(json!({"name": "status", "in": "query", "description": "Only proposals in this state (`PENDING`, `CONFIRMED`, ...).", "schema": {"type": "string"}}));
    }
    if collection == KNOWLEDGE {
        list_params.push(json!({"name": "path", "in": "query", "description": "The document at this path.", "schema": {"type": "string"}}));
        list_params.push(json!({"name": "pathPrefix", "in": "query", "description": "Only documents whose path starts with this.", "schema": {"type": "string"}}));
    }
    let noun =
        if generic { "the records of the collection".to_owned() } else { format!("the `{collection}` of the org") };
    let mut list = json!({
        "parameters": list_path_params,
        "get": {
            "operationId": format!("list{op}s"), "summary": format!("List {noun}, ordered by id"), "tags": [tag],
            "parameters": list_params,
            "responses": with_errors(json_map([("200", page_response(schema))]), &["400", "401", "403", "404"])
        },
        "post": {
            "operationId": format!("create{op}"), "summary": "Create a record; a new UUID v7 id unless the body gives one", "tags": [tag],
            "requestBody": body(schema, "The record; `id` is optional, `organizationId` optional and must name the header's org."),
            "responses": with_errors(json_map([("201", record_response("Created.", schema))]), &["400", "401", "403", "404", "409", "413", "422"])
        }
    });
    if let Some(key) = natural_key(collection) {
        list["put"] = json!({
            "operationId": format!("upsert{op}"), "summary": format!("Create or replace the record with the body's `{key}` (unique per org)"), "tags": [tag],
            "requestBody": body(schema, &format!("The record; `{key}` is required.")),
            "responses": with_errors(json_map([("200", record_response("Replaced.", schema)), ("201", record_response("Created.", schema))]), &["400", "401", "403", "404", "409", "413", "422"])
        });
    }
    let item = json!({
        "parameters": item_path_params,
        "get": {
            "operationId": format!("get{op}"), "summary": "Get one record", "tags": [tag],
            "responses": with_errors(json_map([("200", record_response("The record.", schema))]), &["400", "401", "404"])
        },
        "put": {
            "operationId": format!("put{op}"), "summary": "Create or replace the record with this id", "tags": [tag],
            "requestBody": body(schema, "The whole record; managed fields (`id`, `organizationId`, `createdAt`, `updatedAt`, `revision`) may be repeated, never changed."),
            "responses": with_errors(json_map([("200", record_response("Replaced.", schema)), ("201", record_response("Created.", schema))]), &["400", "401", "403", "404", "409", "413", "422"])
        },
        "patch": {
            "operationId": format!("patch{op}"), "summary": "Change fields with a JSON merge patch (RFC 7386: `null` removes a field)", "tags": [tag],
            "parameters": [{"$ref": "#/components/parameters/ifMatch"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}, "application/merge-patch+json": {"schema": {"type": "object"}}}},
            "responses": with_errors(json_map([("200", record_response("The record as stored.", schema))]), &["400", "401", "403", "404", "409", "412", "413", "422"])
        },
        "delete": {
            "operationId": format!("delete{op}"), "summary": "Delete a record; answers it as it was", "tags": [tag],
            "parameters": [{"$ref": "#/components/parameters/ifMatch"}],
            "responses": with_errors(json_map([("200", record_response("The deleted record.", schema))]), &["400", "401", "404", "412"])
        }
    });
    (list, item)
}

fn json_map<const N: usize>(pairs: [(&str, Value); N]) -> serde_json::Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn parameters() -> Value {
    json!({
        "ifMatch": {"name": "If-Match", "in": "header", "required": false, "description": "The `revision` the record must be at (`3`, `\"3\"` or `*`); 412 when it changed since. Without it the write is unconditional.", "schema": {"type": "string"}},
        "org": {"name": "X-Organization-Id", "in": "header", "required": true, "description": "The org the request acts for.", "schema": {"type": "string", "minLength": 1}},
        "limit": {"name": "limit", "in": "query", "description": format!("Page size (default {DEFAULT_PAGE_SIZE})."), "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}},
        "cursor": {"name": "cursor", "in": "query", "description": "The `nextCursor` of the previous page.", "schema": {"type": "string"}},
        "filter": {"name": "filter", "in": "query", "style": "form", "explode": true,
            "description": "Any other query parameter filters on a top-level field: `?slug=brief-creator&isEnabled=true`. A value matches the field equal to that string or to the JSON scalar it spells. `organizationId` must name the header's org (403 otherwise).",
            "schema": {"type": "object", "additionalProperties": {"type": "string"}}}
    })
}

fn error_response(description: &str, codes: &[&str]) -> Value {
    json!({"description": format!("{description} Codes: {}.", codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn responses() -> Value {
    json!({
        "BadRequest": error_response("The request is malformed (body, query, path or org header).", &["malformed_json", "unreadable_body", "invalid_query", "invalid_cursor", "invalid_path", "invalid_collection", "invalid_id", "id_mismatch", "missing_org", "invalid_org", "integer_out_of_range", "invalid_if_match"]),
        "Unauthorized": error_response("The service key is missing or wrong.", &["unauthorized"]),
        "Forbidden": error_response("The query or body names an org other than `X-Organization-Id`.", &["org_mismatch"]),
        "NotFound": error_response("No such record in this org (another org's records are invisible), no such org, or no such route.", &["not_found", "org_not_found"]),
        "MethodNotAllowed": error_response("The collection does not support this method.", &["method_not_allowed"]),
        "Conflict": error_response("The id or natural key is taken.", &["conflict"]),
        "PreconditionFailed": error_response("`If-Match` names a revision the record is no longer at: it changed since.", &["precondition_failed"]),
        "PayloadTooLarge": error_response(&format!("The request body, or the record as stored with its managed fields, is larger than {MAX_BODY_BYTES} bytes."), &["payload_too_large"]),
        "Unprocessable": error_response("The record does not fit its collection's type.", &["invalid_record"])
    })
}

fn managed() -> Value {
    json!({
        "id": {"type": "string", "description": "Unique per org and collection; a UUID v7 unless the creator chose it."},
        "organizationId": {"type": "string", "description": "The org the record belongs to."},
        "createdAt": {"type": "string", "format": "date-time", "readOnly": true},
        "updatedAt": {"type": "string", "format": "date-time", "readOnly": true},
        "revision": {"type": "integer", "minimum": 1, "readOnly": true, "description": "Incremented by the server on each write; `If-Match` compares it."}
    })
}

fn record_schema(description: &str, fields: Value, required: &[&str]) -> Value {
    let mut properties = managed();
    if let (Some(props), Value::Object(fields)) = (properties.as_object_mut(), fields) {
        props.extend(fields);
    }
    json!({"type": "object", "description": description, "properties": properties, "required": required, "additionalProperties": true})
}

fn schemas() -> Value {
    let list = json!({"type": "array", "items": {"type": "object"}});
    json!({
        "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string", "description": "Stable, machine-readable."},
            "message": {"type": "string", "description": "For people."}
        }, "required": ["code", "message"]}}, "required": ["error"]},
        "Record": record_schema("A record of any entity collection: any JSON object.", json!({}), &[]),
        "Organization": {"type": "object", "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "organizationId": {"type": "string", "description": "Equal to `id`."},
            "createdAt": {"type": "string", "format": "date-time"}
        }, "required": ["id", "name", "organizationId"]},
        "AgentSkill": record_schema("A skill deployed to an org; `definition` is the compiled artifact, so deployed state can be read back.", json!({
            "slug": {"type": "string", "minLength": 1, "description": "The skill id; unique per org."},
            "name": {"type": "string"},
            "category": {"type": "string"},
            "triggers": list, "inputs": list, "outputs": list,
            "isEnabled": {"type": "boolean", "default": true},
            "version": {"type": "string", "description": "Semver version of the deployed artifact."},
            "contentHash": {"type": "string", "description": "sha256 of the artifact."},
            "definition": {"type": "object", "description": "The compiled artifact."}
        }), &["slug", "name"]),
        "AgentPersona": record_schema("A persona deployed to an org.", json!({
            "slug": {"type": "string", "minLength": 1, "description": "The persona id; unique per org."},
            "name": {"type": "string"},
            "systemPrompt": {"type": "string"},
            "allowedSkills": {"type": "array", "items": {"type": "string"}},
            "isEnabled": {"type": "boolean", "default": true}
        }), &["slug", "name"]),
        "AgentInvocation": record_schema("The audit record of one skill execution.", json!({
            "skillId": {"type": "string", "minLength": 1},
            "skillVersion": {"type": "string", "description": "The version of the artifact that ran."},
            "contentHash": {"type": "string", "description": "sha256 of the artifact that actually ran; the promotion gate counts only the canary artifact's."},
            "triggeredBy": {"type": "string"},
            "entityType": {"type": ["string", "null"]},
            "entityId": {"type": ["string", "null"]},
            "status": {"enum": ["pending", "running", "completed", "failed"]},
            "input": {},
            "output": {},
            "error": {"type": ["string", "null"]},
            "usage": {"type": ["object", "null"]},
            "costUsd": {"type": ["number", "null"]},
            "startedAt": {"type": ["string", "null"], "format": "date-time"},
            "finishedAt": {"type": ["string", "null"], "format": "date-time"},
            "sessionId": {"type": "string", "description": "The run session (`agent-sessions`)."}
        }), &["skillId", "status"]),
        "AgentSession": record_schema("A run session of an http instance; its conversation is in `agent-session-turns`.", json!({
            "skill": {"type": "string", "minLength": 1}, "skillVersion": {"type": "string"}, "contentHash": {"type": "string"},
            "persona": {"type": ["string", "null"]}, "model": {"type": "string"},
            "status": {"enum": ["running", "awaiting_approval", "completed", "failed"]},
            "input": {}, "inputHash": {"type": "string", "description": "sha256 of the input's canonical JSON, bound when the session was created."},
            "counters": {"type": "object"}, "usage": {"type": "object"}, "costUsd": {"type": "number"},
            "expiresAt": {"type": "string", "format": "date-time"},
            "header": {"type": "object", "description": "What agentb needs to resume the session (instance, system prompt, compiled skill), bound by `headerHash`."},
            "headerHash": {"type": "string"}
        }), &["skill"]),
        "AgentSessionTurn": record_schema("One turn of a session (append-only): the messages it added and its audit events.", json!({
            "sessionId": {"type": "string", "minLength": 1}, "seq": {"type": "integer", "minimum": 0},
            "from": {"type": "integer", "description": "The index of the first message: messages from there on replace what earlier turns held."},
            "messages": list, "audit": list, "calls": list,
            "state": {"type": "object", "description": "The session's state after the turn (usage, counters, status)."}
        }), &["sessionId", "seq"]),
        "AgentProposal": record_schema("A T2/T3 tool call waiting for (or past) its confirmation. An ERP's UI approves one by setting `status` to `CONFIRMED` (with `If-Match`).", json!({
            "sessionId": {"type": "string", "minLength": 1}, "toolUseId": {"type": "string", "minLength": 1},
            "tool": {"type": "string", "minLength": 1}, "tier": {"enum": ["t1", "t2", "t3"]}, "input": {},
            "inputHash": {"type": "string", "minLength": 1},
            "status": {"enum": ["PENDING", "CONFIRMED", "EXECUTING", "EXECUTED", "REJECTED", "EXPIRED", "FAILED", "UNDONE"]},
            "compensation": {"type": ["object", "null"]}, "result": {}, "error": {"type": ["string", "null"]},
            "decidedAt": {"type": ["string", "null"], "format": "date-time"}, "decidedBy": {"type": ["string", "null"]},
            "executedAt": {"type": ["string", "null"], "format": "date-time"}, "expiresAt": {"type": ["string", "null"], "format": "date-time"},
            "claim": {"type": ["object", "null"], "description": "Who moved it to EXECUTING, when, and the record read before the write."},
            "history": list
        }), &["sessionId", "toolUseId", "tool", "status", "inputHash"]),
        "FormTemplate": record_schema("A form template (fields are the ERP's).", json!({"name": {"type": "string"}, "fields": list}), &[]),
        "ContentTrigger": record_schema("A content trigger (fields are the ERP's).", json!({"name": {"type": "string"}, "event": {"type": "string"}, "skillSlug": {"type": "string"}}), &[]),
        "KnowledgeDocument": record_schema("A knowledge document, addressed by `path` (unique per org).", json!({
            "path": {"type": "string", "minLength": 1}, "title": {"type": "string"}, "content": {"type": "string"}
        }), &["path"])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erp::types::{
        AgentInvocation, AgentPersona, AgentSkill, InvocationStatus, Record, from_record, to_record,
    };

    /// The checked-in copy must equal the generated one; `AGENTB_BLESS=1` rewrites it.
    #[test]
    fn checked_in_document_is_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/erp-openapi.json");
        let fresh = to_json_string(&document());
        if std::env::var_os("AGENTB_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == fresh,
            "`docs/erp-openapi.json` is stale; regenerate it with `AGENTB_BLESS=1 cargo test --lib erp::openapi`"
        );
    }

    /// Every field the typed records serialize is described in its schema.
    #[test]
    fn schemas_describe_every_typed_field() {
        let doc = document();
        let check = |schema: &str, record: Record| {
            let props = doc["components"]["schemas"][schema]["properties"].as_object().unwrap();
            for field in record.keys() {
                assert!(props.contains_key(field), "`{schema}` lacks `{field}`");
            }
        };
        let base = json!({"id": "i", "organizationId": "o", "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"});
        let mut skill = base.as_object().unwrap().clone();
        skill.extend(json!({"slug": "s", "name": "n"}).as_object().unwrap().clone());
        check("AgentSkill", to_record(&from_record::<AgentSkill>(&skill).unwrap()));
        let mut persona = base.as_object().unwrap().clone();
        persona.extend(json!({"slug": "s", "name": "n"}).as_object().unwrap().clone());
        check("AgentPersona", to_record(&from_record::<AgentPersona>(&persona).unwrap()));
        let mut invocation = base.as_object().unwrap().clone();
        invocation.extend(json!({"skillId": "s", "status": InvocationStatus::Running}).as_object().unwrap().clone());
        check("AgentInvocation", to_record(&from_record::<AgentInvocation>(&invocation).unwrap()));
    }

    /// Returns every `$ref` in a document.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner) {
                        ("$ref", Value::String(target)) => out.push(target.clone()),
                        _ => refs(inner, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
            _ => {}
        }
    }

    /// The document is well formed: every `$ref` resolves, every path variable is declared,
    /// every operation id is unique.
    #[test]
    fn the_document_is_consistent() {
        let doc = document();
        let mut targets = Vec::new();
        refs(&doc, &mut targets);
        assert!(!targets.is_empty());
        for target in &targets {
            let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("external ref {target}"));
            assert!(doc.pointer(pointer).is_some(), "`{target}` resolves to nothing");
        }
        let resolve = |p: &Value| match p.get("$ref").and_then(Value::as_str) {
            Some(target) => doc.pointer(target.trim_start_matches('#')).unwrap().clone(),
            None => p.clone(),
        };
        let mut ids = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let vars: Vec<&str> =
                path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            let shared: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            for (method, op) in item.as_object().unwrap().iter().filter(|(k, _)| k.as_str() != "parameters") {
                assert!(["get", "post", "put", "patch", "delete"].contains(&method.as_str()), "{path}: {method}");
                let own = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
                let declared: Vec<String> = shared
                    .iter()
                    .chain(&own)
                    .map(resolve)
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect();
                for var in &vars {
                    assert!(declared.iter().any(|d| d == var), "{method} {path} does not declare `{var}`");
                }
                assert_eq!(declared.len(), vars.len(), "{method} {path} declares extra path parameters");
                let id = op["operationId"].as_str().unwrap().to_owned();
                assert!(ids.insert(id.clone()), "duplicate operationId `{id}`");
                assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
            }
        }
    }

    #[test]
    fn every_collection_has_its_paths() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        for (collection, _) in TYPED {
            assert!(paths.contains_key(&format!("/api/v1/{collection}/{{id}}")), "{collection}");
        }
        assert!(paths["/api/v1/agent-skills"].get("put").is_some());
        assert!(paths["/api/v1/form-templates"].get("put").is_none());
        assert_eq!(paths["/api/v1/organizations"].as_object().unwrap().len(), 1);
    }
}
