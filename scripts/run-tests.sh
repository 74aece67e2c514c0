#!/usr/bin/env bash
# Runs the whole suite once (unit specs and cross-service tests) and ends with the plain
# "N passed, N failed" line CI reads. Assumes infra/setup.sh has run (npm test does that).
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false
report=$(mktemp)
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
code=$?
if [ -s "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$report"
fi
rm -f "$report"
exit $code
