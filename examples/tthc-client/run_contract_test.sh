#!/usr/bin/env bash
# Checks an LGSP endpoint against the simulator's contracts and writes a JUnit report for CI.
# Usage: ./run_contract_test.sh [URL]   (default: $URL, else a simulator started with `ndxp-sim up`)
set -euo pipefail
URL=${1:-${URL:-http://127.0.0.1:8080}}
exec ndxp-sim contract-test --target "$URL" --junit contract-report.xml
