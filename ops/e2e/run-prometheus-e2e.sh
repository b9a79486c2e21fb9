#!/usr/bin/env bash
# The production watch end to end with a real Prometheus server (see PrometheusEndToEnd.java):
# the bundled leaky service with the agent and the Spring Boot sample with the starter, both
# scraped on loopback; checks that each leaking site's series grows and reaches severity 2
# (rapid) while a healthy site stays at 0. About a minute; everything stops by itself.
#
#   ops/e2e/run-prometheus-e2e.sh            skips (exit 0) when prometheus is not installed
#   TIMERGUARD_E2E_REQUIRE=1 ops/e2e/...     fails instead (CI sets it after installing it)
#
# Prometheus comes from Debian's package: apt-get install prometheus (no download).
set -euo pipefail
cd "$(dirname "$0")/../.."
prom="$(command -v prometheus || true)"
if [[ -z "$prom" ]]; then
  if [[ "${TIMERGUARD_E2E_REQUIRE:-0}" == 1 ]]; then
    echo "e2e: prometheus is not installed (apt-get install prometheus)" >&2
    exit 1
  fi
  echo "e2e: SKIPPED, prometheus is not installed (apt-get install prometheus)"
  exit 0
fi
if [[ ! -f timerguard-agent/target/timerguard-agent.jar || ! -f timerguard-cli/target/timerguard.jar \
   || ! -f timerguard-spring-boot-sample/target/timerguard-spring-boot-sample.jar ]]; then
  echo "e2e: building the agent, the CLI and the Spring Boot sample" >&2
  mvn -B -q -DskipTests package -pl timerguard-agent,timerguard-cli,timerguard-spring-boot-sample -am
fi
java_bin="java"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then java_bin="$JAVA_HOME/bin/java"; fi
echo "== production watch end to end: $("$prom" --version 2>&1 | head -1)"
exec "$java_bin" ops/e2e/PrometheusEndToEnd.java "$prom"
