#!/usr/bin/env bash
# Real-bug corpus for timerguard-lint: measures recall and false positives per rule.
#
# Every row of manifest.tsv names one source file inside a `-sources` jar on Maven Central, a line
# range, a rule and whether that rule must report there (`flag`, a confirmed leak in the last release
# before its upstream fix) or must stay silent (`no-flag`, the first release after the fix, or a
# correct construct that looks like a leak). The script downloads each jar once into a cache (never
# into the repository), scans the case files of each release with the built scanner, and compares.
#
#   timerguard-lint/corpus/run-corpus.sh [--jar FILE] [--cache DIR] [--manifest FILE]
#                                        [--no-resolve-project-types] [--with-dependencies]
#                                        [--only ID_SUBSTRING] [-j N] [-v]
#
#   --jar FILE     the scanner to measure (a timerguard-cli jar); default: timerguard-cli/target/
#                  timerguard.jar of this checkout, built with `mvn package` when missing
#   --cache DIR    where source jars are downloaded and unpacked; default
#                  $TIMERGUARD_CORPUS_CACHE, else ~/.cache/timerguard-corpus
#   --manifest F   default: manifest.tsv next to this script
#   --no-resolve-project-types
#                  scan without the release's other sources as -sourcepath (on by default: a
#                  case file then sees the project's own types, as the javac plugin would)
#   --with-dependencies
#                  also pass each release's runtime dependencies (resolved by Maven from its pom
#                  into the local repository) as --classpath, so third-party types (Netty, Guava)
#                  resolve; slower, downloads the dependencies once; a release whose
#                  dependencies cannot be resolved is scanned without them (with a warning)
#   --only S       run only the cases whose id contains S
#   -j N           scan N releases at a time (default 2; each scan is one JVM)
#   -v             also print every finding of a case file that no case accounts for
#
# Output: one line per case (FOUND / MISSED for `flag`, CLEAN / FLAGGED for `no-flag`), a table per
# rule (positives found/total = recall, negatives flagged/total = false positives) and an overall
# line. Exit status: 0 when the measurement ran (whatever the numbers), 2 on a tooling error (bad
# option, malformed manifest, a jar that cannot be downloaded, a path missing from its jar, a
# scanner that fails or writes no report).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jar=""
cache="${TIMERGUARD_CORPUS_CACHE:-$HOME/.cache/timerguard-corpus}"
manifest="$here/manifest.tsv"
resolve=1
with_deps=0
only=""
verbose=0
jobs=2
repo_url="${TIMERGUARD_MAVEN_REPO:-https://repo1.maven.org/maven2}"

die() { echo "run-corpus: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) [[ $# -ge 2 ]] || die "--jar needs a file"; jar="$2"; shift 2 ;;
    --cache) [[ $# -ge 2 ]] || die "--cache needs a directory"; cache="$2"; shift 2 ;;
    --manifest) [[ $# -ge 2 ]] || die "--manifest needs a file"; manifest="$2"; shift 2 ;;
    --no-resolve-project-types) resolve=0; shift ;;
    --with-dependencies) with_deps=1; shift ;;
    --only) [[ $# -ge 2 ]] || die "--only needs an id substring"; only="$2"; shift 2 ;;
    -j) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "-j needs a positive number of parallel scans"; jobs="$2"; shift 2 ;;
    -v) verbose=1; shift ;;
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (accepted: --jar FILE, --cache DIR, --manifest FILE, --no-resolve-project-types, --with-dependencies, --only S, -j N, -v)" ;;
  esac
done

command -v jq >/dev/null || die "jq is required to read the scanner's JSON report"
command -v curl >/dev/null || die "curl is required to download source jars"
command -v unzip >/dev/null || die "unzip is required to unpack source jars"
[[ -f "$manifest" ]] || die "manifest not found: $manifest"

if [[ -z "$jar" ]]; then
  jar="$repo/timerguard-cli/target/timerguard.jar"
  if [[ ! -f "$jar" ]]; then
    echo "run-corpus: building the scanner (mvn -pl timerguard-cli -am package)..." >&2
    (cd "$repo" && mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -pl timerguard-cli -am package) >&2 \
      || die "building timerguard-cli failed"
  fi
fi
[[ -f "$jar" ]] || die "scanner jar not found: $jar"
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
java_bin="java"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then java_bin="$JAVA_HOME/bin/java"; fi

# ---- read the manifest -------------------------------------------------------------------------
# columns: id coordinates path lines rule expect kind evidence note
declare -a C_ID C_GAV C_PATH C_FROM C_TO C_RULE C_EXPECT C_KIND
n=0
lineno=0
while IFS=$'\t' read -r id gav path lines rule expect kind evidence note || [[ -n "${id:-}" ]]; do
  lineno=$((lineno + 1))
  [[ -z "${id// /}" || "$id" == \#* || "$id" == "id" ]] && continue
  [[ -n "${evidence:-}" ]] || die "$manifest:$lineno: expected 9 tab-separated columns (id coordinates path lines rule expect kind evidence note)"
  [[ "$gav" =~ ^[^:]+:[^:]+:[^:]+$ ]] || die "$manifest:$lineno: coordinates '$gav' are not group:artifact:version"
  [[ "$lines" =~ ^([0-9]+)(-([0-9]+))?$ ]] || die "$manifest:$lineno: lines '$lines' is not N or N-M"
  from="${BASH_REMATCH[1]}"; to="${BASH_REMATCH[3]:-$from}"
  [[ "$expect" == flag || "$expect" == no-flag ]] || die "$manifest:$lineno: expect '$expect' is not flag or no-flag"
  [[ -n "$only" && "$id" != *"$only"* ]] && continue
  C_ID[n]="$id"; C_GAV[n]="$gav"; C_PATH[n]="$path"; C_FROM[n]="$from"; C_TO[n]="$to"
  C_RULE[n]="$rule"; C_EXPECT[n]="$expect"; C_KIND[n]="$kind"
  n=$((n + 1))
done < "$manifest"
[[ $n -gt 0 ]] || die "no cases selected from $manifest"

# ---- fetch each release once -------------------------------------------------------------------
mkdir -p "$cache" || die "cannot create cache directory $cache"
fetch() { # g:a:v -> prints the unpacked directory
  local g a v dir url tmp
  IFS=: read -r g a v <<< "$1"
  dir="$cache/$g/$a-$v"
  if [[ ! -f "$dir/.complete" ]]; then
    url="$repo_url/${g//.//}/$a/$v/$a-$v-sources.jar"
    tmp="$(mktemp -d "$cache/.fetch.XXXXXX")" || return 1
    if ! curl -sfL --retry 2 -o "$tmp/src.jar" "$url"; then
      rm -rf "$tmp"; echo "run-corpus: cannot download $url" >&2; return 1
    fi
    mkdir -p "$tmp/src" || return 1
    # unzip exits 1-2 on jars with absolute or odd entry names it skipped (warnings); the case
    # files are checked one by one below
    (cd "$tmp/src" && unzip -qq -o ../src.jar >/dev/null 2>&1; [[ $? -le 2 ]]) || { rm -rf "$tmp"; echo "run-corpus: cannot unpack $url" >&2; return 1; }
    rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp/src" "$dir" && rm -rf "$tmp" && touch "$dir/.complete"
  fi
  echo "$dir"
}

declare -A DIR_OF
for ((i = 0; i < n; i++)); do
  gav="${C_GAV[i]}"
  if [[ -z "${DIR_OF[$gav]:-}" ]]; then
    d="$(fetch "$gav")" || die "source jar of $gav is not available"
    DIR_OF[$gav]="$d"
  fi
  [[ -f "${DIR_OF[$gav]}/${C_PATH[i]}" ]] || die "case ${C_ID[i]}: ${C_PATH[i]} is not in $gav's source jar"
done

# ---- scan the case files of each release -------------------------------------------------------
# One scanner JVM per release (its own sources are the -sourcepath, so versions never mix), up to
# $jobs at a time.
work="$(mktemp -d)" || die "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
declare -A REPORT_OF
dependency_classpath() { # gav dir -> prints the release's runtime class path (may be empty)
  local g a v
  IFS=: read -r g a v <<< "$1"
  mkdir -p "$2" || return 1
  cat > "$2/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>corpus</groupId><artifactId>deps</artifactId><version>1</version>
  <dependencies><dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency></dependencies>
</project>
POM
  (cd "$2" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=runtime >/dev/null 2>&1) || return 1
  # the release's own jar is left out: its classes must come from its sources (-sourcepath), as
  # in a build of the project, or javac takes them from the class files and the rules lose what
  # they learn from the other source files of the release
  tr ':' '\n' < "$2/cp.txt" 2>/dev/null | grep -v -F "/$a/$v/$a-$v.jar" | paste -sd: -
}
scan_release() { # k gav -> writes $work/k.json, $work/k.err, $work/k.rc
  local k="$1" gav="$2" i files=() args
  declare -A seen=()
  for ((i = 0; i < n; i++)); do
    if [[ "${C_GAV[i]}" == "$gav" && -z "${seen[${C_PATH[i]}]:-}" ]]; then
      seen[${C_PATH[i]}]=1; files+=("${C_PATH[i]}")
    fi
  done
  args=(scan --format json --fail-on never --allow-unanalysed -q -o "$work/$k.json")
  [[ $resolve -eq 1 ]] && args+=(--resolve-project-types)
  if [[ $with_deps -eq 1 ]]; then
    local cp
    # a release whose dependencies Maven cannot resolve (artifacts gone from Central) is scanned
    # without them rather than dropped: its cases then measure as without --with-dependencies
    if cp="$(dependency_classpath "$gav" "$work/$k.deps")"; then
      [[ -n "$cp" ]] && args+=(--classpath "$cp")
    else
      echo "run-corpus: warning: cannot resolve the dependencies of $gav; scanning it without them" >&2
    fi
  fi
  (cd "${DIR_OF[$gav]}" && "$java_bin" ${TIMERGUARD_JAVA_OPTS:-} -jar "$jar" "${args[@]}" "${files[@]}") 2> "$work/$k.err"
  echo $? > "$work/$k.rc"
}
k=0
declare -A K_OF
for gav in "${!DIR_OF[@]}"; do
  k=$((k + 1)); K_OF[$gav]=$k
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n; done
  scan_release "$k" "$gav" &
done
wait
for gav in "${!DIR_OF[@]}"; do
  k=${K_OF[$gav]}; out="$work/$k.json"
  rc="$(cat "$work/$k.rc" 2>/dev/null || echo "?")"
  if [[ "$rc" != 0 || ! -s "$out" ]]; then
    cat "$work/$k.err" >&2
    die "the scanner failed on $gav (exit $rc)"
  fi
  REPORT_OF[$gav]="$out"
  # a case file the scanner could not analyse makes its case unmeasurable: say so
  jq -r --arg g "$gav" '.errors[]? | "run-corpus: warning: \($g) \(.file): \(.message)"' "$out" >&2
done

# ---- compare -----------------------------------------------------------------------------------
declare -A P_TOT P_HIT N_TOT N_HIT
rules_seen=()
found=0; pos=0; flagged=0; neg=0
printf '%-8s %-44s %-6s %s\n' "result" "case" "rule" "where"
for ((i = 0; i < n; i++)); do
  rule="${C_RULE[i]}"; gav="${C_GAV[i]}"
  [[ -z "${P_TOT[$rule]:-}${N_TOT[$rule]:-}" ]] && rules_seen+=("$rule")
  hits="$(jq -r --arg f "${C_PATH[i]}" --arg r "$rule" --argjson a "${C_FROM[i]}" --argjson b "${C_TO[i]}" \
    '[.findings[] | select(.ruleId == $r and .file == $f and .line >= $a and .line <= $b) | .line] | map(tostring) | join(",")' \
    "${REPORT_OF[$gav]}")" || die "cannot read the scanner's report for $gav"
  where="$gav ${C_PATH[i]}:${C_FROM[i]}-${C_TO[i]}"
  if [[ "${C_EXPECT[i]}" == flag ]]; then
    P_TOT[$rule]=$(( ${P_TOT[$rule]:-0} + 1 )); pos=$((pos + 1))
    if [[ -n "$hits" ]]; then
      P_HIT[$rule]=$(( ${P_HIT[$rule]:-0} + 1 )); found=$((found + 1)); res="FOUND"
    else res="MISSED"; fi
  else
    N_TOT[$rule]=$(( ${N_TOT[$rule]:-0} + 1 )); neg=$((neg + 1))
    if [[ -n "$hits" ]]; then
      N_HIT[$rule]=$(( ${N_HIT[$rule]:-0} + 1 )); flagged=$((flagged + 1)); res="FLAGGED"
    else res="CLEAN"; fi
  fi
  printf '%-8s %-44s %-6s %s%s\n' "$res" "${C_ID[i]}" "$rule" "$where" "${hits:+ (line $hits)}"
  if [[ $verbose -eq 1 ]]; then
    jq -r --arg f "${C_PATH[i]}" '.findings[] | select(.file == $f) | "         finding \(.ruleId) line \(.line): \(.message)"' "${REPORT_OF[$gav]}"
  fi
done

pct() { if [[ $2 -eq 0 ]]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; fi; }
echo
printf '%-6s %-22s %-26s\n' "rule" "positives found/total" "negatives flagged/total"
mapfile -t sorted < <(printf '%s\n' "${rules_seen[@]}" | sort)
for rule in "${sorted[@]}"; do
  pf=${P_HIT[$rule]:-0}; pt=${P_TOT[$rule]:-0}; nf=${N_HIT[$rule]:-0}; nt=${N_TOT[$rule]:-0}
  printf '%-6s %-22s %-26s\n' "$rule" "$pf/$pt ($(pct "$pf" "$pt"))" "$nf/$nt ($(pct "$nf" "$nt"))"
done
printf 'overall: %d cases, recall %d/%d (%s), false positives %d/%d (%s), %s project types%s\n' \
  "$n" "$found" "$pos" "$(pct "$found" "$pos")" "$flagged" "$neg" "$(pct "$flagged" "$neg")" \
  "$([[ $resolve -eq 1 ]] && echo "with" || echo "without")" "$([[ $with_deps -eq 1 ]] && echo ", with dependencies")"
exit 0
