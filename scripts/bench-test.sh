#!/usr/bin/env bash
# Measures `agentb test` replaying COUNT generated cases (see BENCHMARKS.md).
#
# Usage: scripts/bench-test.sh [WORKDIR] [COUNT]
#   WORKDIR  where the generated project goes (default: a new temporary folder; kept)
#   COUNT    cases (default 1000): each a run with one T1 tool call and a JSON output
#   AGENTB=/path/to/agentb measures that binary instead of building this checkout.
#
# The cassettes are recorded once against the fake Claude server (`examples/fake_claude.rs`,
# which calls `erp_list_clients` once, then answers), then replayed with hyperfine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/agentb-bench-test.XXXXXX)}
count=${2:-1000}
mkdir -p "$work/skills"
work=$(cd "$work" && pwd)
command -v hyperfine >/dev/null || { echo "error: hyperfine is missing (apt-get install -y hyperfine)" >&2; exit 2; }

(cd "$root" && cargo build --release --quiet --example fake_claude)
if [ -n "${AGENTB:-}" ]; then agentb=$AGENTB; else (cd "$root" && cargo build --release --quiet); agentb="$root/target/release/agentb"; fi

# Ten skills of COUNT/10 cases each (a test file holds at most 20,000 YAML values).
cat > "$work/skill.tmpl" <<'SKILL'
---
id: bench-skill
type: skill
version: 1.0.0
status: active
category: bench
description: Looks up a client and says whether it is known.
triggers:
  - event: manual_invoke
inputs:
  - name: client_id
    type: string
    required: true
outputs:
  - name: known
    type: boolean
  - name: note
    type: string
permissions:
  - client:read
---

# Bench Skill

## Purpose
Look up the client and say whether it is known.

## Process
1. List the clients.
2. Answer with `known` and a short `note`.
SKILL

python3 - "$work" "$count" <<'PY'
import sys
work, count = sys.argv[1], int(sys.argv[2])
template = open(f"{work}/skill.tmpl").read()
for s in range(10):
  open(f"{work}/skills/bench-skill-{s}.md", "w").write(template.replace("id: bench-skill", f"id: bench-skill-{s}"))
  with open(f"{work}/skills/bench-skill-{s}.test.yaml", "w") as f:
    f.write("cases:\n")
    for i in range(s * count // 10, (s + 1) * count // 10):
        f.write(f"  - name: case {i}\n    org: acme\n    input: {{ client_id: c{i} }}\n")
        f.write(f"    fixtures:\n      clients: [ {{ id: c{i}, name: \"Client {i}\" }} ]\n")
        f.write("    expect:\n      status: completed\n      output: { known: true, note: { contains: \"known\" } }\n")
        f.write("      tools_called: [erp_list_clients]\n")
PY

"$root/target/release/examples/fake_claude" --turns 1 --tool erp_list_clients --input '{}' \
  --output '{"known": true, "note": "the client is known"}' 2> "$work/fake.log" &
fake=$!
trap 'kill $fake 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q Listening "$work/fake.log" && break; sleep 0.1; done
url=$(sed -n 's/.*Listening on //p' "$work/fake.log")
echo "== recording $count cassettes against $url" >&2
(cd "$work" && ANTHROPIC_BASE_URL=$url ANTHROPIC_API_KEY=sk-ant-bench "$agentb" test --mode record > /dev/null)
kill $fake
echo "== replaying" >&2
(cd "$work" && hyperfine --warmup 1 --runs 3 --export-markdown "$work/results.md" "$agentb test" "$agentb test --jobs 1")
(cd "$work" && /usr/bin/time -v "$agentb" test 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed") || true
(cd "$work" && "$agentb" test | tail -1)
