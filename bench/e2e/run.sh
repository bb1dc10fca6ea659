#!/usr/bin/env bash
# End-to-end benchmark: logan against mawk and GoAccess on one generated access log.
#
#   bench/e2e/run.sh [--lines N] [--logan PATH] [--out DIR] [--input FILE] [--runs K]
#
# 1. Generates N (default 5,000,000) combined-format lines with
#    `logan gen --lines N --seed 1 --format combined` into DIR/access-N.log (DIR defaults to
#    bench/out/, which git ignores). The file is reused on later runs when its size and line
#    count still match. --input FILE benchmarks an existing log instead (no generation).
# 2. Warms the page cache (cat FILE > /dev/null), again before each tool.
# 3. Times, side by side:
#      logan batch --json --format combined FILE              (default threads = all cores)
#      logan batch --threads 1 --json --format combined FILE
#      mawk -f bench/e2e/four_stats.awk FILE                   (the same four statistics)
#      goaccess FILE --log-format=COMBINED --no-global-config --no-progress \
#        --no-parsing-spinner -o DIR/goaccess.json             (a full parse plus a report)
#    Each is run K times (default 3) and the best wall time is kept; a tool whose first run
#    takes more than 30 s is run once. Peak RSS comes from /usr/bin/time (Debian package
#    `time`); without it the RSS column says n/a.
# 4. Prints a Markdown table (wall s, lines/s, MB/s, peak RSS, ratio vs logan) with the
#    machine, date, input and exact commands, writes it to DIR/results.md, and checks with
#    bench/e2e/compare_stats.py that logan and mawk agree on the statistics.
#
# Tools that are missing are skipped with a hint on how to install them; nothing is installed.
# MB means 10^6 bytes throughout. Progress goes to stderr, the report to stdout.
# Requires bash >= 5; python3 (stdlib only) for the sanity check.
# shellcheck disable=SC2016 # backquotes in printf formats are Markdown, not expansions
set -euo pipefail
export LC_ALL=C # bytewise string order in mawk, English month names for GoAccess, '.' radix

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
readonly SCRIPT_DIR ROOT
readonly SLOW_SECONDS=30
INVOCATION="$(printf '%q ' "$0" "$@")"
INVOCATION="${INVOCATION% }"

lines=5000000
logan=""
out_dir="$ROOT/bench/out"
input=""
runs=3

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;/^# shellcheck/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --lines) [[ $# -ge 2 ]] || die "--lines needs a value"; lines="$2"; shift 2 ;;
    --lines=*) lines="${1#*=}"; shift ;;
    --logan) [[ $# -ge 2 ]] || die "--logan needs a value"; logan="$2"; shift 2 ;;
    --logan=*) logan="${1#*=}"; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; out_dir="$2"; shift 2 ;;
    --out=*) out_dir="${1#*=}"; shift ;;
    --input) [[ $# -ge 2 ]] || die "--input needs a value"; input="$2"; shift 2 ;;
    --input=*) input="${1#*=}"; shift ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a value"; runs="$2"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$lines" =~ ^[1-9][0-9]*$ ]] || die "--lines must be a positive integer, got '$lines'"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$runs'"
[[ -n "${EPOCHREALTIME:-}" ]] || die "bash >= 5 is needed (EPOCHREALTIME)"

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
time_file="$out_dir/.time.$$"
partial="" # a log being generated, removed if we stop early
trap 'rm -f "$time_file" ${partial:+"$partial"}' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Tools

# logan: --logan, else $LOGAN, else the usual build locations, else PATH.
logan_hint="build it first (dev/install-deps; cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release; cmake --build build) or pass --logan PATH"
if [[ -n "$logan" ]]; then
  [[ -x "$logan" && -f "$logan" ]] || die "--logan $logan is not an executable file"
elif [[ -n "${LOGAN:-}" ]]; then
  [[ -x "$LOGAN" && -f "$LOGAN" ]] || die "\$LOGAN=$LOGAN is not an executable file"
  logan="$LOGAN"
else
  for candidate in "$ROOT/build/logan" "$ROOT/build/src/cli/logan" "$ROOT/build/bin/logan"; do
    if [[ -x "$candidate" && -f "$candidate" ]]; then logan="$candidate"; break; fi
  done
  if [[ -z "$logan" ]] && command -v logan >/dev/null 2>&1; then logan="$(command -v logan)"; fi
fi
if [[ -n "$logan" ]]; then
  logan="$(cd "$(dirname "$logan")" && pwd)/$(basename "$logan")"
  say "logan: $logan"
else
  say "logan binary not found (looked in build/logan, build/src/cli/logan, build/bin/logan, PATH): $logan_hint. Skipping the logan runs."
fi

have() { command -v "$1" >/dev/null 2>&1; }
have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
  have_time=1
else
  say "/usr/bin/time (GNU) not found: peak RSS will not be measured (install: apt-get install -y time)"
fi
have mawk || say "mawk not found: skipping it (install: apt-get install -y mawk)"
have goaccess || say "goaccess not found: skipping it (install: apt-get install -y goaccess)"
have python3 || say "python3 not found: the sanity check is skipped (install: apt-get install -y python3)"

# ---------------------------------------------------------------------------------------------
# Input

warm() { cat "$1" >/dev/null; }
file_size() { stat -c %s "$1"; }
count_lines() { wc -l <"$1" | tr -d ' '; }

if [[ -n "$input" ]]; then
  [[ -f "$input" && -r "$input" ]] || die "--input $input is not a readable file"
  log_file="$(cd "$(dirname "$input")" && pwd)/$(basename "$input")"
  lines="$(count_lines "$log_file")"
  [[ "$lines" -gt 0 ]] || die "--input $input has no lines"
  input_origin="given with --input"
else
  log_file="$out_dir/access-$lines.log"
  stamp="$log_file.stamp" # "<lines> <bytes>", written once generation succeeded
  reuse=0
  if [[ -f "$log_file" ]]; then
    st_lines="$lines" st_bytes="$(file_size "$log_file")"
    if [[ -f "$stamp" ]]; then read -r st_lines st_bytes <"$stamp" || true; fi
    if [[ "${st_lines:-}" == "$lines" && "${st_bytes:-}" == "$(file_size "$log_file")" ]] &&
       [[ "$(count_lines "$log_file")" == "$lines" ]]; then
      reuse=1
      [[ -f "$stamp" ]] || printf '%s %s\n' "$lines" "$st_bytes" >"$stamp"
    fi
  fi
  if [[ $reuse -eq 1 ]]; then
    say "reusing $log_file ($lines lines)"
    input_origin="generated by \`logan gen --lines $lines --seed 1 --format combined\` (reused)"
  else
    [[ -n "$logan" ]] || die "no input: $log_file does not exist and logan is needed to generate it; $logan_hint, or pass --input FILE"
    avail_kb="$(df -P -k "$out_dir" | awk 'NR == 2 { print $4 }')"
    if [[ "$avail_kb" =~ ^[0-9]+$ ]] && ((avail_kb < lines * 300 / 1024)); then
      say "warning: only $((avail_kb / 1000)) MB free in $out_dir; the log needs about $((lines * 230 / 1000000)) MB"
    fi
    rm -f "$log_file" "$stamp"
    partial="$out_dir/.partial-access-$lines.log"
    say "generating $lines lines into $log_file"
    gen_start=$EPOCHREALTIME
    "$logan" gen --lines "$lines" --seed 1 --format combined -o "$partial" >&2 ||
      die "logan gen failed"
    say "generated in $(awk -v a="$gen_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
    got="$(count_lines "$partial")"
    [[ "$got" == "$lines" ]] || die "logan gen wrote $got lines, expected $lines"
    mv -f "$partial" "$log_file"
    partial=""
    printf '%s %s\n' "$lines" "$(file_size "$log_file")" >"$stamp"
    input_origin="generated by \`logan gen --lines $lines --seed 1 --format combined\`"
  fi
fi
bytes="$(file_size "$log_file")"

mem_avail_kb="$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null || true)"
if [[ -n "$mem_avail_kb" ]] && (( bytes / 1024 > mem_avail_kb / 2 )); then
  say "warning: the log ($((bytes / 1000000)) MB) is large next to the available memory ($((mem_avail_kb / 1000)) MB); reads may not all come from the page cache"
fi
say "warming the page cache"
warm "$log_file"

# ---------------------------------------------------------------------------------------------
# Measurement

# measure OUT ERR CMD...: runs CMD once with stdout to OUT and stderr to ERR; sets m_wall
# (seconds, from bash's EPOCHREALTIME) and m_rss_kb (peak RSS from /usr/bin/time, empty
# without it). Returns CMD's exit status.
measure() {
  local out=$1 err=$2 start end status=0
  shift 2
  m_rss_kb=""
  start=$EPOCHREALTIME
  if [[ $have_time -eq 1 ]]; then
    /usr/bin/time -f '%e %M' -o "$time_file" "$@" >"$out" 2>"$err" </dev/null || status=$?
  else
    "$@" >"$out" 2>"$err" </dev/null || status=$?
  fi
  end=$EPOCHREALTIME
  m_wall="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
  if [[ $have_time -eq 1 && -s "$time_file" ]]; then
    # The last line is "%e %M"; a line before it reports a non-zero exit or a signal.
    m_rss_kb="$(tail -n 1 "$time_file" | awk '{ print $2 }')"
  fi
  return "$status"
}

# Results, one entry per tool, in the order run.
keys=()
declare -A label=() wall=() rss_kb=() cmd=() note=() nruns=()

# bench KEY LABEL OUT CMD...: best wall time of up to $runs runs (one when the first run takes
# more than $SLOW_SECONDS s) and the highest peak RSS seen.
bench() {
  local key=$1 name=$2 out=$3
  shift 3
  local err="$out_dir/$key.stderr" best="" peak="" done_runs=0 status
  keys+=("$key")
  label[$key]="$name"
  cmd[$key]="$(printf '%q ' "$@")"
  cmd[$key]="${cmd[$key]% }"
  while ((done_runs < runs)); do
    warm "$log_file"
    say "$name: run $((done_runs + 1))/$runs"
    status=0
    measure "$out" "$err" "$@" || status=$?
    if [[ $status -ne 0 ]]; then
      say "$name failed (exit status $status); its stderr ($err) ends with:"
      tail -n 5 "$err" >&2 || true
      note[$key]="failed (exit status $status)"
      return 0
    fi
    done_runs=$((done_runs + 1))
    say "$name: ${m_wall} s${m_rss_kb:+, peak RSS ${m_rss_kb} KiB}"
    if [[ -z "$best" ]] || awk -v a="$m_wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best="$m_wall"
    fi
    if [[ -n "$m_rss_kb" ]] && [[ -z "$peak" || "$m_rss_kb" -gt "$peak" ]]; then
      peak="$m_rss_kb"
    fi
    if awk -v a="$m_wall" -v s="$SLOW_SECONDS" 'BEGIN { exit !(a > s) }'; then
      break # a slow tool: one run is enough
    fi
  done
  wall[$key]="$best"
  rss_kb[$key]="$peak"
  nruns[$key]=$done_runs
}

skip() { # skip KEY LABEL REASON
  keys+=("$1")
  label[$1]="$2"
  note[$1]="skipped: $3"
}

threads="$(nproc)"
if [[ -n "$logan" ]]; then
  bench logan "logan (default threads)" "$out_dir/logan.json" \
    "$logan" batch --json --format combined "$log_file"
  bench logan-t1 "logan (--threads 1)" "$out_dir/logan-t1.json" \
    "$logan" batch --threads 1 --json --format combined "$log_file"
else
  skip logan "logan (default threads)" "logan not built"
  skip logan-t1 "logan (--threads 1)" "logan not built"
fi
if have mawk; then
  bench mawk "mawk" "$out_dir/mawk.txt" mawk -f "$SCRIPT_DIR/four_stats.awk" "$log_file"
else
  skip mawk "mawk" "not installed (apt-get install -y mawk)"
fi
if have goaccess; then
  # --no-global-config: ignore /etc/goaccess/goaccess.conf; COMBINED sets the date/time
  # formats too. stdin is /dev/null (see measure), so only FILE is read.
  bench goaccess "GoAccess" "$out_dir/goaccess.stdout" \
    goaccess "$log_file" --log-format=COMBINED --no-global-config --no-progress \
    --no-parsing-spinner -o "$out_dir/goaccess.json"
else
  skip goaccess "GoAccess" "not installed (apt-get install -y goaccess)"
fi

# ---------------------------------------------------------------------------------------------
# Report

cpu_model="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
if [[ -z "$cpu_model" ]] && have lscpu; then
  cpu_model="$(lscpu | awk -F': *' '/^Model name/ { print $2; exit }')"
fi
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || true)"
version_of() { # first line of a tool's version output, or "n/a"
  local v
  v="$("$@" 2>&1 </dev/null | head -n 1)" || true
  printf '%s' "${v:-n/a}"
}

row() { # row KEY: one Markdown table row
  local key=$1
  if [[ -n "${note[$key]:-}" ]]; then
    printf '| %s | %s | | | | |\n' "${label[$key]}" "${note[$key]}"
    return
  fi
  awk -v name="${label[$key]}" -v w="${wall[$key]}" -v n="$lines" -v b="$bytes" \
      -v rss="${rss_kb[$key]}" -v base="${wall[logan]:-}" '
    function group(x,   s) { # 1234567 -> 1,234,567
      s = sprintf("%.0f", x)
      while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
      return s
    }
    BEGIN {
      rate = (w > 0) ? n / w : 0
      mbs = (w > 0) ? b / 1e6 / w : 0
      r = (rss == "") ? "n/a" : sprintf("%.1f", rss * 1024 / 1e6)
      ratio = (base == "" || base <= 0) ? "n/a" : sprintf("%.2fx", w / base)
      printf "| %s | %.3f | %s | %.1f | %s | %s |\n", name, w, group(rate), mbs, r, ratio
    }'
}

report() {
  printf '# logan end-to-end benchmark\n\n'
  printf -- '- Command: `%s` (from %s)\n' "$INVOCATION" "$PWD"
  printf -- '- Date: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf -- '- Machine: %s cores (nproc), %s, %s MB RAM, Linux %s\n' \
    "$threads" "${cpu_model:-unknown CPU}" "$(( ${mem_total_kb:-0} / 1000 ))" "$(uname -r)"
  printf -- '- Input: `%s`, %s lines, %s bytes (%.1f MB), %s\n' "$log_file" "$lines" "$bytes" \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')" "$input_origin"
  printf -- '- Timing: best of %s runs after warming the page cache (one run when the first takes over %s s); %s; MB = 10^6 bytes\n' \
    "$runs" "$SLOW_SECONDS" "$([[ $have_time -eq 1 ]] && echo 'peak RSS from /usr/bin/time %M' || echo 'peak RSS not measured (no /usr/bin/time)')"
  printf '\n| tool | wall s | lines/s | MB/s | peak RSS MB | ratio vs logan |\n'
  printf '|---|---:|---:|---:|---:|---:|\n'
  local key runs_text
  for key in "${keys[@]}"; do row "$key"; done
  printf '\nRatio: wall time / wall time of logan with the default thread count (%s here); higher is slower.\n' "$threads"
  printf '\n## Commands\n\nEach with LC_ALL=C, stdin from /dev/null and stdout to a file in `%s`.\n\n' "$out_dir"
  for key in "${keys[@]}"; do
    [[ -n "${cmd[$key]:-}" ]] || continue
    if [[ -n "${note[$key]:-}" ]]; then
      runs_text="${note[$key]}"
    elif [[ ${nruns[$key]} -eq 1 ]]; then
      runs_text="1 run"
    else
      runs_text="best of ${nruns[$key]} runs"
    fi
    printf -- '- %s, %s: `%s`\n' "${label[$key]}" "$runs_text" "${cmd[$key]}"
  done
  printf '\n## Versions\n\n'
  [[ -n "$logan" ]] && printf -- '- logan: %s\n' "$(version_of "$logan" --version)"
  have mawk && printf -- '- mawk: %s\n' "$(version_of mawk -W version)"
  have goaccess && printf -- '- GoAccess: %s\n' "$(version_of goaccess --version)"
  printf '\n## Sanity check\n\n'
  printf '```\n%s\n```\n' "$sanity"
}

# Sanity check: logan against mawk (and logan against itself with one thread).
sanity_status=0
if ! have python3; then
  sanity="skipped: python3 not found"
else
  cmp_args=()
  [[ -z "${note[logan]:-}" ]] && cmp_args+=(--logan "$out_dir/logan.json")
  [[ -z "${note[logan-t1]:-}" ]] && cmp_args+=(--logan-t1 "$out_dir/logan-t1.json")
  [[ -z "${note[mawk]:-}" ]] && cmp_args+=(--mawk "$out_dir/mawk.txt")
  [[ -z "${note[goaccess]:-}" ]] && cmp_args+=(--goaccess "$out_dir/goaccess.json")
  if [[ ${#cmp_args[@]} -eq 0 ]]; then
    sanity="skipped: no tool produced output"
  else
    sanity="$(python3 "$SCRIPT_DIR/compare_stats.py" "${cmp_args[@]}" 2>&1)" || sanity_status=$?
  fi
fi

report | tee "$out_dir/results.md"
say "report written to $out_dir/results.md; tool outputs are in $out_dir"
if [[ $sanity_status -eq 1 ]]; then
  say "WARNING: the tools do not agree on the statistics (see \"Sanity check\" above)"
elif [[ $sanity_status -ne 0 ]]; then
  say "WARNING: the answers could not be compared (see \"Sanity check\" above)"
fi
