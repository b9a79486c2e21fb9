#!/usr/bin/env bash
# Runs the timing-wheel benchmarks of docs/benchmarks.md ("Timing wheel") on the JDK of $JAVA_HOME
# (or the java on PATH). Build first: mvn -B -Pbench -pl timerguard-bench -am package
# Results go to timerguard-bench/target/wheel-results-<jdk>/ (not committed). About 12 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR=timerguard-bench/target/benchmarks.jar
FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
OUT=timerguard-bench/target/wheel-results-$FEATURE
mkdir -p "$OUT"
PEERS=wheel,wheelCounted,netty,kafka,stpe,stpeRemove,timer
if [ "$FEATURE" -ge 25 ]; then PEERS=$PEERS,fjp; fi

# JMH refuses to start while another JMH run holds its lock (another benchmark on this machine):
# wait for it rather than measure two runs fighting over two cores.
jmh() {
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$JAVA" -jar "$JAR" "$@" -rf text -rff "$OUT/$name.txt" > "$OUT/$name.log" 2>&1; then
      tail -n 30 "$OUT/$name.txt"
      return 0
    fi
    grep -q "Unable to acquire the JMH lock" "$OUT/$name.log" || { tail -n 40 "$OUT/$name.log"; return 1; }
    echo "another JMH run holds the lock; waiting" >&2
    sleep 30
  done
  return 1
}

# schedule+cancel with 100,000 pending: 1 thread (Agrona too: single-threaded), then 2 threads
jmh one-thread 'ScheduleCancelBenchmark.oneThread' -p impl=$PEERS,agrona
jmh two-threads 'ScheduleCancelBenchmark.twoThreads' -p impl=$PEERS
# 1,000,000 timers over one second: lateness and exactly-once, all peers side by side
"$JAVA" -Xms4g -Xmx4g -cp "$JAR" dev.timerguard.bench.wheel.WheelLateness 3 | tee "$OUT/lateness.txt"
# bytes per pending timer
"$JAVA" -Xms4g -Xmx4g -cp "$JAR" dev.timerguard.bench.wheel.WheelFootprint | tee "$OUT/footprint.txt"
# 10 ms timers while 0, 2, 8 and 32 callbacks block: the former fixed callback pool against the elastic one
"$JAVA" -cp "$JAR" dev.timerguard.bench.wheel.BlockingCallbackLateness 3 0,2,8,32 | tee "$OUT/blocking-callbacks.txt"
