#!/usr/bin/env bash
# Deploys 5 skills of the example project to 1,000 orgs of `agentb erp serve` on loopback, then
# deploys again with everything up to date, and prints the wall time of each (see BENCHMARKS.md).
#
#   cargo build --release && scripts/bench-deploy.sh [RUNS]
#
# Every run starts from a fresh database and project. The orgs are listed from the instance.
set -euo pipefail
runs=${1:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${AGENTB:-$repo/target/release/agentb}
port=${PORT:-18791}
export AGENTB_ERP_KEY=bench-key-0123456789
skills="client-analyzer deadline-tracker quality-checker resource-scanner timeline-estimator"

now() { date +%s.%N; }

for run in $(seq "$runs"); do
  dir=$(mktemp -d)
  (
    cd "$dir"
    "$B" erp org add --db erp.sqlite $(seq -f "org-%04g" 1 1000) >/dev/null 2>&1
    "$B" erp serve --db erp.sqlite --addr "127.0.0.1:$port" 2>serve.log &
    server=$!
    trap 'kill $server 2>/dev/null || true' EXIT
    until grep -q "Listening" serve.log 2>/dev/null; do sleep 0.05; done
    mkdir skills
    for s in $skills; do cp "$repo/skills/$s.md" skills/; done
    printf '[erp]\ndefault = "bench"\n\n[erp.instances.bench]\nurl = "http://127.0.0.1:%s"\nkey_env = "AGENTB_ERP_KEY"\n' "$port" > .agentbuilder.toml
    t0=$(now)
    "$B" deploy --yes > plan-1.txt 2> log-1.txt
    t1=$(now)
    "$B" deploy --yes > plan-2.txt 2> log-2.txt
    t2=$(now)
    "$B" deploy --plan --exit-code > /dev/null
    first=$(echo "$t1 - $t0" | bc)
    second=$(echo "$t2 - $t1" | bc)
    echo "run $run: first deploy ${first}s ($(tail -n1 plan-1.txt)); re-deploy ${second}s ($(tail -n1 plan-2.txt))"
    grep -h -E "Deployed|Up to date" log-1.txt log-2.txt | sed 's/^ */    /'
  )
  rm -rf "$dir"
done
