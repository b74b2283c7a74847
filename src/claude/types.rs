//! The Anthropic Messages API types (`POST /v1/messages`), with field names exactly as the public
//! API spells them. Unknown content block types decode into [`ContentBlock::Other`] so a newer API
//! never breaks an older agentb; unknown stop reasons decode into [`StopReason::Other`].

use serde::{Deserialize, Serialize};

/// A request to `POST /v1/messages`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MessagesRequest {
    pub model: String,
    pub max_tokens: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<SystemBlock>,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDefinition>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
}

impl MessagesRequest {
    /// Returns a request for `model` with no system prompt, tools or options.
    pub fn new(model: impl Into<String>, max_tokens: u32, messages: Vec<Message>) -> Self {
        Self {
            model: model.into(),
            max_tokens,
            system: Vec::new(),
            messages,
            tools: Vec::new(),
            stream: false,
            temperature: None,
            stop_sequences: Vec::new(),
        }
    }
}

/// One block of the system prompt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SystemBlock {
    /// Always `"text"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
}

impl SystemBlock {
    /// Returns a text block without cache control.
    pub fn text(text: impl Into<String>) -> Self {
        Self { kind: "text".to_owned(), text: text.into(), cache_control: None }
    }

    /// Returns a text block marked as a cache breakpoint (`cache_control: ephemeral`).
    pub fn cached(text: impl Into<String>) -> Self {
        Self { cache_control: Some(CacheControl::ephemeral()), ..Self::text(text) }
    }
}

/// A prompt-caching breakpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CacheControl {
    /// Always `"ephemeral"`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl CacheControl {
    /// Returns `{"type": "ephemeral"}`.
    pub fn ephemeral() -> Self {
        Self { kind: "ephemeral".to_owned() }
    }
}

/// A tool the model may call.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolDefinition {
    pub name: String,
    pub description: String,
    pub input_schema: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One message of the conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentBlock>,
}

impl Message {
    /// Returns a user message holding one text block.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self { role: Role::User, content: vec![ContentBlock::text(text)] }
    }

    /// Returns a user message with the given blocks (for example `tool_result` blocks).
    pub fn user(content: Vec<ContentBlock>) -> Self {
        Self { role: Role::User, content }
    }

    /// Returns an assistant message with the given blocks (the model's reply, replayed).
    pub fn assistant(content: Vec<ContentBlock>) -> Self {
        Self { role: Role::Assistant, content }
    }
}

/// Fields of a known block that this version does not model (`citations` on a text block,
/// `caller` on a tool call, whatever the API adds next), kept so the block goes back to the API
/// exactly as it came.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A content block. Serialized with a `type` tag in snake case, as the API does. A block of a
/// type this version does not know is kept verbatim as [`ContentBlock::Other`]; the fields of a
/// known block that agentb does not read are kept in its `extra`.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentBlock {
    Text {
        text: String,
        extra: Extra,
    },
    ToolUse {
        id: String,
        name: String,
        input: serde_json::Value,
        extra: Extra,
    },
    ToolResult {
        tool_use_id: String,
        content: String,
        is_error: bool,
    },
    Thinking {
        thinking: String,
        signature: String,
        extra: Extra,
    },
    RedactedThinking {
        data: String,
        extra: Extra,
    },
    /// A block of a type agentb does not know, kept as the JSON the API sent.
    Other(serde_json::Value),
}

impl ContentBlock {
    /// Returns a text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into(), extra: Extra::new() }
    }

    /// Returns a `tool_use` block (the model's call of tool `name`).
    pub fn tool_use(id: impl Into<String>, name: impl Into<String>, input: serde_json::Value) -> Self {
        Self::ToolUse { id: id.into(), name: name.into(), input, extra: Extra::new() }
    }

    /// Returns a `tool_result` block answering `tool_use_id`.
    pub fn tool_result(tool_use_id: impl Into<String>, content: impl Into<String>, is_error: bool) -> Self {
        Self::ToolResult { tool_use_id: tool_use_id.into(), content: content.into(), is_error }
    }

    /// Returns the block's `type` tag.
    pub fn kind(&self) -> &str {
        match self {
            Self::Text { .. } => "text",
            Self::ToolUse { .. } => "tool_use",
            Self::ToolResult { .. } => "tool_result",
            Self::Thinking { .. } => "thinking",
            Self::RedactedThinking { .. } => "redacted_thinking",
            Self::Other(value) => value.get("type").and_then(serde_json::Value::as_str).unwrap_or("unknown"),
        }
    }
}

/// The known block types, with serde's derived tagged representation; [`ContentBlock`] wraps it
/// to add the verbatim fallback.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KnownBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: serde_json::Value,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(deserialize_with = "tool_result_content")]
        content: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
    Thinking {
        thinking: String,
        #[serde(default)]
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
}

const KNOWN_TYPES: [&str; 5] = ["text", "tool_use", "tool_result", "thinking", "redacted_thinking"];

/// Accepts a `tool_result` content given as a string or, as the API also allows, as an array of
/// text blocks (joined with newlines; non-text blocks are dropped).
fn tool_result_content<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    match value {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Array(blocks) => Ok(blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(serde_json::Value::as_str))
            .collect::<Vec<_>>()
            .join("\n")),
        other => {
            Err(serde::de::Error::custom(format!("tool_result content must be a string or an array, got {other}")))
        }
    }
}

impl Serialize for ContentBlock {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (known, extra) = match self.clone() {
            Self::Text { text, extra } => (KnownBlock::Text { text }, extra),
            Self::ToolUse { id, name, input, extra } => (KnownBlock::ToolUse { id, name, input }, extra),
            Self::ToolResult { tool_use_id, content, is_error } => {
                (KnownBlock::ToolResult { tool_use_id, content, is_error }, Extra::new())
            }
            Self::Thinking { thinking, signature, extra } => (KnownBlock::Thinking { thinking, signature }, extra),
            Self::RedactedThinking { data, extra } => (KnownBlock::RedactedThinking { data }, extra),
            Self::Other(value) => return value.serialize(serializer),
        };
        if extra.is_empty() {
            return known.serialize(serializer);
        }
        let mut value = serde_json::to_value(known).map_err(serde::ser::Error::custom)?;
        if let Some(object) = value.as_object_mut() {
            for (key, field) in extra {
                object.entry(key).or_insert(field);
            }
        }
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = value.get("type").and_then(serde_json::Value::as_str);
        if !kind.is_some_and(|k| KNOWN_TYPES.contains(&k)) {
            return Ok(Self::Other(value));
        }
        let mut extra = value.as_object().cloned().unwrap_or_default();
        let known = KnownBlock::deserialize(value).map_err(serde::de::Error::custom)?;
        let mut keep = |fields: &[&str]| {
            extra.remove("type");
            for field in fields {
                extra.remove(*field);
            }
            std::mem::take(&mut extra)
        };
        Ok(match known {
            KnownBlock::Text { text } => Self::Text { text, extra: keep(&["text"]) },
            KnownBlock::ToolUse { id, name, input } => {
                Self::ToolUse { id, name, input, extra: keep(&["id", "name", "input"]) }
            }
            KnownBlock::ToolResult { tool_use_id, content, is_error } => {
                Self::ToolResult { tool_use_id, content, is_error }
            }
            KnownBlock::Thinking { thinking, signature } => {
                Self::Thinking { thinking, signature, extra: keep(&["thinking", "signature"]) }
            }
            KnownBlock::RedactedThinking { data } => Self::RedactedThinking { data, extra: keep(&["data"]) },
        })
    }
}

/// The model's reply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MessagesResponse {
    pub id: String,
    pub model: String,
    pub role: Role,
    pub content: Vec<ContentBlock>,
    pub stop_reason: Option<StopReason>,
    #[serde(default)]
    pub stop_sequence: Option<String>,
    pub usage: Usage,
}

impl MessagesResponse {
    /// Returns the text of every text block, joined with newlines.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Returns the `tool_use` blocks as `(id, name, input)`.
    pub fn tool_uses(&self) -> impl Iterator<Item = (&str, &str, &serde_json::Value)> {
        self.content.iter().filter_map(|b| match b {
            ContentBlock::ToolUse { id, name, input, .. } => Some((id.as_str(), name.as_str(), input)),
            _ => None,
        })
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    StopSequence,
    PauseTurn,
    Refusal,
    /// A stop reason this version does not know.
    #[serde(other)]
    Other,
}

/// Token usage of one response (or, summed with [`Usage::add`], of a run).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default, deserialize_with = "null_as_zero")]
    pub cache_creation_input_tokens: u64,
    #[serde(default, deserialize_with = "null_as_zero")]
    pub cache_read_input_tokens: u64,
}

impl Usage {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_creation_input_tokens += other.cache_creation_input_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
    }
}

/// The API sends `null` for cache counts on some responses; count those as zero.
fn null_as_zero<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Ok(Option::<u64>::deserialize(deserializer)?.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn round_trip(block: &serde_json::Value) -> ContentBlock {
        let parsed: ContentBlock = serde_json::from_value(block.clone()).unwrap();
        assert_eq!(&serde_json::to_value(&parsed).unwrap(), block, "round trip of {block}");
        parsed
    }

    #[test]
    fn decodes_every_known_content_block() {
        assert_eq!(
            round_trip(&json!({"type": "text", "text": "Hi, I'm Claude."})),
            ContentBlock::text("Hi, I'm Claude.")
        );
        assert_eq!(
            round_trip(
                &json!({"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA"}})
            ),
            ContentBlock::tool_use(
                "toolu_01A09q90qw90lq917835lq9".to_owned(),
                "get_weather".to_owned(),
                json!({"location": "San Francisco, CA"})
            )
        );
        assert_eq!(
            round_trip(&json!({"type": "tool_result", "tool_use_id": "toolu_01", "content": "15 degrees"})),
            ContentBlock::tool_result("toolu_01", "15 degrees", false)
        );
        assert_eq!(
            round_trip(
                &json!({"type": "tool_result", "tool_use_id": "toolu_01", "content": "not found", "is_error": true})
            ),
            ContentBlock::tool_result("toolu_01", "not found", true)
        );
        assert_eq!(
            round_trip(&json!({"type": "thinking", "thinking": "Let me think", "signature": "EqQBCgIYAh"})),
            ContentBlock::Thinking {
                thinking: "Let me think".to_owned(),
                signature: "EqQBCgIYAh".to_owned(),
                extra: Extra::new()
            }
        );
        assert_eq!(
            round_trip(&json!({"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"})),
            ContentBlock::RedactedThinking { data: "EmwKAhgBEgy3va3pzix".to_owned(), extra: Extra::new() }
        );
    }

    #[test]
    fn tool_result_content_may_be_an_array_of_text_blocks() {
        let block: ContentBlock = serde_json::from_value(json!({
            "type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
        }))
        .unwrap();
        assert_eq!(block, ContentBlock::tool_result("t", "a\nb", false));
    }

    #[test]
    fn thinking_without_signature_defaults_to_empty() {
        let block: ContentBlock = serde_json::from_value(json!({"type": "thinking", "thinking": "x"})).unwrap();
        assert_eq!(
            block,
            ContentBlock::Thinking { thinking: "x".to_owned(), signature: String::new(), extra: Extra::new() }
        );
    }

    #[test]
    fn fields_of_known_blocks_that_agentb_does_not_read_go_back_unchanged() {
        let cited = json!({
            "type": "text",
            "text": "Sunny.",
            "citations": [{"type": "web_search_result_location", "url": "https://example.com", "title": "E", "cited_text": "x", "encrypted_index": "Eo8B"}]
        });
        let block = round_trip(&cited);
        assert!(
            matches!(&block, ContentBlock::Text { text, extra } if text == "Sunny." && extra.contains_key("citations"))
        );
        let called = json!({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}, "caller": {"type": "direct"}});
        let block = round_trip(&called);
        assert_eq!(block.kind(), "tool_use");
        round_trip(&json!({"type": "thinking", "thinking": "t", "signature": "s", "new_field": 1}));
        round_trip(&json!({"type": "redacted_thinking", "data": "d", "new_field": [1]}));
    }

    #[test]
    fn unknown_block_types_are_kept_verbatim() {
        let raw = json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}});
        let block = round_trip(&raw);
        assert_eq!(block, ContentBlock::Other(raw));
        assert_eq!(block.kind(), "server_tool_use");
        let untyped = json!({"no_type": true});
        assert_eq!(round_trip(&untyped), ContentBlock::Other(untyped));
    }

    #[test]
    fn a_malformed_known_block_is_an_error() {
        let err = serde_json::from_value::<ContentBlock>(json!({"type": "tool_use", "id": "x"})).unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn decodes_a_response_from_the_api_docs() {
        let response: MessagesResponse = serde_json::from_value(json!({
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
            "type": "message",
            "role": "assistant",
            "content": [
                {"type": "text", "text": "I'll check the weather."},
                {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"location": "Paris"}},
                {"type": "citations_delta_of_the_future", "x": 1}
            ],
            "model": "claude-sonnet-4-5",
            "stop_reason": "tool_use",
            "stop_sequence": null,
            "usage": {"input_tokens": 2095, "output_tokens": 503, "cache_creation_input_tokens": null, "cache_read_input_tokens": 1800, "service_tier": "standard"}
        }))
        .unwrap();
        assert_eq!(response.role, Role::Assistant);
        assert_eq!(response.stop_reason, Some(StopReason::ToolUse));
        assert_eq!(response.text(), "I'll check the weather.");
        assert_eq!(
            response.tool_uses().map(|(id, name, _)| (id, name)).collect::<Vec<_>>(),
            [("toolu_01", "get_weather")]
        );
        assert_eq!(
            response.usage,
            Usage {
                input_tokens: 2095,
                output_tokens: 503,
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: 1800
            }
        );
    }

    #[test]
    fn decodes_every_stop_reason_and_tolerates_new_ones() {
        for (text, reason) in [
            ("end_turn", StopReason::EndTurn),
            ("tool_use", StopReason::ToolUse),
            ("max_tokens", StopReason::MaxTokens),
            ("stop_sequence", StopReason::StopSequence),
            ("pause_turn", StopReason::PauseTurn),
            ("refusal", StopReason::Refusal),
            ("model_context_window_exceeded", StopReason::Other),
        ] {
            assert_eq!(serde_json::from_value::<StopReason>(json!(text)).unwrap(), reason, "{text}");
        }
        assert_eq!(serde_json::to_value(StopReason::PauseTurn).unwrap(), json!("pause_turn"));
    }

    #[test]
    fn serializes_a_request_as_the_api_expects() {
        let mut request = MessagesRequest::new("claude-sonnet-4-5", 1024, vec![Message::user_text("Hello")]);
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]})
        );
        request.system = vec![SystemBlock::cached("You are a brief writer.")];
        request.tools = vec![ToolDefinition {
            name: "erp_get_client".to_owned(),
            description: "Reads a client".to_owned(),
            input_schema: json!({"type": "object"}),
            cache_control: Some(CacheControl::ephemeral()),
        }];
        request.stream = true;
        request.temperature = Some(0.2);
        request.stop_sequences = vec!["END".to_owned()];
        request.messages.push(Message::assistant(vec![ContentBlock::tool_use(
            "t1".to_owned(),
            "erp_get_client".to_owned(),
            json!({"id": "c1"}),
        )]));
        request.messages.push(Message::user(vec![ContentBlock::tool_result("t1", "{}", false)]));
        let value = serde_json::to_value(&request).unwrap();
        assert_eq!(
            value["system"],
            json!([{"type": "text", "text": "You are a brief writer.", "cache_control": {"type": "ephemeral"}}])
        );
        assert_eq!(value["tools"][0]["cache_control"], json!({"type": "ephemeral"}));
        assert_eq!(value["stream"], json!(true));
        assert_eq!(value["stop_sequences"], json!(["END"]));
        assert_eq!(value["messages"][1]["role"], json!("assistant"));
        assert_eq!(
            value["messages"][2]["content"][0],
            json!({"type": "tool_result", "tool_use_id": "t1", "content": "{}"})
        );
        let back: MessagesRequest = serde_json::from_value(value).unwrap();
        assert_eq!(back, request);
    }

    #[test]
    fn usage_adds_up() {
        let mut total = Usage::default();
        let one =
            Usage { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 3, cache_read_input_tokens: 100 };
        total.add(&one);
        total.add(&one);
        assert_eq!(
            total,
            Usage { input_tokens: 20, output_tokens: 10, cache_creation_input_tokens: 6, cache_read_input_tokens: 200 }
        );
    }
}
