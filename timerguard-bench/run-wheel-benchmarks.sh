#!/usr/bin/env bash
# Runs the timing-wheel benchmarks of docs/benchmarks.md ("Timing wheel") on the JDK of $JAVA_HOME
# (or the java on PATH). Build first: mvn -B -Pbench -pl timerguard-bench -am package
# Results go to timerguard-bench/target/wheel-results-<jdk>/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR=timerguard-bench/target/benchmarks.jar
FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
OUT=timerguard-bench/target/wheel-results-$FEATURE
mkdir -p "$OUT"
PEERS=wheel,wheelCounted,netty,kafka,stpe,stpeRemove,timer
if [ "$FEATURE" -ge 25 ]; then PEERS=$PEERS,fjp; fi
# schedule+cancel with 100,000 pending: 1 thread (Agrona too: single-threaded), then 2 threads
"$JAVA" -jar "$JAR" 'ScheduleCancelBenchmark.oneThread' -p impl=$PEERS,agrona -rf text -rff "$OUT/one-thread.txt" | tee "$OUT/one-thread.log"
"$JAVA" -jar "$JAR" 'ScheduleCancelBenchmark.twoThreads' -p impl=$PEERS -rf text -rff "$OUT/two-threads.txt" | tee "$OUT/two-threads.log"
# 1,000,000 timers over one second: lateness and exactly-once, all peers side by side
"$JAVA" -Xms4g -Xmx4g -cp "$JAR" dev.timerguard.bench.wheel.WheelLateness 3 | tee "$OUT/lateness.txt"
# bytes per pending timer
"$JAVA" -Xms4g -Xmx4g -cp "$JAR" dev.timerguard.bench.wheel.WheelFootprint | tee "$OUT/footprint.txt"
