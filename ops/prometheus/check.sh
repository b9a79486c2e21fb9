#!/usr/bin/env bash
# Checks the TimerGuard Prometheus rules and runs their unit tests with promtool:
#   promtool check rules ops/prometheus/timerguard-rules.yml
#   promtool test rules  ops/prometheus/tests/*.test.yml
#
#   ops/prometheus/check.sh                                 skips (exit 0) when promtool is absent
#   TIMERGUARD_REQUIRE_PROMTOOL=1 ops/prometheus/check.sh   fails instead (for CI)
#
# promtool comes with Prometheus (Debian/Ubuntu: apt-get install prometheus). Exit 0 when both
# pass (or skipped), 1 when either fails.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
promtool="${PROMTOOL:-$(command -v promtool || true)}"
if [[ -z "$promtool" || ! -x "$promtool" ]]; then
  if [[ "${TIMERGUARD_REQUIRE_PROMTOOL:-0}" == 1 ]]; then
    echo "prometheus rules: FAILED, promtool is not installed (apt-get install prometheus)" >&2
    exit 1
  fi
  echo "prometheus rules: SKIPPED, promtool is not installed (apt-get install prometheus)"
  exit 0
fi
cd "$here"
shopt -s nullglob
tests=(tests/*.test.yml)
if (( ${#tests[@]} == 0 )); then
  echo "prometheus rules: FAILED, no tests in $here/tests" >&2
  exit 1
fi
status=0
"$promtool" check rules timerguard-rules.yml || status=1
"$promtool" test rules "${tests[@]}" || status=1
if (( status == 0 )); then
  echo "prometheus rules: OK ($("$promtool" --version 2>&1 | head -1 | awk '{print $3}'), ${#tests[@]} test files)"
else
  echo "prometheus rules: FAILED (see above)" >&2
fi
exit "$status"
