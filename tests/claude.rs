//! The Claude client (`agentb::claude::ClaudeClient`) against the fake Messages API on loopback:
//! real HTTP, real SSE, real retries.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use agentb::claude::{
    ClaudeClient, ClaudeError, ClaudeOptions, ContentBlock, Message, MessagesRequest, Model as _, StopReason,
    SystemBlock, ToolDefinition, Usage,
};
use agentb::erp::Secret;
use serde_json::json;

use crate::support::claude::{FAKE_KEY, SseItem, events_of};
use crate::support::{FakeClaude, Reply};

/// Options with tiny backoff delays so retries are quick.
fn fast() -> ClaudeOptions {
    ClaudeOptions {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        max_retries: 3,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..ClaudeOptions::default()
    }
}

fn client(fake: &FakeClaude, options: ClaudeOptions) -> ClaudeClient {
    ClaudeClient::new(fake.url(), Secret::new(FAKE_KEY), options).expect("client")
}

fn request(stream: bool) -> MessagesRequest {
    let mut request = MessagesRequest::new("claude-sonnet-4-5", 256, vec![Message::user_text("What is the weather?")]);
    request.system = vec![SystemBlock::cached("You are terse.")];
    request.tools = vec![ToolDefinition {
        name: "get_weather".to_owned(),
        description: "Returns the weather".to_owned(),
        input_schema: json!({"type": "object", "properties": {"location": {"type": "string"}}}),
        cache_control: None,
    }];
    request.stream = stream;
    request
}

/// Sends `request`; returns the outcome and the text passed to `on_text`.
async fn send(
    client: &ClaudeClient,
    request: &MessagesRequest,
) -> (Result<agentb::claude::MessagesResponse, ClaudeError>, String) {
    let seen = Mutex::new(String::new());
    let on_text = |t: &str| seen.lock().unwrap().push_str(t);
    let result = client.send(request, &on_text).await;
    (result, seen.into_inner().unwrap())
}

/// Asserts the key appears in neither the error's Display nor its Debug.
fn assert_no_key(err: &ClaudeError) {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(FAKE_KEY) && !text.contains("SECRET"), "the key leaked: {text}");
    }
}

#[tokio::test]
async fn sends_the_headers_and_body_the_api_expects() {
    let fake = FakeClaude::start([Reply::text("Sunny.")]);
    let client = client(&fake, fast());
    let (response, streamed) = send(&client, &request(false)).await;
    let response = response.unwrap();
    assert_eq!(response.text(), "Sunny.");
    assert_eq!(response.stop_reason, Some(StopReason::EndTurn));
    assert_eq!(response.usage, Usage { input_tokens: 100, output_tokens: 20, ..Usage::default() });
    assert_eq!(streamed, "", "a non-streaming call passes no deltas");
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.header("x-api-key"), Some(FAKE_KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None, "the key goes only in x-api-key");
    assert_eq!(sent.body, serde_json::to_value(request(false)).unwrap());
    assert_eq!(sent.body["system"][0]["cache_control"], json!({"type": "ephemeral"}));
    assert!(sent.body.get("stream").is_none());
}

#[tokio::test]
async fn streams_text_deltas_and_assembles_the_message() {
    let fake = FakeClaude::start([Reply::text("It is sunny in Paris today.").usage(json!({
        "input_tokens": 40, "output_tokens": 12, "cache_creation_input_tokens": 5, "cache_read_input_tokens": 300
    }))]);
    let client = client(&fake, fast());
    let (response, streamed) = send(&client, &request(true)).await;
    let response = response.unwrap();
    assert_eq!(streamed, "It is sunny in Paris today.");
    assert_eq!(response.text(), "It is sunny in Paris today.");
    assert_eq!(response.stop_reason, Some(StopReason::EndTurn));
    assert_eq!(
        response.usage,
        Usage { input_tokens: 40, output_tokens: 12, cache_creation_input_tokens: 5, cache_read_input_tokens: 300 }
    );
    let sent = &fake.requests()[0];
    assert!(sent.stream());
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
}

#[tokio::test]
async fn assembles_tool_use_input_from_input_json_deltas() {
    let input = json!({"location": "San Francisco, CA", "unit": "celsius", "days": [1, 2, 3]});
    let fake = FakeClaude::start([Reply::message(json!({
        "content": [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": input},
            {"type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": {}}
        ],
        "stop_reason": "tool_use"
    }))]);
    let client = client(&fake, fast());
    let (response, streamed) = send(&client, &request(true)).await;
    let response = response.unwrap();
    assert_eq!(streamed, "Let me check.");
    assert_eq!(response.stop_reason, Some(StopReason::ToolUse));
    let calls: Vec<_> =
        response.tool_uses().map(|(id, name, input)| (id.to_owned(), name.to_owned(), input.clone())).collect();
    assert_eq!(
        calls,
        [
            ("toolu_01".to_owned(), "get_weather".to_owned(), input),
            ("toolu_02".to_owned(), "get_weather".to_owned(), json!({}))
        ]
    );
}

#[tokio::test]
async fn retries_429_then_529_then_succeeds_honoring_retry_after() {
    let fake = FakeClaude::start([
        Reply::error(429, "rate_limit_error", "Number of requests has exceeded your rate limit")
            .header("retry-after", "0"),
        Reply::error(529, "overloaded_error", "Overloaded").header("retry-after", "0"),
        Reply::text("finally"),
    ]);
    // The backoff alone would wait 30 s or more; only an honored `retry-after: 0` finishes in time.
    let options = ClaudeOptions { min_delay: Duration::from_secs(30), max_delay: Duration::from_mins(1), ..fast() };
    let client = client(&fake, options);
    let outcome = tokio::time::timeout(Duration::from_secs(10), send(&client, &request(false))).await;
    let (response, _) = outcome.expect("retry-after was not honored");
    assert_eq!(response.unwrap().text(), "finally");
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn waits_as_long_as_retry_after_says() {
    let fake = FakeClaude::start([
        Reply::error(429, "rate_limit_error", "slow down").header("retry-after", "1"),
        Reply::text("ok"),
    ]);
    let client = client(&fake, fast());
    let started = Instant::now();
    let (response, _) = send(&client, &request(false)).await;
    assert_eq!(response.unwrap().text(), "ok");
    assert!(started.elapsed() >= Duration::from_millis(950), "retried after {:?}", started.elapsed());
}

#[tokio::test]
async fn retries_streaming_requests_before_the_stream_starts() {
    let fake = FakeClaude::start([
        Reply::error(503, "api_error", "unavailable"),
        Reply::tool_use("t1", "get_weather", json!({"location": "Oslo"})),
    ]);
    let client = client(&fake, fast());
    let (response, _) = send(&client, &request(true)).await;
    assert_eq!(response.unwrap().tool_uses().next().unwrap().2, &json!({"location": "Oslo"}));
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let fake = FakeClaude::start([
        Reply::error(400, "invalid_request_error", "messages.0.content: Field required"),
        Reply::text("never sent"),
    ]);
    let client = client(&fake, fast());
    let (response, _) = send(&client, &request(false)).await;
    let err = response.unwrap_err();
    assert!(matches!(&err, ClaudeError::Api { status: 400, kind, .. } if kind == "invalid_request_error"), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(fake.url()) && text.contains("400") && text.contains("Field required"), "{text}");
    assert_eq!(fake.requests().len(), 1, "a 400 must not be retried");
    assert_no_key(&err);
}

#[tokio::test]
async fn other_4xx_are_not_retried() {
    for (status, kind) in
        [(401, "authentication_error"), (403, "permission_error"), (404, "not_found_error"), (413, "request_too_large")]
    {
        let fake = FakeClaude::start([Reply::error(status, kind, "no"), Reply::text("never sent")]);
        let (response, _) = send(&client(&fake, fast()), &request(false)).await;
        assert_eq!(response.unwrap_err().status(), Some(status));
        assert_eq!(fake.requests().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_spend_limit_429_is_not_retried() {
    let fake = FakeClaude::start([
        Reply::status(429).json(&json!({
            "type": "error",
            "error": {
                "type": "rate_limit_error",
                "message": "You have reached your organization's monthly spend limit.",
                "details": {"error_code": "enforced_spend_limit_reached"}
            }
        })),
        Reply::text("never sent"),
    ]);
    let client = client(&fake, fast());
    let (response, _) = send(&client, &request(false)).await;
    let err = response.unwrap_err();
    assert!(matches!(err, ClaudeError::SpendLimit { status: 429, .. }), "{err:?}");
    assert!(err.to_string().contains("spend limit"), "{err}");
    assert!(err.hint().unwrap().contains("spend limit"));
    assert_eq!(fake.requests().len(), 1, "a spend-limit 429 must not be retried");
}

#[tokio::test]
async fn a_spend_limit_told_only_by_its_message_is_not_retried() {
    let fake = FakeClaude::start([
        Reply::error(
            429,
            "rate_limit_error",
            "You have reached your specified API usage limits. You will regain access on 2026-02-01.",
        ),
        Reply::text("never sent"),
    ]);
    let (response, _) = send(&client(&fake, fast()), &request(false)).await;
    assert!(matches!(response.unwrap_err(), ClaudeError::SpendLimit { .. }));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let fake = FakeClaude::start([
        Reply::error(500, "api_error", "boom"),
        Reply::error(502, "api_error", "bad gateway"),
        Reply::error(500, "api_error", "boom again"),
        Reply::text("too late"),
    ]);
    let client = client(&fake, ClaudeOptions { max_retries: 2, ..fast() });
    let (response, _) = send(&client, &request(false)).await;
    let err = response.unwrap_err();
    assert!(matches!(err, ClaudeError::Api { status: 500, .. }), "{err:?}");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn an_exhausted_script_says_so() {
    let fake = FakeClaude::start([]);
    let client = client(&fake, ClaudeOptions { max_retries: 0, ..fast() });
    let (response, _) = send(&client, &request(false)).await;
    let err = response.unwrap_err();
    assert!(err.to_string().contains("fake claude: script exhausted"), "{err}");
}

#[tokio::test]
async fn an_sse_error_event_is_an_error() {
    let fake = FakeClaude::start([Reply::sse(vec![
        SseItem::event(
            "message_start",
            &json!({"type": "message_start", "message": {
                "id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5",
                "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 5, "output_tokens": 1}
            }}),
        ),
        SseItem::event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        SseItem::event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Partial"}}),
        ),
        SseItem::event(
            "error",
            &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
    ])]);
    let client = client(&fake, fast());
    let (response, streamed) = send(&client, &request(true)).await;
    let err = response.unwrap_err();
    assert!(matches!(&err, ClaudeError::Stream { message } if message.contains("overloaded_error")), "{err:?}");
    assert_eq!(streamed, "Partial");
    assert_eq!(fake.requests().len(), 1, "a stream that began is not retried");
    assert_eq!(
        agentb::cli::command_error::CommandError::from(&err).status,
        agentb::cli::command_error::ExitStatus::Remote
    );
}

#[tokio::test]
async fn unknown_sse_events_are_tolerated() {
    let message = json!({
        "id": "msg_2", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "Hello world"}], "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 3, "output_tokens": 2}
    });
    let mut items = events_of(&message);
    items.insert(1, SseItem::event("brand_new_event", &json!({"type": "brand_new_event", "payload": [1, 2]})));
    items.insert(3, SseItem::Event { name: "mystery".to_owned(), data: "not even json".to_owned() });
    items.insert(5, SseItem::Raw(": a comment line\n\n".to_owned()));
    items.insert(6, SseItem::event("ping", &json!({"type": "ping"})));
    let fake = FakeClaude::start([Reply::sse(items)]);
    let (response, streamed) = send(&client(&fake, fast()), &request(true)).await;
    let response = response.unwrap();
    assert_eq!(response.text(), "Hello world");
    assert_eq!(streamed, "Hello world");
    assert_eq!(response.usage.output_tokens, 2);
}

#[tokio::test]
async fn a_stream_cut_before_message_stop_is_an_error() {
    let message = json!({"content": [{"type": "text", "text": "Hi"}]});
    let mut items = events_of(&crate::support::claude::complete_message(message));
    items.pop();
    let fake = FakeClaude::start([Reply::sse(items)]);
    let (response, _) = send(&client(&fake, fast()), &request(true)).await;
    assert!(response.unwrap_err().to_string().contains("before `message_stop`"));
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let fake = FakeClaude::start([
        Reply::text("late").delay(Duration::from_secs(5)),
        Reply::text("late again").delay(Duration::from_secs(5)),
    ]);
    let options = ClaudeOptions { timeout: Duration::from_millis(300), max_retries: 1, ..fast() };
    let (response, _) = send(&client(&fake, options), &request(false)).await;
    let err = response.unwrap_err();
    assert!(matches!(err, ClaudeError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains(fake.url()), "{err}");
    assert_eq!(fake.requests().len(), 2, "a timeout is retried");
}

#[tokio::test]
async fn a_stalled_stream_times_out() {
    let message = crate::support::claude::complete_message(json!({"content": [{"type": "text", "text": "Hi there"}]}));
    let mut items = events_of(&message);
    items.insert(3, SseItem::Pause(Duration::from_secs(5)));
    let fake = FakeClaude::start([Reply::sse(items)]);
    let options = ClaudeOptions { timeout: Duration::from_millis(300), ..fast() };
    let started = Instant::now();
    let (response, _) = send(&client(&fake, options), &request(true)).await;
    let err = response.unwrap_err();
    assert!(matches!(err, ClaudeError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "the stall was not cut short");
}

#[tokio::test]
async fn an_unreachable_api_is_a_connect_error_naming_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let client = ClaudeClient::new(&url, Secret::new(FAKE_KEY), ClaudeOptions { max_retries: 1, ..fast() }).unwrap();
    let (response, _) = send(&client, &request(false)).await;
    let err = response.unwrap_err();
    assert!(matches!(err, ClaudeError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&url), "{err}");
    assert!(err.hint().is_some());
    assert_no_key(&err);
}

#[tokio::test]
async fn the_key_never_appears_in_errors_even_when_the_server_echoes_it() {
    let echo = |r: &crate::support::claude::Recorded| {
        let key = r.header("x-api-key").unwrap_or_default().to_owned();
        Reply::error(401, "authentication_error", &format!("invalid x-api-key: {key}"))
    };
    let stream_echo = |r: &crate::support::claude::Recorded| {
        let key = r.header("x-api-key").unwrap_or_default().to_owned();
        Reply::sse(vec![SseItem::event(
            "error",
            &json!({"type": "error", "error": {"type": "api_error", "message": key}}),
        )])
    };
    let fake = FakeClaude::start([
        Reply::from_fn(echo),
        Reply::from_fn(stream_echo),
        Reply::status(400).body(&format!("plain text with {FAKE_KEY}")),
    ]);
    let client = client(&fake, fast());
    let mut errors = Vec::new();
    for stream in [false, true, false] {
        errors.push(send(&client, &request(stream)).await.0.unwrap_err());
    }
    for err in &errors {
        assert_no_key(err);
        assert!(err.to_string().contains("[redacted]"), "{err}");
    }
    assert!(!format!("{client:?}").contains(FAKE_KEY));
}

#[tokio::test]
async fn from_config_reads_the_key_variable_and_base_url() {
    let fake = FakeClaude::start([Reply::text("configured")]);
    let config = agentb::config::ClaudeConfig {
        base_url: fake.url().to_owned(),
        api_key_env: "MY_CLAUDE_KEY".to_owned(),
        ..Default::default()
    };
    let env = agentb::env::Env::from_pairs([("MY_CLAUDE_KEY", FAKE_KEY)]);
    let client = ClaudeClient::from_config(&config, &env).unwrap();
    let (response, _) = send(&client, &request(false)).await;
    assert_eq!(response.unwrap().text(), "configured");
    assert_eq!(fake.requests()[0].header("x-api-key"), Some(FAKE_KEY));
}

#[tokio::test]
async fn replays_a_tool_round_trip() {
    // A model that calls a tool, then answers from its result: the second request carries the
    // assistant's tool_use and the user's tool_result.
    let fake = FakeClaude::start([
        Reply::tool_use("toolu_9", "get_weather", json!({"location": "Rome"})),
        Reply::from_fn(|r| {
            let last = r.messages().last().cloned().unwrap_or_default();
            Reply::text(&format!("saw {}", last["content"][0]["content"].as_str().unwrap_or("nothing")))
        }),
    ]);
    let client = client(&fake, fast());
    let mut req = request(false);
    let (first, _) = send(&client, &req).await;
    let first = first.unwrap();
    req.messages.push(Message::assistant(first.content.clone()));
    req.messages.push(Message::user(vec![ContentBlock::tool_result("toolu_9", "22 C", false)]));
    let (second, _) = send(&client, &req).await;
    assert_eq!(second.unwrap().text(), "saw 22 C");
    let sent = &fake.requests()[1];
    assert_eq!(sent.messages()[1]["content"][0]["type"], json!("tool_use"));
    assert_eq!(
        sent.messages()[2]["content"][0],
        json!({"type": "tool_result", "tool_use_id": "toolu_9", "content": "22 C"})
    );
}

#[tokio::test]
async fn a_forever_reply_answers_every_request() {
    let fake = FakeClaude::start([Reply::forever(|r| {
        Reply::tool_use(&format!("t{}", r.messages().len()), "get_weather", json!({}))
    })]);
    let client = client(&fake, fast());
    for _ in 0..3 {
        let (response, _) = send(&client, &request(false)).await;
        assert_eq!(response.unwrap().stop_reason, Some(StopReason::ToolUse));
    }
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn an_event_stream_is_read_even_when_no_stream_was_asked_for() {
    let message =
        crate::support::claude::complete_message(json!({"content": [{"type": "text", "text": "framed as SSE"}]}));
    let fake = FakeClaude::start([Reply::sse(events_of(&message)), Reply::stream(message)]);
    let (response, streamed) = send(&client(&fake, fast()), &request(false)).await;
    assert_eq!(response.unwrap().text(), "framed as SSE");
    assert_eq!(streamed, "", "text is streamed only when asked for");
    // And a stream request answered with JSON is decoded as JSON.
    let plain = crate::support::claude::complete_message(json!({"content": [{"type": "text", "text": "plain JSON"}]}));
    let fake = FakeClaude::start([Reply::status(200).json(&plain)]);
    let (response, _) = send(&client(&fake, fast()), &request(true)).await;
    assert_eq!(response.unwrap().text(), "plain JSON");
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_at_once() {
    let fake = FakeClaude::start([
        Reply::error(429, "rate_limit_error", "come back in an hour").header("retry-after", "3600"),
        Reply::text("never sent"),
    ]);
    let options = ClaudeOptions { max_retry_after: Duration::from_secs(5), ..fast() };
    let outcome = tokio::time::timeout(Duration::from_secs(10), send(&client(&fake, options), &request(false))).await;
    let (response, _) = outcome.expect("waited for the retry-after");
    assert!(matches!(response.unwrap_err(), ClaudeError::Api { status: 429, .. }));
    assert_eq!(fake.requests().len(), 1);
}
