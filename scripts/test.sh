#!/usr/bin/env bash
# Installs what the tests need, runs every test project of the solution, and prints the closing line
# "N passed, N failed" (summed over the projects' TRX results). Exit status is dotnet test's.
set -uo pipefail
cd "$(dirname "$0")/.."

# System packages some projects need; installed only when missing (root, or sudo where there is one).
need=()
for tool in patchelf:patchelf python3:python3 g++:g++ readelf:binutils; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A throwaway PostgreSQL on 127.0.0.1 for the shared-study tests (installed from Debian's packages when missing);
# stopped again on exit. Without it those tests are ignored, with a message saying how to start one.
if pg_env=$(bash .ci/postgres.sh start); then
  eval "$pg_env"
  trap 'bash .ci/postgres.sh stop >/dev/null 2>&1' EXIT
else
  echo "PostgreSQL could not be started; its tests will be ignored." >&2
fi

results="TestResults/run-$(date +%s)-$$"
dotnet test MLNetTuning.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

# The packages, packed into a folder feed and used from outside the solution (scripts/package-check.sh): each of its
# checks counts as a test, and a failed one fails the run.
mkdir -p "$results"
bash scripts/package-check.sh 2>&1 | tee "$results/package-check.log"
package_status=${PIPESTATUS[0]}
[ "$package_status" -ne 0 ] && [ "$status" -eq 0 ] && status=$package_status

passed=0; failed=0
package_counts=$(grep -o '^package checks: [0-9]* passed, [0-9]* failed' "$results/package-check.log" | tail -n 1)
passed=$(sed -n 's/.*: \([0-9]*\) passed.*/\1/p' <<<"$package_counts"); failed=$(sed -n 's/.* \([0-9]*\) failed/\1/p' <<<"$package_counts")
passed=${passed:-0}; failed=${failed:-0}
[ "$package_status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1  # the script stopped before counting
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the test host failed before any test could report
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
