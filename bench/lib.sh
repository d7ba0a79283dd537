# Shared by the whole-system benchmarks in bench/ (sourced, not run). Sets HERE (the repository),
# JAVA_HOME and JILIUM; a script sets SOCK (the agent's API socket) before calling J or pod_field.
# shellcheck shell=bash
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JILIUM="$HERE/jilium"
BENCH_JAR="$HERE/bench/target/benchmarks.jar"

# the CLI against this benchmark's agent
J() { "$JILIUM" --socket "$SOCK" "$@"; }

# Builds the agent (./jilium does when its sources changed) and bench/target/benchmarks.jar when
# it is missing or older than the bench sources or the agent jar.
bench_build() {
  "$JILIUM" --version >/dev/null
  if [[ ! -f "$BENCH_JAR" ||
    -n "$(find "$HERE/bench/src/main" "$HERE/bench/pom.xml" "$HERE/jilium-dist/target/jilium.jar" -newer "$BENCH_JAR" -print -quit)" ]]; then
    (cd "$HERE" && ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl bench -am)
  fi
}

# A main class of the benchmarks jar: bench_java CLASS ARGS...
bench_java() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xlog:disable -XX:+UseParallelGC \
    -cp "$BENCH_JAR" "$@"
}

# Waits (60 s at most) for the agent's start line in LOG; prints the log and fails otherwise.
agent_wait() { # LOG
  for _ in $(seq 1 600); do
    grep -q 'agent started' "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$1" >&2
  return 1
}

# Stops the agent started in the background as $AGENT_PID (the launcher execs the JVM).
agent_stop() {
  if [[ -n "${AGENT_PID:-}" ]]; then
    kill "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
    AGENT_PID=
  fi
}

# A field of a pod from `jilium pod list -o json`: pod_field NAME FIELD
pod_field() {
  J pod list -o json | python3 -c "import json,sys; print([p['$2'] for p in json.load(sys.stdin) if p['name']=='$1'][0])"
}

# Resident set size of a process in KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# ---- statistics over lines of key=value pairs (what the benchmark mains print) ----
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; } # KEY LINE
col() {                                                 # KEY LINES...
  local f=$1
  shift
  for l in "$@"; do field "$f" "$l"; done
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
sum() { awk '{s+=$1} END {print s+0}'; }
