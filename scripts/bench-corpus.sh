#!/usr/bin/env bash
# Measures lint and compile on a generated corpus of 10,000 skills (see BENCHMARKS.md).
#
# Usage: scripts/bench-corpus.sh [WORKDIR] [COUNT]
#   WORKDIR  where the corpora go (default: a new temporary folder; kept for inspection)
#   COUNT    skills per corpus (default 10000)
#   AGENTB=/path/to/agentb measures that binary instead of building this checkout.
#
# Needs python3, hyperfine (`apt-get install -y hyperfine`) and GNU time (/usr/bin/time).
# Writes the hyperfine tables to WORKDIR/results.md and prints peak memory figures.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/agentb-bench.XXXXXX)}
count=${2:-10000}
mkdir -p "$work"
work=$(cd "$work" && pwd)

command -v hyperfine >/dev/null || { echo "error: hyperfine is missing (apt-get install -y hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }

if [ -n "${AGENTB:-}" ]; then
  agentb=$AGENTB # measure another build (for before/after comparisons)
else
  echo "== building (release)" >&2
  (cd "$root" && cargo build --release --quiet)
  agentb="$root/target/release/agentb"
fi

echo "== generating $count skills into $work/{mixed,valid}" >&2
python3 "$root/scripts/gen-corpus.py" "$work/mixed" --count "$count" --invalid 0.1 --seed 42
python3 "$root/scripts/gen-corpus.py" "$work/valid" --count "$count" --invalid 0 --seed 42
# Files modified within two seconds of a run are hashed again (the cache's guard against
# same-tick edits); let the generated files age so warm runs measure the usual case.
sleep 3

# Moves state aside instead of deleting it: creating 10,000 files right after deleting
# 10,000 makes ext4 search for free inodes and would measure the file system, not agentb.
trash="$work/trash"
mkdir -p "$trash"
aside="mv -f .agentbuilder $trash/\$(date +%s%N) 2>/dev/null || true"
no_index="mv -f .agentbuilder/cache/index.bin $trash/\$(date +%s%N) 2>/dev/null || true"
one=$(ls "$work/valid/skills" | sed -n 5000p)
touch_one="touch skills/$one"
# Alternates the description of one skill between two texts: a real edit on every run.
edit_one="f=skills/$one; if grep -q '^description: Edited A' \$f; then sed -i 's/^description: Edited A/description: Edited B/' \$f; else sed -i 's/^description: .*/description: Edited A/' \$f; fi"

results="$work/results.md"
: > "$results"
bench() { # NAME DIR HYPERFINE-ARGS...
  local name=$1 dir=$2
  shift 2
  echo "== $name" >&2
  (cd "$dir" && hyperfine --style basic --export-markdown "$work/part.md" "$@")
  { echo "### $name"; echo; cat "$work/part.md"; echo; } >> "$results"
}

# The mixed corpus has errors: `lint` and `compile` exit 1 (hyperfine -i).
bench "lint, mixed corpus, no cache" "$work/mixed" -i -w 1 -r 5 "$agentb lint"
bench "lint + compile, mixed corpus, cold (compile stops at the lint errors)" "$work/mixed" \
  -i -w 1 -r 5 --prepare "$aside" "$agentb compile"
(cd "$work/mixed" && "$agentb" compile >/dev/null 2>&1 || true)
bench "lint + compile, mixed corpus, warm cache" "$work/mixed" -i -w 2 -r 20 "$agentb compile"
bench "lint, mixed corpus, warm cache" "$work/mixed" -i -w 2 -r 20 "$agentb lint"

bench "compile, valid corpus, cold (writes 10,000 artifacts)" "$work/valid" \
  -w 1 -r 5 --prepare "$aside" "$agentb compile"
bench "compile, valid corpus, artifacts present, no cache" "$work/valid" \
  -w 1 -r 5 --prepare "$no_index" "$agentb compile"
(cd "$work/valid" && "$agentb" compile >/dev/null 2>&1)
bench "compile, valid corpus, warm (nothing changed)" "$work/valid" -N -w 3 -r 30 "$agentb compile"
bench "re-compile after touching one file" "$work/valid" -w 3 -r 30 --prepare "$touch_one" "$agentb compile"
bench "re-compile after editing one file" "$work/valid" -w 3 -r 30 --prepare "$edit_one" "$agentb compile"
bench "compile --check, valid corpus, warm" "$work/valid" -N -w 3 -r 30 "$agentb compile --check"

bench "agentb --version" "$root" -N -w 5 -r 100 "$agentb --version"
bench "agentb lint, example project" "$root" -N -w 5 -r 100 "$agentb lint"

echo "== peak memory (maximum resident set size)" >&2
peak() { # NAME DIR COMMAND...
  local name=$1 dir=$2
  shift 2
  local kb
  kb=$( (cd "$dir" && /usr/bin/time -v "$@" 2>&1 >/dev/null || true) | awk -F': ' '/Maximum resident/ {print $2}')
  printf -- '- %s: %s MB\n' "$name" "$((kb / 1024))" | tee -a "$results.mem"
}
: > "$results.mem"
(cd "$work/mixed" && eval "$aside")
peak "lint, mixed corpus, no cache" "$work/mixed" "$agentb" lint
peak "lint + compile, mixed corpus, cold" "$work/mixed" "$agentb" compile
(cd "$work/valid" && eval "$aside")
peak "compile, valid corpus, cold" "$work/valid" "$agentb" compile
peak "compile, valid corpus, warm" "$work/valid" "$agentb" compile
{ echo "### Peak memory"; echo; cat "$results.mem"; } >> "$results"

echo "== results in $results" >&2
cat "$results"
