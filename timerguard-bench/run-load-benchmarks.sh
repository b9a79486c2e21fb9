#!/usr/bin/env bash
# The wheel under production load (docs/benchmarks.md, "The wheel under production load"): one
# command per table, on the JDK of $JAVA_HOME (or the java on PATH). Build first:
#   mvn -B -Pbench -pl timerguard-bench -am package -DskipTests
# Usage: timerguard-bench/run-load-benchmarks.sh quick|full gc|lateness|pending|rearm|coalesce|all [extra...]
#   extra arguments go to the one table's program (GcCost: warm=5 measure=10 engines=...;
#   LoadLateness: rounds=3 engines=...; JMH: -f 2 ...)
# JSON results go to timerguard-bench/target/load-results/ (not committed); then
#   python3 timerguard-bench/plot.py      # SVG charts into docs/benchmarks/
# Times on 2 cores: quick about 2-4 min per table; full: gc ~25 min, lateness ~4 min, pending ~10 min,
# rearm ~3 min, coalesce ~1 min.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}; table=${2:-}; shift 2 || true; EXTRA=("$@")
case "$mode" in quick|full) ;; *) echo "usage: $0 quick|full gc|lateness|pending|rearm|coalesce|all" >&2; exit 2;; esac
case "$table" in gc|lateness|pending|rearm|coalesce|all) ;; *) echo "usage: $0 quick|full gc|lateness|pending|rearm|coalesce|all (table '$table' unknown)" >&2; exit 2;; esac
if [ "$table" = all ] && [ ${#EXTRA[@]} -gt 0 ]; then echo "extra arguments need one table, not all" >&2; exit 2; fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR=timerguard-bench/target/benchmarks.jar
[ -f "$JAR" ] || { echo "$JAR missing: mvn -B -Pbench -pl timerguard-bench -am package -DskipTests" >&2; exit 2; }
FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
OUT=timerguard-bench/target/load-results
mkdir -p "$OUT"
ENGINES=stpe,stpeRemove,netty,agrona,kafka,wheel,wheelCounted,wheelDeadlines
if [ "$FEATURE" -ge 25 ]; then ENGINES=stpe,stpeRemove,fjp,netty,agrona,kafka,wheel,wheelCounted,wheelDeadlines; fi
echo "JDK $FEATURE, $(nproc) cores, $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$mode" = quick ]; then JMH_QUICK=(-wi 1 -i 2 -p pending=0,100000,1000000); else JMH_QUICK=(); fi

run() { [ "$table" = all ] || [ "$table" = "$1" ]; }
# JMH refuses to start while another JMH run (or one of the harnesses above, which take the same
# lock) holds its lock: wait rather than measure two runs fighting over the cores.
jmh() {
  for _ in $(seq 1 240); do
    if "$JAVA" -jar "$JAR" "$@" 2>&1 | tee "$OUT/jmh.log"; then
      grep -q "Unable to acquire the JMH lock" "$OUT/jmh.log" || return 0
    else
      grep -q "Unable to acquire the JMH lock" "$OUT/jmh.log" || return 1
    fi
    echo "another benchmark holds the JMH lock; waiting" >&2
    sleep 15
  done
  return 1
}

run gc && "$JAVA" -cp "$JAR" dev.timerguard.bench.load.GcCost "$mode" gc=G1,Z engines=$ENGINES \
  out="$OUT/gc-$FEATURE-$mode.json" "${EXTRA[@]}"
run lateness && "$JAVA" -cp "$JAR" dev.timerguard.bench.load.LoadLateness "$mode" engines=$ENGINES \
  out="$OUT/lateness-$FEATURE-$mode.json" "${EXTRA[@]}"
run pending && jmh 'load.PendingThroughputBenchmark' -p engine=$ENGINES "${JMH_QUICK[@]}" \
  -rf json -rff "$OUT/pending-$FEATURE-$mode.json" "${EXTRA[@]}"
if run rearm; then
  if [ "$mode" = quick ]; then R=(-wi 1 -i 2); else R=(); fi
  jmh 'load.ReArmBenchmark.api' -p engine=wheel "${R[@]}" -rf json -rff "$OUT/rearm-api-$FEATURE-$mode.json" "${EXTRA[@]}"
  jmh 'load.ReArmBenchmark.peer' -p engine=$ENGINES "${R[@]}" -rf json -rff "$OUT/rearm-peer-$FEATURE-$mode.json" "${EXTRA[@]}"
fi
run coalesce && "$JAVA" -cp "$JAR" dev.timerguard.bench.load.CoalesceCost out="$OUT/coalesce-$FEATURE.json" "${EXTRA[@]}"
echo "done $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
