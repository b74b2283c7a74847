#!/usr/bin/env bash
# Measures the peak memory (maximum resident set size) of `agentb run` over a long session: a
# fake Claude (examples/fake_claude.rs) that calls `erp_list_clients` for TURNS turns, saying
# PAD bytes of text before each call, then answers; the embedded ERP holds CLIENTS clients, so
# every tool result carries them back into the conversation. See BENCHMARKS.md ("Runtime").
#
# Usage: scripts/runtime-memory.sh [TURNS] [PAD] [CLIENTS]   (defaults: 100 turns, 2000 bytes, 20)
#   AGENTB=/path/to/agentb measures that binary instead of building this checkout.
#
# Needs GNU time (/usr/bin/time) and curl.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
turns=${1:-100}
pad=${2:-2000}
clients=${3:-20}
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }
command -v curl >/dev/null || { echo "error: curl is missing" >&2; exit 2; }

echo "== building (release)" >&2
(cd "$root" && cargo build --release --quiet --bin agentb --example fake_claude)
agentb=${AGENTB:-$root/target/release/agentb}
fake_bin=$root/target/release/examples/fake_claude

work=$(mktemp -d /tmp/agentb-memory.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/skills"
cat > "$work/skills/client-lister.md" <<'SKILL'
---
id: client-lister
type: skill
version: 1.0.0
status: active
category: clients
description: Lists the clients again and again, then sums them up.
triggers:
  - event: manual_invoke
inputs:
  - name: topic
    type: string
    required: true
    description: What to look for.
outputs:
  - name: summary
    type: string
    description: One line about the clients.
permissions:
  - client:read
---

# Client Lister

## Purpose

Read the clients with `erp_list_clients` until every one has been seen.

## Process

1. Call `erp_list_clients`.
2. Return `summary`.
SKILL
cat > "$work/.agentbuilder.toml" <<TOML
[claude]
max_retries = 0

[limits]
max_turns = $((turns + 10))
max_wall_secs = 3600
max_cost_usd = 100.0
max_output_tokens = 10000000

[limits.tier_calls]
t1 = $((turns + 10))
TOML

# Seed the embedded ERP through the reference server on the same database.
key=mem-$$-erp
AGENTB_ERP_KEY=$key "$agentb" -C "$work" erp serve --addr 127.0.0.1:0 2> "$work/erp.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "Listening on" "$work/erp.log" 2>/dev/null && break; sleep 0.1; done
erp_url=$(grep -o 'http://[0-9.:]*' "$work/erp.log" | head -1)
[ -n "$erp_url" ] || { echo "error: the ERP server did not start:" >&2; cat "$work/erp.log" >&2; exit 1; }
for i in $(seq "$clients"); do
  curl -fsS -X POST -H "Authorization: Bearer $key" -H "X-Organization-Id: acme" -H "content-type: application/json" \
    -d "{\"id\": \"c$i\", \"name\": \"Client $i\", \"industry\": \"retail\", \"notes\": \"$(printf 'n%.0s' $(seq 200))\"}" \
    "$erp_url/api/v1/clients" > /dev/null
done
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

"$fake_bin" --turns "$turns" --tool erp_list_clients --input '{"limit": 100}' --pad "$pad" \
  --output '{"summary": "all clients seen"}' 2> "$work/fake.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "Listening on" "$work/fake.log" 2>/dev/null && break; sleep 0.1; done
claude_url=$(grep -o 'http://[0-9.:]*' "$work/fake.log" | head -1)
[ -n "$claude_url" ] || { echo "error: the fake Claude did not start:" >&2; cat "$work/fake.log" >&2; exit 1; }

echo "== agentb run: $turns tool turns, $pad bytes of text per turn, $clients clients per result" >&2
ANTHROPIC_BASE_URL=$claude_url ANTHROPIC_API_KEY=sk-ant-fake-memory \
  /usr/bin/time -v "$agentb" -C "$work" run client-lister --org acme --input topic=all --format json \
  > "$work/out.json" 2> "$work/time.log" || { cat "$work/time.log" >&2; exit 1; }

session=$(ls "$work/.agentbuilder/sessions")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.log")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.log")
size=$(du -sk "$work/.agentbuilder/sessions/$session" | cut -f1)
status=$(grep -o '"status": *"[a-z_]*"' "$work/out.json" | head -1)
turns_done=$(grep -o '"turns": *[0-9]*' "$work/out.json" | head -1)
echo "run: $status, $turns_done"
echo "peak RSS: $((rss_kb / 1024)) MB ($rss_kb kB)"
echo "wall time: $wall"
echo "session folder: $size kB"
