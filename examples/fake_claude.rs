//! A standalone fake Claude Messages API for measurements outside the test suite (see
//! `scripts/runtime-memory.sh`): the test suite's fake server (`tests/support/claude.rs`) as a
//! process. It plays a model that calls one tool for `--turns` turns (saying `--pad` bytes of
//! text before each call), then answers `--output` in a fenced JSON block.
//!
//! ```sh
//! cargo run --release --example fake_claude -- --turns 100 --tool erp_list_clients \
//!     --input '{}' --output '{"ok": true}'
//! # prints "Listening on http://127.0.0.1:PORT" on stderr, serves until killed
//! ```

#[allow(dead_code)]
#[path = "../tests/support/claude.rs"]
mod claude;

use std::time::Duration;

use claude::{FakeClaude, Recorded, Reply};
use serde_json::{Value, json};

struct Args {
    turns: usize,
    tool: String,
    input: Value,
    output: String,
    pad: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { turns: 100, tool: "erp_list_clients".to_owned(), input: json!({}), output: "{}".to_owned(), pad: 0 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--turns" => args.turns = value()?.parse().map_err(|e| format!("`--turns`: {e}"))?,
            "--tool" => args.tool = value()?,
            "--input" => args.input = serde_json::from_str(&value()?).map_err(|e| format!("`--input`: {e}"))?,
            "--output" => args.output = value()?,
            "--pad" => args.pad = value()?.parse().map_err(|e| format!("`--pad`: {e}"))?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: fake_claude [--turns N] [--tool NAME] [--input JSON] [--output TEXT] [--pad BYTES]"
            );
            std::process::exit(2);
        }
    };
    let Args { turns, tool, input, output, pad } = args;
    // What the model "says" before each call: `--pad` bytes of text, so the session grows as a
    // chatty model's would.
    let words = "Checking the next record before deciding. ".repeat(pad / 42 + 1)[..pad].to_owned();
    let fake = FakeClaude::start([Reply::forever(move |request: &Recorded| {
        // Turn n is the request after n assistant messages.
        let done = request.messages().iter().filter(|m| m["role"] == "assistant").count();
        if done < turns {
            let call = json!({"type": "tool_use", "id": format!("toolu_{done:04}"), "name": tool, "input": input});
            let content = if pad == 0 { json!([call]) } else { json!([{"type": "text", "text": words}, call]) };
            Reply::message(json!({"content": content, "stop_reason": "tool_use"}))
        } else {
            Reply::text(&format!("```json\n{output}\n```"))
        }
    })]);
    eprintln!("Listening on {}", fake.url());
    loop {
        std::thread::sleep(Duration::from_hours(1));
    }
}
