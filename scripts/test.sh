#!/usr/bin/env bash
# Installs what the tests need, runs every test project of the solution, and prints the closing line
# "N passed, N failed, N skipped" (summed over the projects' TRX results). Exit status is dotnet test's, and 1 when a
# test that needs ../shared/data was skipped because the data sets are missing.
set -uo pipefail
cd "$(dirname "$0")/.."

# System packages some projects need (the native fix; chromium for the report's browser test; unzip for the package
# check); installed only when missing (root, or sudo where there is one).
need=()
for tool in patchelf:patchelf python3:python3 g++:g++ readelf:binutils chromium:chromium unzip:unzip; do
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
# The notebooks run after the other tests, not beside them: each has a 2-minute budget that shared cores would eat.
status=0
dotnet build MLNetTuning.sln -c Release || status=$?
if [ "$status" -eq 0 ]; then
  for project in tests/MLNetTuning.Tests tests/MLNetTuning.Notebooks; do
    dotnet test "$project" -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?
  done
fi

# The packages, packed into a folder feed and used from outside the solution (scripts/package-check.sh): each of its
# checks counts as a test, and a failed one fails the run.
mkdir -p "$results"
bash scripts/package-check.sh 2>&1 | tee "$results/package-check.log"
package_status=${PIPESTATUS[0]}
[ "$package_status" -ne 0 ] && [ "$status" -eq 0 ] && status=$package_status

passed=0; failed=0; skipped=0; missing_data=0
package_counts=$(grep -o '^package checks: [0-9]* passed, [0-9]* failed' "$results/package-check.log" | tail -n 1)
passed=$(sed -n 's/.*: \([0-9]*\) passed.*/\1/p' <<<"$package_counts"); failed=$(sed -n 's/.* \([0-9]*\) failed/\1/p' <<<"$package_counts")
passed=${passed:-0}; failed=${failed:-0}
[ "$package_status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1  # the script stopped before counting
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  # Ignored tests are results with outcome NotExecuted; the Counters element does not count them.
  p=$(count passed); f=$(count failed); s=$(grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$trx" | wc -l)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  # Tests on the real data sets are ignored with this message (tests/MLNetTuning.Tests/SharedData.cs) when ../shared/data is absent.
  m=$(grep -o 'is not beside this checkout' "$trx" | wc -l)
  missing_data=$((missing_data + m))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the test host failed before any test could report
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$missing_data" -gt 0 ]; then
  echo "error: ${missing_data} tests that need ../shared/data were skipped; put the data sets beside the checkout (see tests/MLNetTuning.Tests/SharedData.cs)." >&2
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
