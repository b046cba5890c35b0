#!/usr/bin/env bash
# Issue 8's scenario by hand: the fake OpenAI-compatible server with the full-strength fault mix (10 % 429 with
# retry-after 1 s, 5 % 500, 3 % truncated JSON content, 1 % answered after a 2-s stall) on 127.0.0.1, then exactly
#   npm run replicate -- --llm --agents 40 --seeds 1 --json s.json --out out
# with --json and --out in a fresh temporary folder. Prints one line per run: exit status, seconds, server counters. Usage:
#   bash tests/integration/issue8-scenario.sh [RUNS=3] [PORT=8801] [FIRST_FAULT_SEED=1]
# CLI_ROOT=/path/to/another/checkout runs that checkout's replicate (e.g. the code before the fix) against this server.
set -u
RUNS=${1:-3}
PORT=${2:-8801}
FIRST=${3:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI_ROOT=${CLI_ROOT:-$ROOT}
for i in $(seq "$FIRST" $((FIRST + RUNS - 1))); do
  DIR=$(mktemp -d /tmp/spillover-issue8-XXXX)
  (cd "$ROOT" && exec node --import tsx tests/integration/serve-fake-openai.ts --port "$PORT" --faults issue-8 --fault-seed "$i") >"$DIR/server.url" 2>"$DIR/server.log" &
  SERVER=$!
  for _ in $(seq 1 100); do [ -s "$DIR/server.url" ] && break; sleep 0.1; done
  START=$(date +%s.%N)
  (cd "$CLI_ROOT" && OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=fake-issue8 \
    npm run replicate -- --llm --agents 40 --seeds 1 --json "$DIR/s.json" --out "$DIR/out" >"$DIR/stdout" 2>"$DIR/stderr")
  STATUS=$?
  END=$(date +%s.%N)
  STATS=$(curl -s "http://127.0.0.1:$PORT/stats")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null
  FILES=$( [ -d "$DIR/out" ] && find "$DIR/out" -name '*.csv' | wc -l || echo 0)
  printf 'run %s: exit %s, %.0f s, json %s, %s CSVs, dir %s\n  server %s\n  %s\n' "$i" "$STATUS" "$(echo "$END - $START" | bc)" \
    "$( [ -f "$DIR/s.json" ] && echo yes || echo no)" "$FILES" "$DIR" "$STATS" "$(grep '^LLM:' "$DIR/stdout")"
done
