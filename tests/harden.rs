//! Hardening: isolation on single-record routes, ids that are not single path segments,
//! pasted keys never echoed, server limits, response size caps, hook process groups, integer
//! range, oversize artifacts, missing descriptions, secret false positives, and the real
//! shapes of Claude API replies.

use serde_json::Value;

use crate::support::ErpServer;

const KEY: &str = "test-key-7f3a9c2e51d84b06a1";

/// Sends a raw request to `server`; returns the status and the JSON body (`null` when empty).
async fn raw(
    server: &ErpServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = http.request(method, format!("{}{path}", server.url())).bearer_auth(KEY);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

const ACME: (&str, &str) = ("x-organization-id", "acme");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_record_routes_refuse_a_foreign_org_in_query_or_body() {
    let server = ErpServer::start(KEY);
    let (status, _) = raw(&server, "POST", "/api/v1/clients", &[ACME], Some(r#"{"id":"q3","name":"Q"}"#)).await;
    assert_eq!(status, 201);
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("GET", "/api/v1/clients/q3?organizationId=beta", None),
        ("PATCH", "/api/v1/clients/q3?organizationId=beta", Some(r#"{"name":"X"}"#)),
        ("PUT", "/api/v1/clients/q3?organizationId=beta", Some(r#"{"name":"X"}"#)),
        ("DELETE", "/api/v1/clients/q3?organizationId=beta", None),
        ("DELETE", "/api/v1/clients/q3", Some(r#"{"organizationId":"beta"}"#)),
        ("PATCH", "/api/v1/clients/q3", Some(r#"{"organizationId":"beta"}"#)),
    ];
    for (method, path, body) in cases {
        let (status, value) = raw(&server, method, path, &[ACME], *body).await;
        assert_eq!((status, value["error"]["code"].as_str()), (403, Some("org_mismatch")), "{method} {path}: {value}");
    }
    // The own org in the query or a DELETE body is fine; q3 is still there, unchanged.
    let (status, value) = raw(&server, "GET", "/api/v1/clients/q3?organizationId=acme", &[ACME], None).await;
    assert_eq!((status, value["name"].as_str()), (200, Some("Q")), "{value}");
    // A repeated org header is a 400 on every route.
    let twice = [ACME, ("x-organization-id", "beta")];
    for (method, path) in [("GET", "/api/v1/clients/q3"), ("GET", "/api/v1/clients"), ("DELETE", "/api/v1/clients/q3")]
    {
        let (status, value) = raw(&server, method, path, &twice, None).await;
        assert_eq!((status, value["error"]["code"].as_str()), (400, Some("duplicate_org")), "{method} {path}: {value}");
    }
    let (status, _) = raw(&server, "DELETE", "/api/v1/clients/q3", &[ACME], Some(r#"{"organizationId":"acme"}"#)).await;
    assert_eq!(status, 200);
}
