#!/usr/bin/env bash
# Runs real open-source test suites with the TimerGuard leak verifier enabled through its launcher
# listener (per-test verdicts, then the whole run), and prints per suite: tests run, the suite's own
# failures, and each leak report. Not part of `mvn verify`; fetches the suites' published -tests
# jars and their test dependencies from Maven Central into a scratch directory (never committed).
#
# usage: timerguard-junit/realsuites/run.sh [suite...]      (default: all; see SUITES below)
# env:   JAVA_HOME     the JDK to run the suites on (default: java on PATH)
#        WORK          scratch directory (default: ${TMPDIR:-/tmp}/timerguard-realsuites)
#        AGENT=1       also run each suite with -javaagent (needs timerguard-agent/target/*.jar)
#        EXTRA_CONFIG  more --config key=value arguments for the console launcher
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${WORK:-${TMPDIR:-/tmp}/timerguard-realsuites}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JUNIT=5.11.4
PLATFORM=1.11.4
mkdir -p "$WORK"

# name | artifact (group:artifact:version) | what to run, comma-separated: packages, classes, and
# -SimpleClassName to leave a class out | test deps (g:a:v, space-separated)
# (commons-pool's TestSoftRefOutOfMemory fills the heap with a System.gc() per megabyte: minutes on
# a loaded machine, and it starts no thread)
SUITES=(
  "commons-pool|org.apache.commons:commons-pool2:2.12.0|org.apache.commons.pool2,-TestSoftRefOutOfMemory|cglib:cglib:3.3.0 org.ow2.asm:asm-util:9.5 org.apache.bcel:bcel:6.7.0 org.hamcrest:hamcrest-library:2.2 org.apache.commons:commons-lang3:3.13.0"
  "commons-lang-concurrent|org.apache.commons:commons-lang3:3.17.0|org.apache.commons.lang3.concurrent|org.junit-pioneer:junit-pioneer:1.9.1 org.hamcrest:hamcrest:3.0 org.easymock:easymock:5.4.0 org.apache.commons:commons-text:1.12.0 com.google.code.findbugs:jsr305:3.0.2"
  "commons-io-monitor-tailer|commons-io:commons-io:2.18.0|org.apache.commons.io.monitor,org.apache.commons.io.input.TailerTest|org.junit-pioneer:junit-pioneer:1.9.1 org.mockito:mockito-inline:4.11.0 com.google.jimfs:jimfs:1.3.0 org.apache.commons:commons-lang3:3.17.0 commons-codec:commons-codec:1.17.1"
)

# The verifier under test: this checkout's timerguard-junit and timerguard-core, built here.
(cd "$ROOT" && mvn -B -q -pl timerguard-junit -am package -DskipTests) >&2
# copied, so that rebuilding the checkout while suites run cannot pull the jars from under them
mkdir -p "$WORK/verifier"
cp "$(ls "$ROOT"/timerguard-junit/target/timerguard-junit-*.jar | grep -v sources | head -1)" "$WORK/verifier/timerguard-junit.jar"
cp "$(ls "$ROOT"/timerguard-core/target/timerguard-core-*.jar | grep -v sources | head -1)" "$WORK/verifier/timerguard-core.jar"
VERIFIER="$WORK/verifier/timerguard-junit.jar:$WORK/verifier/timerguard-core.jar"
AGENT_JAR="$(ls "$ROOT"/timerguard-agent/target/timerguard-agent*.jar 2>/dev/null | grep -v -e sources -e original | head -1 || true)"

fetch() { # name artifact deps...
  local name="$1" dir="$WORK/$1" artifact="$2"; shift 2
  mkdir -p "$dir"
  if [[ -f "$dir/classpath.txt" ]]; then return; fi
  IFS=: read -r g a v <<<"$artifact"
  {
    echo "<project xmlns='http://maven.apache.org/POM/4.0.0'><modelVersion>4.0.0</modelVersion>"
    echo "<groupId>realsuites</groupId><artifactId>$name</artifactId><version>1</version>"
    echo "<dependencyManagement><dependencies><dependency><groupId>org.junit</groupId><artifactId>junit-bom</artifactId><version>$JUNIT</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>"
    echo "<dependencies>"
    echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version><classifier>tests</classifier></dependency>"
    echo "<dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId></dependency>"
    echo "<dependency><groupId>org.junit.platform</groupId><artifactId>junit-platform-console</artifactId></dependency>"
    echo "<dependency><groupId>org.junit.platform</groupId><artifactId>junit-platform-launcher</artifactId></dependency>"
    for d in "$@"; do
      IFS=: read -r dg da dv <<<"$d"
      echo "<dependency><groupId>$dg</groupId><artifactId>$da</artifactId><version>$dv</version></dependency>"
    done
    echo "</dependencies></project>"
  } >"$dir/pom.xml"
  (cd "$dir" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=classpath.txt) >&2
}

run_suite() { # name artifact packages deps
  local name="$1" artifact="$2" packages="$3" deps="$4" mode="$5"
  # shellcheck disable=SC2086
  fetch "$name" "$artifact" $deps
  local dir="$WORK/$name" cp selects=() jvm=()
  cp="$(cat "$dir/classpath.txt")"
  IFS=, read -ra pk <<<"$packages"
  for p in "${pk[@]}"; do
    if [[ "$p" == -* ]]; then selects+=(--exclude-classname ".*\\.${p#-}"); continue; fi
    if [[ "${p##*.}" =~ ^[A-Z] ]]; then selects+=(--select-class "$p"); else selects+=(--select-package "$p"); fi
  done
  # a bounded heap, as the suites' own builds use: memory-stress tests fill it
  jvm+=(-Xmx512m)
  if [[ "$mode" == agent ]]; then jvm+=("-javaagent:$AGENT_JAR"); fi
  local out="$dir/out-$mode.txt" err="$dir/err-$mode.txt"
  local start end
  rm -rf "$dir/reports-$mode" "$dir/err-$mode.txt"
  start=$(date +%s)
  # The suites' own failures do not stop the script: they are part of what it reports.
  # shellcheck disable=SC2086
  (cd "$dir" && "$JAVA" "${jvm[@]}" -cp "$cp:$VERIFIER" "$HERE/RunSuite.java" execute \
      --disable-banner --details=summary --disable-ansi-colors --reports-dir "$dir/reports-$mode" \
      "${selects[@]}" --config timerguard.leaks.run.enabled=true ${EXTRA_CONFIG:-} \
      >"$out" 2>"$err") || true
  end=$(date +%s)
  local run failed leaky
  # the console summary is not printed when the listener fails the session: read the XML report
  run="$(sed -n 's/.*<testsuite [^>]* tests="\([0-9]*\)".*/\1/p' "$dir/reports-$mode"/TEST-junit-jupiter.xml | head -1)"
  failed="$(grep -c '<failure\|<error' "$dir/reports-$mode"/TEST-junit-jupiter.xml || true)"
  leaky="$(grep -c '^TimerGuard found leaks after test ' "$err" || true)"
  echo "=== $name ($artifact, $packages) on $("$JAVA" -version 2>&1 | head -1), $mode, $((end - start)) s"
  echo "tests run: ${run:-?}, failed on their own: $failed, tests with leak reports: $leaky"
  grep -E '^(TimerGuard found leaks after|    names:|    created at:|    started by:|    what to do:|  [0-9]+ x |  (TIMER|TICKER|EXECUTOR) )' "$err" || true
  if grep -q '^TimerGuard, information for this run' "$err"; then
    sed -n '/^TimerGuard, information for this run/,/^$/p;/^  [a-z].*:$/,/^$/p' "$err" | awk '!seen[$0]++'
  fi
  echo "(full output: $out, $err)"
  echo
}

want=("$@")
known=" "
for s in "${SUITES[@]}"; do known+="${s%%|*} "; done
for w in "${want[@]}"; do
  if [[ "$known" != *" $w "* ]]; then
    echo "run.sh: unknown suite '$w'; known suites:$known" >&2
    exit 2
  fi
done
if [[ "${AGENT:-0}" == 1 && -z "$AGENT_JAR" ]]; then
  echo "run.sh: AGENT=1 but no agent jar in timerguard-agent/target (build it: mvn -B -pl timerguard-agent -am package -DskipTests)" >&2
  exit 2
fi
for s in "${SUITES[@]}"; do
  IFS='|' read -r name artifact packages deps <<<"$s"
  if [[ ${#want[@]} -gt 0 && ! " ${want[*]} " == *" $name "* ]]; then continue; fi
  run_suite "$name" "$artifact" "$packages" "$deps" plain
  if [[ "${AGENT:-0}" == 1 && -n "$AGENT_JAR" ]]; then
    run_suite "$name" "$artifact" "$packages" "$deps" agent
  fi
done
