//! `agentb erp`: one contract suite run against the in-process store and against the HTTP client
//! talking to a real `agentb erp serve` on loopback; the client's retries and timeouts against
//! scripted servers; auth, isolation, limits and malformed input over raw HTTP; the commands;
//! and that no key reaches any output, even at `-vvv`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agentb::erp::{
    AgentInvocation, AgentSkill, Erp, ErpError, ErpExt as _, HttpErp, HttpOptions, InvocationStatus, ListQuery,
    LocalErp, Record, Secret, from_record,
};
use serde_json::{Value, json};

use crate::support::{ErpServer, Test};

const KEY: &str = "test-key-7f3a9c2e51d84b06a1";
const WRONG_KEY: &str = "wrong-key-0c94be17d25f8a33";

/// The collections every CRUD test covers: the named ones and some entity collections.
const COLLECTIONS: &[&str] = &[
    "agent-skills",
    "agent-personas",
    "agent-invocations",
    "form-templates",
    "content-triggers",
    "knowledge",
    "briefs",
    "clients",
    "deals",
    "users",
    "deliverables",
    "campaign-assets",
];

fn obj(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn fast() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        max_retries: 2,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    }
}

fn client(url: &str, key: Option<&str>, options: HttpOptions) -> HttpErp {
    HttpErp::new("served", url, key.map(Secret::new), options).expect("client")
}

#[track_caller]
fn expect_status<T: std::fmt::Debug>(result: Result<T, ErpError>, status: u16, code: &str) -> ErpError {
    let err = result.expect_err("the call should fail");
    assert_eq!((err.status(), err.code()), (Some(status), Some(code)), "{err}");
    err
}

/// A valid body for a collection.
fn sample(collection: &str, n: usize) -> Record {
    obj(match collection {
        "agent-skills" => json!({
            "slug": format!("skill-{n}"), "name": "Skill", "category": "briefs",
            "triggers": [{"event": "manual_invoke"}], "inputs": [], "outputs": [],
            "isEnabled": true, "version": "1.0.0", "contentHash": "h1", "definition": {"id": format!("skill-{n}")}
        }),
        "agent-personas" => json!({
            "slug": format!("persona-{n}"), "name": "Persona", "systemPrompt": "You help.", "allowedSkills": ["skill-1"]
        }),
        "agent-invocations" => json!({
            "skillId": "skill-1", "skillVersion": "1.0.0", "triggeredBy": "test", "status": "running", "input": {"a": n}
        }),
        "knowledge" => json!({"path": format!("docs/{n}.md"), "title": "Doc", "content": "text"}),
        "form-templates" => json!({"name": "Intake", "fields": [{"name": "email", "type": "string"}]}),
        "content-triggers" => json!({"name": "On request", "event": "client_request_received", "skillSlug": "skill-1"}),
        _ => json!({"name": format!("{collection} {n}"), "n": n, "tags": ["a", "b"]}),
    })
}

/// The contract, as every implementation must honor it. Needs the orgs `acme` and `beta`.
async fn contract_suite(erp: &dyn Erp) {
    let orgs: Vec<String> = erp.organizations().await.unwrap().into_iter().map(|o| o.id).collect();
    assert!(orgs.contains(&"acme".to_owned()) && orgs.contains(&"beta".to_owned()), "{orgs:?}");
    for collection in COLLECTIONS {
        crud(erp, collection).await;
    }
    pagination(erp).await;
    filters(erp).await;
    upserts(erp).await;
    invocations(erp).await;
    isolation(erp).await;
    mistakes(erp).await;
}

async fn crud(erp: &dyn Erp, collection: &str) {
    let body = sample(collection, 1);
    let created = erp.create("acme", collection, body.clone()).await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["organizationId"], "acme", "{collection}");
    for (field, value) in &body {
        assert_eq!(&created[field], value, "{collection}.{field}");
    }
    assert_eq!(erp.get("acme", collection, &id).await.unwrap(), created, "{collection}");
    let page = erp.list("acme", collection, &ListQuery::new()).await.unwrap();
    assert_eq!(page.data, std::slice::from_ref(&created), "{collection}");
    assert_eq!(page.next_cursor, None);

    let patched = erp.patch("acme", collection, &id, obj(json!({"note": "patched"}))).await.unwrap();
    assert_eq!(patched["note"], "patched", "{collection}");
    assert_eq!(patched["createdAt"], created["createdAt"], "{collection}");
    let patched = erp.patch("acme", collection, &id, obj(json!({"note": null}))).await.unwrap();
    assert!(patched.get("note").is_none(), "{collection}: merge patch null removes");

    let mut replacement = sample(collection, 1);
    replacement.insert("replaced".into(), json!(true));
    let replaced = erp.put("acme", collection, &id, replacement).await.unwrap();
    assert!(!replaced.created, "{collection}");
    assert_eq!(replaced.record["replaced"], true);
    assert_eq!(replaced.record["id"], id.as_str());

    let chosen = format!("{collection}-chosen-id");
    let put = erp.put("acme", collection, &chosen, sample(collection, 2)).await.unwrap();
    assert!(put.created, "{collection}");
    assert_eq!(put.record["id"], chosen.as_str());
    let mut explicit = sample(collection, 3);
    explicit.insert("id".into(), json!(chosen));
    expect_status(erp.create("acme", collection, explicit).await, 409, "conflict");

    let deleted = erp.delete("acme", collection, &id).await.unwrap();
    assert_eq!(deleted["id"], id.as_str());
    expect_status(erp.get("acme", collection, &id).await, 404, "not_found");
    expect_status(erp.delete("acme", collection, &id).await, 404, "not_found");
    expect_status(erp.patch("acme", collection, &id, Record::new()).await, 404, "not_found");
    erp.delete("acme", collection, &chosen).await.unwrap();
    assert!(erp.list("acme", collection, &ListQuery::new()).await.unwrap().data.is_empty(), "{collection}");
}

async fn pagination(erp: &dyn Erp) {
    for i in 0..25 {
        erp.create("acme", "line-items", obj(json!({"id": format!("r{i:02}"), "i": i}))).await.unwrap();
    }
    let mut sizes = Vec::new();
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = erp.list("acme", "line-items", &ListQuery::new().limit(10).cursor(cursor)).await.unwrap();
        sizes.push(page.data.len());
        ids.extend(page.data.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(sizes, [10, 10, 5]);
    let expected: Vec<String> = (0..25).map(|i| format!("r{i:02}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(erp.list_all("acme", "line-items", ListQuery::new().limit(7)).await.unwrap().len(), 25);
    assert_eq!(erp.list_all("acme", "line-items", ListQuery::new()).await.unwrap().len(), 25);
    // An exact multiple of the page size ends with an empty next page or none, never a loop.
    let all = erp.list_all("acme", "line-items", ListQuery::new().limit(5)).await.unwrap();
    assert_eq!(all.len(), 25);
    assert!(erp.list("beta", "line-items", &ListQuery::new()).await.unwrap().data.is_empty());
}

async fn filters(erp: &dyn Erp) {
    erp.create("acme", "tasks", obj(json!({"id": "t1", "status": "open", "done": false, "points": 3}))).await.unwrap();
    erp.create("acme", "tasks", obj(json!({"id": "t2", "status": "closed", "done": true, "points": 5}))).await.unwrap();
    let ids = |records: Vec<Record>| -> Vec<String> {
        records.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    };
    let open = erp.list_all("acme", "tasks", ListQuery::new().filter("status", "open")).await.unwrap();
    assert_eq!(ids(open), ["t1"]);
    let done = erp.list_all("acme", "tasks", ListQuery::new().filter("done", true)).await.unwrap();
    assert_eq!(ids(done), ["t2"]);
    let points = erp.list_all("acme", "tasks", ListQuery::new().filter("points", 3)).await.unwrap();
    assert_eq!(ids(points), ["t1"]);
    let same_org = erp.list_all("acme", "tasks", ListQuery::new().filter("organizationId", "acme")).await.unwrap();
    assert_eq!(same_org.len(), 2);

    for path in ["guides/a.md", "guides/b.md", "policies/c.md"] {
        erp.create("acme", "knowledge", obj(json!({"path": path, "content": path}))).await.unwrap();
    }
    let doc = erp.knowledge("acme", "guides/b.md").await.unwrap().unwrap();
    assert_eq!(doc["content"], "guides/b.md");
    assert!(erp.knowledge("acme", "guides/zz.md").await.unwrap().is_none());
    assert!(erp.knowledge("beta", "guides/b.md").await.unwrap().is_none());
    let guides = erp.list_all("acme", "knowledge", ListQuery::new().path_prefix("guides/")).await.unwrap();
    assert_eq!(guides.len(), 2);
}

async fn upserts(erp: &dyn Erp) {
    let mut skill: AgentSkill = from_record(&sample("agent-skills", 7)).unwrap();
    let first = erp.upsert_skill("acme", &skill).await.unwrap();
    assert_eq!((first.organization_id.as_str(), first.version.as_str()), ("acme", "1.0.0"));
    skill.version = "1.1.0".into();
    skill.content_hash = "h2".into();
    let second = erp.upsert_skill("acme", &skill).await.unwrap();
    assert_eq!(second.id, first.id, "an upsert by slug keeps the record");
    assert_eq!(second.content_hash, "h2");
    let read = erp.skill("acme", "skill-7").await.unwrap().unwrap();
    assert_eq!(read.version, "1.1.0");
    assert_eq!(read.definition, json!({"id": "skill-7"}));
    assert_eq!(erp.skills("acme").await.unwrap().len(), 1);
    assert!(erp.skill("beta", "skill-7").await.unwrap().is_none());
    let beta = erp.upsert_skill("beta", &skill).await.unwrap();
    assert_ne!(beta.id, first.id);

    let created = erp.upsert("acme", "knowledge", obj(json!({"path": "faq.md", "content": "v1"}))).await.unwrap();
    assert!(created.created);
    let replaced = erp.upsert("acme", "knowledge", obj(json!({"path": "faq.md", "content": "v2"}))).await.unwrap();
    assert!(!replaced.created);
    assert_eq!(replaced.record["id"], created.record["id"]);

    expect_status(erp.create("acme", "agent-skills", sample("agent-skills", 7)).await, 409, "conflict");
    expect_status(erp.put("acme", "agent-skills", "other-id", sample("agent-skills", 7)).await, 409, "conflict");
    expect_status(erp.upsert("acme", "briefs", obj(json!({"name": "x"}))).await, 405, "method_not_allowed");
    expect_status(erp.upsert("acme", "agent-skills", obj(json!({"name": "x"}))).await, 422, "invalid_record");
    let mut renamed = sample("agent-skills", 7);
    renamed.insert("id".into(), json!("not-the-same"));
    expect_status(erp.upsert("acme", "agent-skills", renamed).await, 400, "id_mismatch");
}

async fn invocations(erp: &dyn Erp) {
    let invocation: AgentInvocation = from_record(&sample("agent-invocations", 1)).unwrap();
    let created = erp.create_invocation("acme", &invocation).await.unwrap();
    assert_eq!(created.status, InvocationStatus::Running);
    let patch = obj(
        json!({"status": "completed", "output": {"ok": true}, "costUsd": 0.012, "finishedAt": "2025-01-01T00:00:00Z"}),
    );
    let done = erp.update_invocation("acme", &created.id, patch).await.unwrap();
    assert_eq!(done.status, InvocationStatus::Completed);
    assert_eq!(done.cost_usd, Some(0.012));
    let listed = erp
        .invocations("acme", ListQuery::new().filter("skillId", "skill-1").filter("status", "completed"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let bad = obj(json!({"status": "finished"}));
    expect_status(erp.patch("acme", "agent-invocations", &created.id, bad).await, 422, "invalid_record");
    let bad_time = obj(json!({"startedAt": "yesterday"}));
    expect_status(erp.patch("acme", "agent-invocations", &created.id, bad_time).await, 422, "invalid_record");
    assert_eq!(erp.get("acme", "agent-invocations", &created.id).await.unwrap()["status"], "completed");
}

async fn isolation(erp: &dyn Erp) {
    let theirs = erp.create("beta", "secrets", obj(json!({"title": "beta only"}))).await.unwrap();
    erp.create("beta", "secrets", obj(json!({"title": "beta too"}))).await.unwrap();
    let id = theirs["id"].as_str().unwrap().to_owned();
    let mine = erp.create("acme", "secrets", obj(json!({"title": "acme"}))).await.unwrap();
    let my_id = mine["id"].as_str().unwrap().to_owned();

    // Another org's record is invisible.
    expect_status(erp.get("acme", "secrets", &id).await, 404, "not_found");
    expect_status(erp.patch("acme", "secrets", &id, obj(json!({"title": "pwned"}))).await, 404, "not_found");
    expect_status(erp.delete("acme", "secrets", &id).await, 404, "not_found");
    let listed = erp.list_all("acme", "secrets", ListQuery::new()).await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&mine));
    let by_title = erp.list_all("acme", "secrets", ListQuery::new().filter("title", "beta only")).await.unwrap();
    assert!(by_title.is_empty());
    // A cursor taken from beta's pages still lists only acme's records.
    let beta_page = erp.list("beta", "secrets", &ListQuery::new().limit(1)).await.unwrap();
    assert!(beta_page.next_cursor.is_some());
    let page = erp.list("acme", "secrets", &ListQuery::new().cursor(beta_page.next_cursor)).await.unwrap();
    assert!(page.data.iter().all(|r| r["organizationId"] == "acme"));

    // Naming another org in the query or the body is a 403, whatever the call.
    let query = ListQuery::new().filter("organizationId", "beta");
    expect_status(erp.list("acme", "secrets", &query).await, 403, "org_mismatch");
    let other = || obj(json!({"title": "x", "organizationId": "beta"}));
    expect_status(erp.create("acme", "secrets", other()).await, 403, "org_mismatch");
    expect_status(erp.put("acme", "secrets", &my_id, other()).await, 403, "org_mismatch");
    expect_status(erp.put("acme", "secrets", &id, other()).await, 403, "org_mismatch");
    expect_status(
        erp.patch("acme", "secrets", &my_id, obj(json!({"organizationId": "beta"}))).await,
        403,
        "org_mismatch",
    );
    let mut skill = sample("agent-skills", 9);
    skill.insert("organizationId".into(), json!("beta"));
    expect_status(erp.upsert("acme", "agent-skills", skill).await, 403, "org_mismatch");
    let odd = obj(json!({"title": "x", "organizationId": 7}));
    expect_status(erp.create("acme", "secrets", odd).await, 403, "org_mismatch");

    // Reusing beta's id in acme makes acme's own record; beta's is untouched.
    let put = erp.put("acme", "secrets", &id, obj(json!({"title": "acme's own"}))).await.unwrap();
    assert!(put.created);
    assert_eq!(put.record["organizationId"], "acme");
    let still = erp.get("beta", "secrets", &id).await.unwrap();
    assert_eq!(still, theirs);
    assert_eq!(erp.list_all("beta", "secrets", ListQuery::new()).await.unwrap().len(), 2);

    expect_status(erp.get("zeta", "secrets", &id).await, 404, "org_not_found");
    expect_status(erp.list("zeta", "secrets", &ListQuery::new()).await, 404, "org_not_found");
}

async fn mistakes(erp: &dyn Erp) {
    expect_status(erp.list("acme", "Bad_Name", &ListQuery::new()).await, 400, "invalid_collection");
    expect_status(erp.create("acme", "organizations", obj(json!({"name": "x"}))).await, 405, "method_not_allowed");
    expect_status(erp.create("acme", "agent-skills", obj(json!({"name": "no slug"}))).await, 422, "invalid_record");
    expect_status(
        erp.create("acme", "agent-personas", obj(json!({"slug": "", "name": "x"}))).await,
        422,
        "invalid_record",
    );
    expect_status(erp.create("acme", "knowledge", obj(json!({"content": "no path"}))).await, 422, "invalid_record");
    let bad_status = obj(json!({"skillId": "s", "status": "done"}));
    expect_status(erp.create("acme", "agent-invocations", bad_status).await, 422, "invalid_record");
    expect_status(erp.create("acme", "briefs", obj(json!({"id": ""}))).await, 400, "invalid_id");
    expect_status(erp.create("acme", "briefs", obj(json!({"id": 5}))).await, 400, "invalid_id");
    let made = erp.create("acme", "briefs", obj(json!({"title": "t"}))).await.unwrap();
    let made_id = made["id"].as_str().unwrap();
    expect_status(erp.put("acme", "briefs", made_id, obj(json!({"id": "other"}))).await, 400, "id_mismatch");
    expect_status(erp.patch("acme", "briefs", made_id, obj(json!({"id": "other"}))).await, 400, "id_mismatch");
    expect_status(erp.list("acme", "briefs", &ListQuery::new().limit(0)).await, 400, "invalid_query");
    expect_status(erp.list("acme", "briefs", &ListQuery::new().limit(100_000)).await, 400, "invalid_query");
    expect_status(erp.list("acme", "briefs", &ListQuery::new().cursor(Some("zz".into()))).await, 400, "invalid_cursor");
    let big = obj(json!({"text": "x".repeat(1024 * 1024 + 1)}));
    expect_status(erp.create("acme", "briefs", big).await, 413, "payload_too_large");
    let near = obj(json!({"text": "x".repeat(1024 * 1024 - 200)}));
    erp.create("acme", "briefs", near).await.unwrap();
    // A whole number no 64-bit integer holds is refused, never stored as a float.
    let huge = obj(json!({"n": 2f64.powi(64)}));
    expect_status(erp.create("acme", "briefs", huge).await, 400, "integer_out_of_range");
    let huge = obj(json!({"items": [{"n": -(2f64.powi(63))}]}));
    expect_status(erp.create("acme", "briefs", huge).await, 400, "integer_out_of_range");
    let fits = erp.create("acme", "briefs", obj(json!({"n": u64::MAX, "m": i64::MIN, "x": 1.5}))).await.unwrap();
    assert_eq!(
        (fits["n"].as_u64(), fits["m"].as_i64(), fits["x"].as_f64()),
        (Some(u64::MAX), Some(i64::MIN), Some(1.5))
    );
}

fn local_with_orgs(erp: &LocalErp) {
    for org in ["acme", "beta"] {
        erp.add_org(org, org).unwrap();
    }
}

#[tokio::test]
async fn contract_holds_for_the_in_memory_store() {
    let erp = LocalErp::in_memory("local").unwrap();
    local_with_orgs(&erp);
    contract_suite(&erp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_holds_for_the_store_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let erp = LocalErp::open("local", &dir.path().join("local/erp.sqlite")).unwrap();
    local_with_orgs(&erp);
    contract_suite(&erp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_holds_over_http_against_erp_serve() {
    let server = ErpServer::start(KEY);
    let erp = client(server.url(), Some(KEY), fast());
    contract_suite(&erp).await;
    let (code, log) = server.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(!log.contains(KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_read_the_same_from_both_implementations() {
    let server = ErpServer::start(KEY);
    let http = client(server.url(), Some(KEY), fast());
    let local = LocalErp::in_memory("served").unwrap();
    local_with_orgs(&local);
    let a = http.get("acme", "briefs", "b1").await.unwrap_err().to_string();
    let b = local.get("acme", "briefs", "b1").await.unwrap_err().to_string();
    assert_eq!(a, b);
    assert_eq!(
        a,
        "ERP instance `served` answered 404 to GET /api/v1/briefs/b1 for org `acme`: no `briefs` record `b1`"
    );
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP against `agentb erp serve`: auth, malformed input, limits, documents.

struct Raw {
    http: reqwest::Client,
    url: String,
}

impl Raw {
    fn new(server: &ErpServer) -> Self {
        Self { http: reqwest::Client::new(), url: server.url().to_owned() }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{status} body is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, headers, value)
    }
}

/// A raw request and the status and error code it must get.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, Option<Vec<u8>>, u16, &'a str);

const AUTH: (&str, &str) = ("authorization", "Bearer test-key-7f3a9c2e51d84b06a1");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_keys_get_401_never_500() {
    let server = ErpServer::builder().key(Some(KEY)).args(&["-v"]).start();
    let raw = Raw::new(&server);
    let wrong = format!("Bearer {WRONG_KEY}");
    let prefix = format!("Bearer {}", &KEY[..KEY.len() - 1]);
    let longer = format!("Bearer {KEY}x");
    let lower = format!("bearer {WRONG_KEY}");
    let auths: Vec<Option<&str>> = vec![
        None,
        Some(&wrong),
        Some("Bearer "),
        Some("Basic dXNlcjpwYXNz"),
        Some(KEY),
        Some(&prefix),
        Some(&longer),
        Some(&lower),
    ];
    let requests: &[(&str, &str, Option<&str>)] = &[
        ("GET", "/api/v1/briefs", None),
        ("GET", "/api/v1/organizations", None),
        ("POST", "/api/v1/briefs", Some("{not json")),
        ("PUT", "/api/v1/agent-skills", Some("{}")),
        ("PATCH", "/api/v1/briefs/b1", Some("[]")),
        ("DELETE", "/api/v1/briefs/b1", None),
        ("GET", "/api/v1/Bad_Name/x", None),
    ];
    for auth in &auths {
        for (method, path, body) in requests {
            let mut headers = vec![("x-organization-id", "acme")];
            if let Some(auth) = auth {
                headers.push(("authorization", auth));
            }
            let (status, response_headers, body) =
                raw.send(method, path, &headers, body.map(|b| b.as_bytes().to_vec())).await;
            assert_eq!(status, 401, "{method} {path} with {auth:?}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized");
            assert_eq!(response_headers["www-authenticate"], "Bearer");
            assert!(!body.to_string().contains(KEY) && !body.to_string().contains(WRONG_KEY));
        }
    }
    // The typed client says which key to check, and never shows either key.
    let erp = client(server.url(), Some(WRONG_KEY), fast());
    let err = expect_status(erp.list("acme", "briefs", &ListQuery::new()).await, 401, "unauthorized");
    let text = format!("{err} {err:?} {}", err.hint().unwrap());
    assert!(text.contains("check the service key"), "{text}");
    assert!(!text.contains(WRONG_KEY) && !text.contains(KEY), "{text}");
    let no_key = client(server.url(), None, fast());
    expect_status(no_key.organizations().await, 401, "unauthorized");
    // No retries on 401: the server saw one request per call.
    let (_, log) = server.stop();
    let tries = log.lines().filter(|l| l.contains("status=401")).count();
    assert_eq!(tries, auths.len() * requests.len() + 2, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_and_integer_errors_state_the_limit_really_applied() {
    let server = ErpServer::builder().key(Some(KEY)).start();
    let raw = Raw::new(&server);
    let headers = [AUTH, ("x-organization-id", "acme")];
    let body_of = |len: usize| {
        let mut body = b"{\"text\":\"".to_vec();
        body.resize(len - 2, b'x');
        body.extend_from_slice(b"\"}");
        body
    };
    // A body over 1 MiB: the request body limit.
    let (status, _, value) = raw.send("POST", "/api/v1/briefs", &headers, Some(body_of(1024 * 1024 + 1))).await;
    assert_eq!(status, 413, "{value}");
    let message = value["error"]["message"].as_str().unwrap();
    assert!(message.contains("request body") && message.contains("1048576 bytes"), "{message}");
    // A body under 1 MiB whose record, with the fields the server adds, is over it: the limit on
    // the stored record, and the message says so.
    let (status, _, value) = raw.send("POST", "/api/v1/briefs", &headers, Some(body_of(1024 * 1024 - 10))).await;
    assert_eq!(status, 413, "{value}");
    let message = value["error"]["message"].as_str().unwrap();
    assert!(message.contains("stored record") && message.contains("1048576 bytes"), "{message}");
    assert!(!message.contains("request body is"), "{message}");
    // An integer beyond 64 bits is named, and nothing is stored.
    let (status, _, value) = raw
        .send("POST", "/api/v1/briefs", &headers, Some(b"{\"id\":\"big\",\"n\":18446744073709551616}".to_vec()))
        .await;
    assert_eq!((status, value["error"]["code"].as_str()), (400, Some("integer_out_of_range")), "{value}");
    assert!(value["error"]["message"].as_str().unwrap().contains("`18446744073709551616`"), "{value}");
    let (status, _, _) = raw.send("GET", "/api/v1/briefs/big", &headers, None).await;
    assert_eq!(status, 404);
    // Digits in strings and floats are fine; the largest u64 is kept exactly.
    let body = b"{\"id\":\"ok\",\"s\":\"18446744073709551616\",\"f\":2.5e3,\"n\":18446744073709551615}".to_vec();
    let (status, _, value) = raw.send("POST", "/api/v1/briefs", &headers, Some(body)).await;
    assert_eq!(status, 201, "{value}");
    assert_eq!(value["n"].as_u64(), Some(u64::MAX));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_mistakes_get_json_4xx_never_5xx() {
    let server = ErpServer::builder().key(Some(KEY)).args(&["-v"]).start();
    let raw = Raw::new(&server);
    let org = ("x-organization-id", "acme");
    let huge = {
        let mut body = b"{\"text\":\"".to_vec();
        body.resize(2 * 1024 * 1024, b'x');
        body.extend_from_slice(b"\"}");
        body
    };
    let cases: Vec<Case> = vec![
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(b"{\"title\":".to_vec()), 400, "malformed_json"),
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(b"[1, 2]".to_vec()), 400, "malformed_json"),
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(b"\"text\"".to_vec()), 400, "malformed_json"),
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(Vec::new()), 400, "malformed_json"),
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(vec![0xff, 0xfe, 0x00]), 400, "malformed_json"),
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(b"{\"a\":1} trailing".to_vec()), 400, "malformed_json"),
        ("POST", "/api/v1/briefs", vec![AUTH, org], Some(huge.clone()), 413, "payload_too_large"),
        (
            "POST",
            "/api/v1/briefs",
            vec![AUTH, org],
            Some(b"{\"n\":18446744073709551616}".to_vec()),
            400,
            "integer_out_of_range",
        ),
        (
            "PATCH",
            "/api/v1/briefs/b1",
            vec![AUTH, org],
            Some(b"{\"a\":[{\"n\":-9223372036854775809}]}".to_vec()),
            400,
            "integer_out_of_range",
        ),
        ("PUT", "/api/v1/knowledge", vec![AUTH, org], Some(huge), 413, "payload_too_large"),
        ("PATCH", "/api/v1/briefs/b1", vec![AUTH, org], Some(b"nope".to_vec()), 400, "malformed_json"),
        ("GET", "/api/v1/briefs", vec![AUTH], None, 400, "missing_org"),
        ("POST", "/api/v1/briefs", vec![AUTH], Some(b"{}".to_vec()), 400, "missing_org"),
        ("GET", "/api/v1/briefs", vec![AUTH, ("x-organization-id", " ")], None, 400, "invalid_org"),
        ("GET", "/api/v1/briefs", vec![AUTH, ("x-organization-id", "zeta")], None, 404, "org_not_found"),
        ("GET", "/api/v1/briefs?limit=abc", vec![AUTH, org], None, 400, "invalid_query"),
        ("GET", "/api/v1/briefs?limit=0", vec![AUTH, org], None, 400, "invalid_query"),
        ("GET", "/api/v1/briefs?limit=501", vec![AUTH, org], None, 400, "invalid_query"),
        ("GET", "/api/v1/briefs?cursor=zz", vec![AUTH, org], None, 400, "invalid_cursor"),
        ("GET", "/api/v1/briefs?a%20b=1", vec![AUTH, org], None, 400, "invalid_query"),
        ("GET", "/api/v1/briefs?organizationId=beta", vec![AUTH, org], None, 403, "org_mismatch"),
        ("GET", "/api/v1/organizations?limit=-1", vec![AUTH], None, 400, "invalid_query"),
        ("GET", "/api/v1/Bad_Name", vec![AUTH, org], None, 400, "invalid_collection"),
        ("GET", "/api/v1/briefs/%FF", vec![AUTH, org], None, 400, "invalid_path"),
        ("GET", "/api/v1/briefs/b1", vec![AUTH, org], None, 404, "not_found"),
        ("GET", "/api/v1/briefs/b1/extra", vec![AUTH, org], None, 404, "not_found"),
        ("GET", "/api/v2/briefs", vec![AUTH, org], None, 404, "not_found"),
        ("PATCH", "/api/v1/briefs", vec![AUTH, org], Some(b"{}".to_vec()), 405, "method_not_allowed"),
        ("PUT", "/api/v1/briefs", vec![AUTH, org], Some(b"{}".to_vec()), 405, "method_not_allowed"),
        ("POST", "/api/v1/organizations", vec![AUTH, org], Some(b"{}".to_vec()), 405, "method_not_allowed"),
        ("DELETE", "/api/v1/organizations/acme", vec![AUTH, org], None, 405, "method_not_allowed"),
        ("POST", "/api/v1/agent-skills", vec![AUTH, org], Some(b"{}".to_vec()), 422, "invalid_record"),
        (
            "POST",
            "/api/v1/agent-skills",
            vec![AUTH, org],
            Some(b"{\"slug\":1,\"name\":2}".to_vec()),
            422,
            "invalid_record",
        ),
        ("POST", "/healthz", vec![], None, 405, "method_not_allowed"),
    ];
    for (method, path, headers, body, status, code) in cases {
        let (got, response_headers, value) = raw.send(method, path, &headers, body).await;
        assert_eq!((got, value["error"]["code"].as_str()), (status, Some(code)), "{method} {path}: {value}");
        assert!(value["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{value}");
        assert_eq!(response_headers["content-type"], "application/json");
    }
    // The server still works after all that.
    let (status, _, value) = raw.send("GET", "/api/v1/briefs", &[AUTH, org], None).await;
    assert_eq!((status, value), (200, json!({"data": [], "nextCursor": null})));
    let (_, log) = server.stop();
    assert!(!log.contains("status=5"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_openapi_need_no_key_and_match_the_docs() {
    let server = ErpServer::start(KEY);
    let raw = Raw::new(&server);
    let (status, _, health) = raw.send("GET", "/healthz", &[], None).await;
    assert_eq!((status, health), (200, json!({"status": "ok"})));
    let (status, _, doc) = raw.send("GET", "/openapi.json", &[], None).await;
    assert_eq!(status, 200);
    let checked_in: Value =
        serde_json::from_str(&std::fs::read_to_string(crate::support::repo().join("docs/erp-openapi.json")).unwrap())
            .unwrap();
    assert_eq!(doc, checked_in);
    assert_eq!(doc["openapi"], "3.1.0");
    // Every operation of the document answers something other than a 5xx or a route miss.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{collection}", "widgets").replace("{id}", "w1");
        for method in item.as_object().unwrap().keys().filter(|k| k.as_str() != "parameters") {
            let body = matches!(method.as_str(), "post" | "put" | "patch").then(|| b"{}".to_vec());
            let (status, _, value) =
                raw.send(&method.to_uppercase(), &concrete, &[AUTH, ("x-organization-id", "acme")], body).await;
            assert!(status < 500, "{method} {concrete}: {status} {value}");
            assert_ne!(
                value["error"]["message"].as_str().map(|m| m.starts_with("no route")),
                Some(true),
                "{method} {concrete}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_dev_serves_without_a_key_on_loopback() {
    let server = ErpServer::builder().args(&["--insecure-dev"]).start();
    let erp = client(server.url(), None, fast());
    assert_eq!(erp.organizations().await.unwrap().len(), 4);
    erp.create("acme", "briefs", obj(json!({"title": "t"}))).await.unwrap();
    assert!(server.log().contains("warning: serving without a key"), "{}", server.log());
}

// ---------------------------------------------------------------------------------------------
// The client against scripted servers: retries, Retry-After, timeouts, headers.

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    fn new(status: u16, body: &str) -> Self {
        Self { status, headers: Vec::new(), body: body.to_owned(), delay: Duration::ZERO }
    }

    fn page() -> Self {
        Self::new(200, r#"{"data":[{"id":"b1","organizationId":"acme"}],"nextCursor":null}"#)
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

struct Scripted {
    url: String,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Scripted {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serves `script(n)` to the n-th request (from 0), on a free loopback port.
async fn scripted(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Scripted {
    use axum::response::IntoResponse as _;
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(script);
    let (h, s) = (Arc::clone(&hits), Arc::clone(&seen));
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let (hits, seen, script) = (Arc::clone(&h), Arc::clone(&s), Arc::clone(&script));
        async move {
            let n = hits.fetch_add(1, Ordering::SeqCst);
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            seen.lock().unwrap().push((header("authorization"), header("x-organization-id")));
            let reply = script(n);
            tokio::time::sleep(reply.delay).await;
            let mut response = (axum::http::StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
            for (name, value) in reply.headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Scripted { url, hits, seen }
}

#[tokio::test]
async fn retries_503_twice_then_succeeds_with_the_same_headers() {
    let server = scripted(|n| if n < 2 { Reply::new(503, "busy") } else { Reply::page() }).await;
    let erp = client(&server.url, Some(KEY), HttpOptions { max_retries: 3, ..fast() });
    let page = erp.list("acme", "briefs", &ListQuery::new()).await.unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(server.hits(), 3);
    let seen = server.seen.lock().unwrap().clone();
    assert!(seen.iter().all(|(auth, org)| auth == &format!("Bearer {KEY}") && org == "acme"), "{seen:?}");
}

#[tokio::test]
async fn honors_retry_after_on_429() {
    let server =
        scripted(|n| if n == 0 { Reply::new(429, "slow down").header("retry-after", "1") } else { Reply::page() })
            .await;
    let erp = client(&server.url, Some(KEY), fast());
    let started = Instant::now();
    erp.list("acme", "briefs", &ListQuery::new()).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_at_once() {
    let server = scripted(|_| Reply::new(429, "later").header("retry-after", "3600")).await;
    let erp = client(&server.url, Some(KEY), fast());
    let err = expect_status(erp.list("acme", "briefs", &ListQuery::new()).await, 429, "http_error");
    assert!(err.to_string().contains("retry after 3600 s"), "{err}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn never_retries_other_4xx() {
    for status in [400, 401, 403, 404, 409, 413, 422] {
        let body = r#"{"error":{"code":"nope","message":"not this way"}}"#;
        let server = scripted(move |_| Reply::new(status, body)).await;
        let erp = HttpErp::new("scripted", &server.url, Some(Secret::new(KEY)), fast()).unwrap();
        let err = expect_status(erp.create("acme", "briefs", obj(json!({"a": 1}))).await, status, "nope");
        assert_eq!(server.hits(), 1, "{status} was retried");
        assert_eq!(
            err.to_string(),
            format!("ERP instance `scripted` answered {status} to POST /api/v1/briefs for org `acme`: not this way")
        );
    }
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let server = scripted(|_| Reply::new(502, "<html>bad gateway</html>")).await;
    let erp = client(&server.url, Some(KEY), fast());
    let err = expect_status(erp.get("acme", "briefs", "b1").await, 502, "http_error");
    assert_eq!(server.hits(), 3);
    let text = err.to_string();
    // An HTML page is described, not dumped (issue 14).
    assert!(
        text.contains("it answered with an HTML page (24 bytes)") && text.ends_with("(after 3 attempts)"),
        "{text}"
    );
    assert!(!text.contains("<html>"), "{text}");
    assert_eq!(agentb::cli::command_error::CommandError::from(&err).status.code(), 3);
    assert!(err.hint().unwrap().contains("retry later"));
}

#[tokio::test]
async fn never_puts_the_key_in_error_text() {
    let echo = format!(r#"{{"error":{{"code":"echo","message":"you sent Bearer {KEY}"}}}}"#);
    let server = scripted(move |_| Reply::new(400, &echo)).await;
    let erp = client(&server.url, Some(KEY), fast());
    let err = expect_status(erp.list("acme", "briefs", &ListQuery::new()).await, 400, "echo");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("Bearer [redacted]"), "{text}");
    assert!(!format!("{erp:?}").contains(KEY));
}

#[tokio::test]
async fn connect_errors_are_retried_then_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let erp = client(&format!("http://127.0.0.1:{port}"), Some(KEY), fast());
    let started = Instant::now();
    let err = erp.create("acme", "briefs", obj(json!({"a": 1}))).await.unwrap_err();
    assert!(matches!(err, ErpError::Unreachable { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot reach ERP instance `served` (POST http://127.0.0.1:{port}/api/v1/briefs)")),
        "{text}"
    );
    assert!(text.contains("connection failed") && text.contains("(after 3 attempts)"), "{text}");
    assert!(err.hint().unwrap().contains("agentb erp ping --instance served"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn requests_time_out() {
    let server = scripted(|_| Reply::page().delay(Duration::from_secs(5))).await;
    let options = HttpOptions { timeout: Duration::from_millis(300), max_retries: 1, ..fast() };
    let erp = client(&server.url, Some(KEY), options);
    let started = Instant::now();
    let err = erp.list("acme", "briefs", &ListQuery::new()).await.unwrap_err();
    assert!(matches!(err, ErpError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("timed out after 300ms (after 2 attempts)"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(server.hits(), 2, "a GET that timed out is retried");
    // A create that timed out may have happened: it is not retried.
    let err = erp.create("acme", "briefs", obj(json!({"a": 1}))).await.unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn an_invalid_success_body_is_an_invalid_response() {
    let server = scripted(|_| Reply::new(200, "<html>login</html>")).await;
    let erp = client(&server.url, Some(KEY), fast());
    let err = erp.get("acme", "briefs", "b1").await.unwrap_err();
    assert!(matches!(err, ErpError::InvalidResponse { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("ERP instance `served` sent an invalid response to GET /api/v1/briefs/b1 for org `acme`"),
        "{err}"
    );
}

#[tokio::test]
async fn pagination_is_followed_to_the_last_page() {
    let server = scripted(|n| match n {
        0 => Reply::new(200, r#"{"data":[{"id":"a"}],"nextCursor":"c1"}"#),
        1 => Reply::new(200, r#"{"data":[{"id":"b"}],"nextCursor":"c2"}"#),
        _ => Reply::new(200, r#"{"data":[{"id":"c"}],"nextCursor":null}"#),
    })
    .await;
    let erp = client(&server.url, Some(KEY), fast());
    let all = erp.list_all("acme", "briefs", ListQuery::new()).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(server.hits(), 3);
}

// ---------------------------------------------------------------------------------------------
// The commands.

#[test]
fn serve_refuses_to_start_without_a_key() {
    Test::new()
        .args(["erp", "serve", "--addr", "127.0.0.1:0"])
        .run()
        .code(2)
        .stderr_contains("error: `AGENTB_ERP_KEY` is not set; `agentb erp serve` needs a service key")
        .stderr_contains("hint: export `AGENTB_ERP_KEY`")
        .no_panic()
        .done();
}

#[test]
fn insecure_dev_binds_loopback_only() {
    Test::new()
        .args(["erp", "serve", "--insecure-dev", "--addr", "0.0.0.0:0"])
        .run()
        .code(2)
        .stderr_contains("`--insecure-dev` serves on loopback addresses only, not `0.0.0.0:0`")
        .done();
    Test::new().args(["erp", "serve", "--addr", "not-an-address"]).env("AGENTB_ERP_KEY", KEY).run().code(2).done();
}

#[test]
fn serve_stops_gracefully_on_sigterm() {
    let server = ErpServer::start(KEY);
    let (code, log) = server.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("Stopped http://127.0.0.1:"), "{log}");
}

#[test]
fn serve_defaults_to_the_local_instance_database() {
    let run = Test::new().args(["erp", "org", "add", "zeta", "--name", "Zeta Inc"]).run().code(0);
    let server = ErpServer::builder().key(Some(KEY)).project(run.test.path()).start();
    assert!(server.log().contains("Serving `.agentbuilder/local/erp.sqlite`"), "{}", server.log());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let erp = client(server.url(), Some(KEY), fast());
    let orgs = rt.block_on(erp.organizations()).unwrap();
    let ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["acme", "beta", "corp", "demo", "zeta"]);
    assert_eq!(orgs[4].name, "Zeta Inc");
    // Records written by the server are what the `local` instance holds, and the reverse.
    rt.block_on(erp.create("acme", "briefs", obj(json!({"id": "b1", "title": "served"})))).unwrap();
    let local = LocalErp::open("local", &run.test.path().join(".agentbuilder/local/erp.sqlite")).unwrap();
    assert_eq!(rt.block_on(local.get("acme", "briefs", "b1")).unwrap()["title"], "served");
    run.test.args(["erp", "org", "add", "late"]).run().code(0).done();
    assert_eq!(rt.block_on(erp.organizations()).unwrap().len(), 6, "orgs added while serving are served");
}

#[test]
fn org_add_and_list_manage_a_local_instance() {
    let run = Test::new()
        .args(["erp", "org", "add", "zeta", "--name", "Zeta Inc"])
        .run()
        .code(0)
        .stderr_contains("Added org `zeta` to local instance `local`")
        .stderr_contains(
            "note: the config lists the orgs of `local`; add `zeta` to `orgs` under `[erp.instances.local]`",
        );
    let run =
        run.test.args(["erp", "org", "add", "zeta"]).run().code(0).stderr_contains("note: org `zeta` already exists");
    let run = run
        .test
        .args(["erp", "org", "add", "o1", "o2", "acme"])
        .run()
        .code(0)
        .stderr_contains("Added 2 orgs to local instance `local` (1 already existed)");
    let run = run.test.args(["erp", "org", "list"]).run().code(0);
    assert_eq!(run.stdout, "acme\nbeta\ncorp\ndemo\no1\no2\nzeta  Zeta Inc\n");
    let run = run.test.args(["--format", "json", "erp", "org", "list"]).run().code(0);
    assert_eq!(run.json()[6], json!({"id": "zeta", "name": "Zeta Inc"}));
    let run = run.test.args(["--format", "sarif", "erp", "org", "list"]).run().code(2);
    let run = run
        .test
        .args(["erp", "org", "add", "Bad Id!"])
        .run()
        .code(2)
        .stderr_contains("`Bad Id!` is not a valid org id");
    run.test
        .args(["erp", "org", "add", "a", "b", "--name", "X"])
        .run()
        .code(2)
        .stderr_contains("`--name` names one org")
        .done();
}

#[test]
fn org_add_with_db_and_org_list_of_a_remote_instance() {
    let server = ErpServer::start(KEY);
    server.add_orgs(&["extra-1", "extra-2"]);
    let config = server.instance_config("remote", "REMOTE_KEY");
    let run = Test::new()
        .file(".agentbuilder.toml", &config)
        .env("REMOTE_KEY", KEY)
        .args(["erp", "org", "list", "--instance", "remote"])
        .run()
        .code(0);
    assert_eq!(run.stdout, "acme\nbeta\ncorp\ndemo\nextra-1\nextra-2\n");
    run.test
        .args(["erp", "org", "add", "x", "--instance", "remote"])
        .run()
        .code(2)
        .stderr_contains("`agentb erp org add` manages local instances; `remote` is at `http://127.0.0.1:")
        .done();
}

#[test]
fn ping_reports_latency_of_local_and_remote_instances() {
    let run = Test::new().args(["erp", "ping"]).run().code(0);
    assert!(
        run.stdout.starts_with("instance `local` at `.agentbuilder/local/erp.sqlite`: 4 orgs listed in "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(", org `acme` answered in "), "{}", run.stdout);

    let server = ErpServer::start(KEY);
    let config = server.instance_config("remote", "REMOTE_KEY");
    let run = Test::new()
        .file(".agentbuilder.toml", &config)
        .env("REMOTE_KEY", KEY)
        .args(["erp", "ping", "--instance", "remote", "--org", "beta"])
        .run()
        .code(0);
    assert!(
        run.stdout.starts_with(&format!("instance `remote` at {}: 4 orgs listed in ", server.url())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("org `beta` answered in"), "{}", run.stdout);
    let run = run.test.args(["--format", "json", "erp", "ping", "--instance", "remote"]).run().code(0);
    let report = run.json();
    assert_eq!(
        (report["ok"].clone(), report["orgs"].clone(), report["org"].clone()),
        (json!(true), json!(4), json!("acme"))
    );
    assert!(report["latencyMs"].as_f64().unwrap() > 0.0);
    // An unknown org is a usage error (2), as in `deploy --org` and `run --org` (issue 14).
    let run = run
        .test
        .args(["erp", "ping", "--instance", "remote", "--org", "zeta"])
        .run()
        .code(2)
        .stderr_contains("error: instance `remote` has no org `zeta`");
    run.test
        .args(["erp", "ping", "--instance", "remot"])
        .run()
        .code(2)
        .stderr_contains("error: no ERP instance `remot` in the config")
        .stderr_contains("hint: did you mean `remote`?")
        .done();
}

#[test]
fn ping_fails_clearly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!(
        "[erp]\ndefault = \"down\"\n\n[erp.instances.down]\nurl = \"http://127.0.0.1:{port}\"\nkey_env = \"DOWN_KEY\"\nmax_retries = 0\ntimeout_secs = 2\n"
    );
    let run = Test::new()
        .file(".agentbuilder.toml", &config)
        .env("DOWN_KEY", KEY)
        .args(["erp", "ping", "--instance", "down"])
        .run()
        .code(3)
        .stderr_contains("error: cannot reach ERP instance `down` (GET http://127.0.0.1:")
        .stderr_contains("hint: check the instance's `url` and that the server is running")
        .output_lacks(KEY);
    run.test
        .args(["erp", "ping", "--instance", "down"])
        .env("DOWN_KEY", "")
        .run()
        .code(2)
        .stderr_contains("error: ERP instance `down` needs a service key in `DOWN_KEY`, which is not set")
        .stderr_contains("hint: export `DOWN_KEY`")
        .done();
}

#[test]
fn no_key_appears_in_any_output_even_at_vvv() {
    let server = ErpServer::builder().key(Some(KEY)).args(&["-vvv"]).start();
    let config = server.instance_config("remote", "REMOTE_KEY");
    let test = Test::new().file(".agentbuilder.toml", &config);
    let run = test.env("REMOTE_KEY", KEY).args(["-vvv", "erp", "ping", "--instance", "remote"]).run().code(0);
    assert!(run.stderr.contains("TRACE") || run.stderr.contains("DEBUG"), "no verbose log:\n{}", run.stderr);
    let run = run.output_lacks(KEY);
    let run = run.test.args(["-vvv", "erp", "org", "list", "--instance", "remote"]).run().code(0).output_lacks(KEY);
    let run = run
        .test
        .env("REMOTE_KEY", WRONG_KEY)
        .args(["-vvv", "erp", "ping", "--instance", "remote"])
        .run()
        .code(3)
        .stderr_contains("answered 401")
        .output_lacks(WRONG_KEY)
        .output_lacks(KEY);
    drop(run);
    let (code, log) = server.stop();
    assert_eq!(code, Some(0));
    assert!(log.contains("request method=GET path=/api/v1/organizations"), "no request log:\n{log}");
    assert!(log.contains("status=401"), "{log}");
    assert!(!log.contains(KEY) && !log.contains(WRONG_KEY), "a key reached the server log:\n{log}");
}
