//! Assembling a streamed Messages API response from its server-sent events: `message_start`,
//! `content_block_start` / `content_block_delta` (`text_delta`, `input_json_delta`,
//! `thinking_delta`, `signature_delta`) / `content_block_stop`, `message_delta`, `message_stop`,
//! `ping` and `error`. Unknown events are ignored, as the API asks.
//!
//! Every block is assembled whole, so it can go back to the API unchanged: a `citations_delta`
//! adds to its text block's `citations`; a block of a type agentb does not know (a
//! `server_tool_use`, a `compaction`) collects its `input_json_delta` into its `input`, and
//! takes any other delta's fields (a string appended to the string so far, anything else
//! replacing it).

use serde_json::Value;

#[cfg(test)]
use crate::claude::Extra;
use crate::claude::{ClaudeError, ContentBlock, MessagesResponse, StopReason, Usage};

/// Whether the stream goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `message_stop` arrived: the response is complete.
    Done,
}

/// One content block being streamed: the block from `content_block_start`, and for a
/// `tool_use` block the partial JSON of its input.
#[derive(Debug)]
struct Partial {
    block: ContentBlock,
    json: String,
}

/// Builds a [`MessagesResponse`] from the events of one stream.
#[derive(Debug, Default)]
pub struct Assembler {
    response: Option<MessagesResponse>,
    blocks: Vec<Option<Partial>>,
    done: bool,
    /// A tool call whose input JSON did not parse: an error, unless the reply was cut off at
    /// `max_tokens` (then the input is `{}` and the runtime does not run the call).
    bad_input: Option<ClaudeError>,
}

impl Assembler {
    /// Returns an assembler that has seen no event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one event: its SSE `event:` name (empty when absent) and its `data:`. Text deltas
    /// are passed to `on_text`. An `error` event, or an event that does not fit the API, is an
    /// error.
    pub fn event(
        &mut self,
        name: &str,
        data: &str,
        on_text: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<Flow, ClaudeError> {
        if name == "ping" {
            return Ok(Flow::Continue);
        }
        let value: Value = match serde_json::from_str(data) {
            Ok(value) => value,
            // Unknown events may carry anything; only the known ones must be JSON.
            Err(_) if !is_known(name) => return Ok(Flow::Continue),
            Err(e) => return Err(stream_error(format!("event `{name}` is not JSON: {e}"))),
        };
        let kind = if name.is_empty() || name == "message" {
            value.get("type").and_then(Value::as_str).unwrap_or_default().to_owned()
        } else {
            name.to_owned()
        };
        match kind.as_str() {
            "message_start" => {
                let message = value.get("message").cloned().ok_or_else(|| missing(&kind, "message"))?;
                let response: MessagesResponse = serde_json::from_value(message)
                    .map_err(|e| stream_error(format!("`message_start` does not hold a message: {e}")))?;
                self.blocks = response
                    .content
                    .iter()
                    .map(|block| Some(Partial { block: block.clone(), json: String::new() }))
                    .collect();
                self.response = Some(MessagesResponse { content: Vec::new(), ..response });
            }
            "content_block_start" => {
                let index = index_of(&value, &kind)?;
                let block = value.get("content_block").cloned().ok_or_else(|| missing(&kind, "content_block"))?;
                let block: ContentBlock = serde_json::from_value(block)
                    .map_err(|e| stream_error(format!("`content_block_start` holds an invalid block: {e}")))?;
                if let ContentBlock::Text { text, .. } = &block
                    && !text.is_empty()
                {
                    on_text(text);
                }
                if self.blocks.len() <= index {
                    self.blocks.resize_with(index + 1, || None);
                }
                self.blocks[index] = Some(Partial { block, json: String::new() });
            }
            "content_block_delta" => {
                let index = index_of(&value, &kind)?;
                let delta = value.get("delta").ok_or_else(|| missing(&kind, "delta"))?;
                let partial = self.blocks.get_mut(index).and_then(Option::as_mut).ok_or_else(|| {
                    stream_error(format!("`content_block_delta` for block {index}, which never started"))
                })?;
                apply_delta(partial, delta, on_text)?;
            }
            "content_block_stop" => {
                let index = index_of(&value, &kind)?;
                if let Some(Some(partial)) = self.blocks.get_mut(index) {
                    settle_block(partial, &mut self.bad_input);
                }
            }
            "message_delta" => {
                let response = self.response.as_mut().ok_or_else(|| before_start(&kind))?;
                if let Some(delta) = value.get("delta") {
                    if let Some(reason) = delta.get("stop_reason").filter(|v| !v.is_null()) {
                        response.stop_reason =
                            Some(serde_json::from_value::<StopReason>(reason.clone()).unwrap_or(StopReason::Other));
                    }
                    if let Some(sequence) = delta.get("stop_sequence").and_then(Value::as_str) {
                        response.stop_sequence = Some(sequence.to_owned());
                    }
                }
                if let Some(usage) = value.get("usage") {
                    merge_usage(&mut response.usage, usage);
                }
            }
            "message_stop" => {
                self.done = true;
                return Ok(Flow::Done);
            }
            "error" => {
                let error = value.get("error").unwrap_or(&value);
                let kind = error.get("type").and_then(Value::as_str).unwrap_or("error");
                let message = error.get("message").and_then(Value::as_str).unwrap_or("no message");
                return Err(stream_error(format!("the API sent an `{kind}` error event: {message}")));
            }
            _ => {}
        }
        Ok(Flow::Continue)
    }

    /// Returns the assembled response; an error when the stream ended before `message_stop`.
    pub fn finish(mut self) -> Result<MessagesResponse, ClaudeError> {
        if !self.done {
            return Err(self
                .bad_input
                .take()
                .unwrap_or_else(|| stream_error("the stream ended before `message_stop`".to_owned())));
        }
        let mut response = self.response.take().ok_or_else(|| before_start("message_stop"))?;
        for partial in self.blocks.iter_mut().flatten() {
            settle_block(partial, &mut self.bad_input);
        }
        if let Some(bad) = self.bad_input
            && response.stop_reason != Some(StopReason::MaxTokens)
        {
            return Err(bad);
        }
        response.content = self.blocks.into_iter().flatten().map(|p| p.block).collect();
        Ok(response)
    }
}

fn is_known(name: &str) -> bool {
    matches!(
        name,
        "" | "message"
            | "message_start"
            | "content_block_start"
            | "content_block_delta"
            | "content_block_stop"
            | "message_delta"
            | "message_stop"
            | "error"
    )
}

fn apply_delta(
    partial: &mut Partial,
    delta: &Value,
    on_text: &(dyn Fn(&str) + Send + Sync),
) -> Result<(), ClaudeError> {
    let text_of = |field: &str| delta.get(field).and_then(Value::as_str).unwrap_or_default();
    match (delta.get("type").and_then(Value::as_str).unwrap_or_default(), &mut partial.block) {
        ("text_delta", ContentBlock::Text { text, .. }) => {
            let piece = text_of("text");
            text.push_str(piece);
            if !piece.is_empty() {
                on_text(piece);
            }
        }
        ("citations_delta", ContentBlock::Text { extra, .. }) => {
            if let Some(citation) = delta.get("citation") {
                let citations = extra.entry("citations").or_insert_with(|| Value::Array(Vec::new()));
                match citations {
                    Value::Array(list) => list.push(citation.clone()),
                    other => *other = Value::Array(vec![citation.clone()]),
                }
            }
        }
        ("input_json_delta", ContentBlock::ToolUse { .. } | ContentBlock::Other(_)) => {
            partial.json.push_str(text_of("partial_json"));
        }
        ("thinking_delta", ContentBlock::Thinking { thinking, .. }) => thinking.push_str(text_of("thinking")),
        ("signature_delta", ContentBlock::Thinking { signature, .. }) => signature.push_str(text_of("signature")),
        (kind @ ("text_delta" | "input_json_delta" | "thinking_delta" | "signature_delta"), block)
            if !matches!(block, ContentBlock::Other(_)) =>
        {
            return Err(stream_error(format!("a `{kind}` for a `{}` block", block.kind())));
        }
        (_, ContentBlock::Other(Value::Object(block))) => merge_delta(block, delta),
        // Unknown delta types of known blocks are ignored.
        _ => {}
    }
    Ok(())
}

/// Takes an unknown block's delta: each field but `type` is appended to the block's string of
/// that name, or replaces the block's value.
fn merge_delta(block: &mut serde_json::Map<String, Value>, delta: &Value) {
    let Some(fields) = delta.as_object() else { return };
    for (key, value) in fields.iter().filter(|(key, _)| key.as_str() != "type") {
        match (block.get_mut(key), value) {
            (Some(Value::String(so_far)), Value::String(piece)) => so_far.push_str(piece),
            _ => {
                block.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Finishes a block; a tool input that does not parse becomes `{}` and its error is kept in
/// `bad` (the first one).
fn settle_block(partial: &mut Partial, bad: &mut Option<ClaudeError>) {
    if let Err(e) = finish_block(partial) {
        let empty = Value::Object(serde_json::Map::new());
        match &mut partial.block {
            ContentBlock::ToolUse { input, .. } => *input = empty,
            ContentBlock::Other(Value::Object(block)) => {
                block.insert("input".to_owned(), empty);
            }
            _ => {}
        }
        partial.json.clear();
        bad.get_or_insert(e);
    }
}

/// Parses the accumulated input JSON of a `tool_use` block (or of a server tool's block) into
/// its `input`.
fn finish_block(partial: &mut Partial) -> Result<(), ClaudeError> {
    if partial.json.trim().is_empty() {
        return Ok(());
    }
    let parsed = serde_json::from_str::<Value>(&partial.json);
    match &mut partial.block {
        ContentBlock::ToolUse { name, input, .. } => {
            *input =
                parsed.map_err(|e| stream_error(format!("the input of tool call `{name}` is not valid JSON: {e}")))?;
        }
        ContentBlock::Other(Value::Object(block)) => {
            let name = block.get("name").and_then(Value::as_str).unwrap_or("unnamed").to_owned();
            let value = parsed
                .map_err(|e| stream_error(format!("the input of server tool call `{name}` is not valid JSON: {e}")))?;
            block.insert("input".to_owned(), value);
        }
        _ => {}
    }
    partial.json.clear();
    Ok(())
}

/// `message_delta` usage counts are cumulative: a count present replaces the one so far.
fn merge_usage(usage: &mut Usage, delta: &Value) {
    let count = |field: &str| delta.get(field).and_then(Value::as_u64);
    if let Some(n) = count("input_tokens") {
        usage.input_tokens = n;
    }
    if let Some(n) = count("output_tokens") {
        usage.output_tokens = n;
    }
    if let Some(n) = count("cache_creation_input_tokens") {
        usage.cache_creation_input_tokens = n;
    }
    if let Some(n) = count("cache_read_input_tokens") {
        usage.cache_read_input_tokens = n;
    }
}

fn index_of(value: &Value, kind: &str) -> Result<usize, ClaudeError> {
    value
        .get("index")
        .and_then(Value::as_u64)
        .and_then(|i| usize::try_from(i).ok())
        .filter(|i| *i < 4096)
        .ok_or_else(|| missing(kind, "index"))
}

fn missing(kind: &str, field: &str) -> ClaudeError {
    stream_error(format!("event `{kind}` has no valid `{field}`"))
}

fn before_start(kind: &str) -> ClaudeError {
    stream_error(format!("event `{kind}` arrived before `message_start`"))
}

fn stream_error(message: String) -> ClaudeError {
    ClaudeError::Stream { message }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;

    /// Feeds `(event, data)` pairs; returns the outcome and the streamed text.
    fn feed(events: &[(&str, serde_json::Value)]) -> (Result<MessagesResponse, ClaudeError>, String) {
        let seen = Mutex::new(String::new());
        let on_text = |t: &str| seen.lock().unwrap().push_str(t);
        let mut assembler = Assembler::new();
        for (name, data) in events {
            match assembler.event(name, &data.to_string(), &on_text) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Done) => break,
                Err(e) => return (Err(e), seen.into_inner().unwrap()),
            }
        }
        (assembler.finish(), seen.into_inner().unwrap())
    }

    fn start() -> (&'static str, serde_json::Value) {
        (
            "message_start",
            json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1, "cache_read_input_tokens": 7}}}),
        )
    }

    #[test]
    fn assembles_text_and_tool_use_from_the_documented_events() {
        let (response, text) = feed(&[
            start(),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ),
            ("ping", json!({"type": "ping"})),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Okay, let me "}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "check."}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather", "input": {}}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"location\": \"San Fra"}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "ncisco, CA\", \"unit\": \"fahrenheit\"}"}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 1})),
            (
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 89}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ]);
        let response = response.unwrap();
        assert_eq!(text, "Okay, let me check.");
        assert_eq!(response.content.len(), 2);
        assert_eq!(response.text(), "Okay, let me check.");
        assert_eq!(
            response.content[1],
            ContentBlock::tool_use(
                "toolu_01T1x1fJ34qAmk2tNTrN7Up6".to_owned(),
                "get_weather".to_owned(),
                json!({"location": "San Francisco, CA", "unit": "fahrenheit"})
            )
        );
        assert_eq!(response.stop_reason, Some(StopReason::ToolUse));
        assert_eq!(
            response.usage,
            Usage { input_tokens: 25, output_tokens: 89, cache_creation_input_tokens: 0, cache_read_input_tokens: 7 }
        );
    }

    #[test]
    fn a_tool_use_without_input_deltas_keeps_its_start_input() {
        let (response, _) = feed(&[
            start(),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "n", "input": {}}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
            (
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 3}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ]);
        assert_eq!(response.unwrap().content[0], ContentBlock::tool_use("t", "n", json!({})));
    }

    #[test]
    fn assembles_thinking_and_keeps_unknown_blocks() {
        let (response, text) = feed(&[
            start(),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hmm"}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "sig"}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 1, "content_block": {"type": "web_search_tool_result", "tool_use_id": "s"}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 1, "delta": {"type": "citations_delta", "citation": {}}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 1})),
            ("message_stop", json!({"type": "message_stop"})),
        ]);
        let response = response.unwrap();
        assert_eq!(text, "", "thinking is not streamed as text");
        assert_eq!(
            response.content[0],
            ContentBlock::Thinking { thinking: "hmm".to_owned(), signature: "sig".to_owned(), extra: Extra::new() }
        );
        assert_eq!(response.content[1].kind(), "web_search_tool_result");
    }

    #[test]
    fn unknown_events_are_ignored() {
        let seen = Mutex::new(String::new());
        let on_text = |t: &str| seen.lock().unwrap().push_str(t);
        let mut assembler = Assembler::new();
        let (name, data) = start();
        assembler.event(name, &data.to_string(), &on_text).unwrap();
        assert_eq!(
            assembler.event("brand_new_event", r#"{"type":"brand_new_event","x":1}"#, &on_text).unwrap(),
            Flow::Continue
        );
        assert_eq!(assembler.event("weird", "not json at all", &on_text).unwrap(), Flow::Continue);
        assert_eq!(assembler.event("ping", "", &on_text).unwrap(), Flow::Continue);
        assert_eq!(assembler.event("message_stop", r#"{"type":"message_stop"}"#, &on_text).unwrap(), Flow::Done);
        assert_eq!(assembler.finish().unwrap().id, "msg_1");
    }

    #[test]
    fn an_error_event_is_an_error() {
        let (response, _) = feed(&[
            start(),
            ("error", json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})),
        ]);
        let err = response.unwrap_err();
        assert!(
            matches!(&err, ClaudeError::Stream { message } if message.contains("overloaded_error") && message.contains("Overloaded")),
            "{err}"
        );
    }

    #[test]
    fn a_stream_cut_short_is_an_error() {
        let (response, _) = feed(&[start()]);
        assert!(response.unwrap_err().to_string().contains("before `message_stop`"));
        let (response, _) = feed(&[("message_stop", json!({"type": "message_stop"}))]);
        assert!(response.unwrap_err().to_string().contains("before `message_start`"));
    }

    #[test]
    fn invalid_tool_input_json_is_an_error() {
        let (response, _) = feed(&[
            start(),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "erp_get_client", "input": {}}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"id\": "}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
        ]);
        assert!(response.unwrap_err().to_string().contains("`erp_get_client` is not valid JSON"));
    }

    #[test]
    fn a_tool_input_cut_off_at_max_tokens_is_empty_not_an_error() {
        let (response, _) = feed(&[
            start(),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "erp_create_brief", "input": {}}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"data\": {\"ti"}}),
            ),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
            (
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 9}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ]);
        let response = response.unwrap();
        assert_eq!(response.stop_reason, Some(StopReason::MaxTokens));
        assert!(matches!(&response.content[0], ContentBlock::ToolUse { input, .. } if *input == json!({})));
    }

    #[test]
    fn a_delta_for_a_block_that_never_started_is_an_error() {
        let (response, _) = feed(&[
            start(),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 3, "delta": {"type": "text_delta", "text": "x"}}),
            ),
        ]);
        assert!(response.unwrap_err().to_string().contains("never started"));
    }

    fn block_start(index: u64, block: &serde_json::Value) -> (&'static str, serde_json::Value) {
        ("content_block_start", json!({"type": "content_block_start", "index": index, "content_block": block}))
    }

    fn delta(index: u64, delta: &serde_json::Value) -> (&'static str, serde_json::Value) {
        ("content_block_delta", json!({"type": "content_block_delta", "index": index, "delta": delta}))
    }

    fn end(reason: &str) -> [(&'static str, serde_json::Value); 2] {
        [
            (
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": reason}, "usage": {"output_tokens": 9}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ]
    }

    #[test]
    fn a_server_tool_call_collects_its_streamed_input() {
        let mut events = vec![
            start(),
            block_start(0, &json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}})),
            delta(0, &json!({"type": "input_json_delta", "partial_json": "{\"query\": \"wea"})),
            delta(0, &json!({"type": "input_json_delta", "partial_json": "ther\"}"})),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
        ];
        events.extend(end("pause_turn"));
        let response = feed(&events).0.unwrap();
        assert_eq!(
            response.content,
            vec![ContentBlock::Other(
                json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "weather"}})
            )]
        );
    }

    #[test]
    fn a_server_tool_call_with_broken_input_is_an_error_naming_it() {
        let mut events = vec![
            start(),
            block_start(0, &json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}})),
            delta(0, &json!({"type": "input_json_delta", "partial_json": "{\"query\": "})),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
        ];
        events.extend(end("end_turn"));
        let error = feed(&events).0.unwrap_err().to_string();
        assert!(error.contains("server tool call `web_search`"), "{error}");
    }

    #[test]
    fn citations_deltas_are_kept_on_their_text_block() {
        let citation = json!({"type": "web_search_result_location", "url": "https://example.com", "title": "Example", "cited_text": "x", "encrypted_index": "Eo8B"});
        let mut events = vec![
            start(),
            block_start(0, &json!({"type": "text", "text": "", "citations": []})),
            delta(0, &json!({"type": "citations_delta", "citation": citation})),
            delta(0, &json!({"type": "text_delta", "text": "It is sunny."})),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
        ];
        events.extend(end("end_turn"));
        let (response, text) = feed(&events);
        let block = serde_json::to_value(&response.unwrap().content[0]).unwrap();
        assert_eq!(block, json!({"type": "text", "text": "It is sunny.", "citations": [citation]}));
        assert_eq!(text, "It is sunny.");
    }

    #[test]
    fn an_unknown_block_takes_the_fields_of_its_unknown_deltas() {
        let mut events = vec![
            start(),
            block_start(0, &json!({"type": "compaction", "content": null, "encrypted_content": null})),
            delta(0, &json!({"type": "compaction_delta", "content": "Earlier, ", "encrypted_content": "Ep"})),
            delta(0, &json!({"type": "compaction_delta", "content": "summarized."})),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
        ];
        events.extend(end("end_turn"));
        let response = feed(&events).0.unwrap();
        assert_eq!(
            response.content,
            vec![ContentBlock::Other(
                json!({"type": "compaction", "content": "Earlier, summarized.", "encrypted_content": "Ep"})
            )]
        );
    }

    #[test]
    fn a_known_delta_for_the_wrong_known_block_is_still_an_error() {
        let mut events = vec![
            start(),
            block_start(0, &json!({"type": "tool_use", "id": "t", "name": "n", "input": {}})),
            delta(0, &json!({"type": "text_delta", "text": "hi"})),
        ];
        events.extend(end("end_turn"));
        let error = feed(&events).0.unwrap_err().to_string();
        assert!(error.contains("a `text_delta` for a `tool_use` block"), "{error}");
    }
}
