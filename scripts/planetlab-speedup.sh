#!/usr/bin/env bash
# The issue's speed and memory check for the CloudSim PlanetLab examples: times each of the nine
# example policies on 20110303 through the command line (process start, scenario, loading the
# 1052 trace files, simulation, summary: what CloudSim's quiet-harness wall time covers), takes
# the median of RUNS runs, and divides CloudSim 3.0.3's quiet-harness wall time by it. The
# CloudSim figures are read from the baseline's results.csv (its sorted-order rows; for LrRs the
# quickest of its random draws, the strictest). Peak RSS is compared the same way when GNU time
# is installed. Times drift with the machine's state: run it on an otherwise idle machine and
# compare builds in one sitting.
#
# Usage: scripts/planetlab-speedup.sh [RUNS] [BINARY]   (defaults: 15, .build/release/yunhe)
set -euo pipefail
if [ -z "${EPOCHREALTIME:-}" ]; then
  echo "error: needs bash 5 or later (EPOCHREALTIME)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
runs=${1:-15}
bin=${2:-.build/release/yunhe}
csv=../shared/data/baselines/results.csv
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "error: RUNS must be a positive integer, got '$runs'" >&2
  exit 2
fi
if [ ! -f "$csv" ]; then
  echo "error: $csv not found (the shared data folder beside the project)" >&2
  exit 2
fi
if [ ! -x "$bin" ]; then
  echo "building the release binary (make release)" >&2
  make release >&2
fi

# Median wall time in ms of `$bin dynamic run <scenario>` over $runs runs (after 3 warm-ups):
# hyperfine's when it is installed, else a loop timed with bash's clock.
median_ms() {
  local scenario=$1
  if command -v hyperfine >/dev/null 2>&1; then
    local out
    out=$(mktemp)
    hyperfine -N -w 3 -r "$runs" --export-csv "$out" "$bin dynamic run $scenario" >/dev/null 2>&1
    awk -F, 'NR == 2 { printf "%.1f", $4 * 1000 }' "$out"
    rm -f "$out"
  else
    # Bash's own clock (EPOCHREALTIME, bash 5), so that no other process is timed.
    local i start end
    for i in 1 2 3; do "$bin" dynamic run "$scenario" >/dev/null 2>&1; done
    for ((i = 0; i < runs; i++)); do
      start=${EPOCHREALTIME/[.,]/}
      "$bin" dynamic run "$scenario" >/dev/null 2>&1
      end=${EPOCHREALTIME/[.,]/}
      echo $((end - start))
    done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
  fi
}

# Peak RSS in MB of one run, or "–" without GNU time.
peak_mb() {
  if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    /usr/bin/time -f %M "$bin" dynamic run "$1" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'
  else
    printf '–'
  fi
}

echo "| policy | CloudSim quiet s | yunhe median ms | speed-up | ≥ 200× | CloudSim peak MB | yunhe peak MB | ≤ 1/10 |"
echo "|---|---|---|---|---|---|---|---|"
failed=0
for policy in NonPowerAware Dvfs ThrMmt IqrMmt MadMmt LrMmt LrrMmt LrMc LrRs; do
  # Columns: 2 example class, 4 trace order, 27 quiet wall s, 28 quiet peak RSS MB. Rows whose
  # quiet figures are missing (the logging example run) are skipped.
  read -r cloud_s cloud_mb < <(awk -F, -v p="$policy" '
    { sub(/\r$/, ""); $0 = $0 }
    $2 == p && $4 == "sorted" && $27 ~ /^[0-9.]+$/ && $28 ~ /^[0-9.]+$/ {
      if (best == "" || $27 + 0 < best + 0) { best = $27; mb = $28 }
    }
    END { print best, mb }' "$csv")
  if [ -z "$cloud_s" ]; then
    echo "error: no quiet-harness time for $policy in $csv" >&2
    exit 2
  fi
  scenario=scenarios/planetlab/$policy.yaml
  ms=$(median_ms "$scenario")
  mb=$(peak_mb "$scenario")
  verdict=$(awk -v c="$cloud_s" -v m="$ms" 'BEGIN { s = c * 1000 / m; printf "%.0f× | %s", s, (s >= 200 ? "yes" : "no") }')
  memory=$(awk -v c="$cloud_mb" -v m="$mb" 'BEGIN { if (m == "–") print "–"; else print (m * 10 <= c ? "yes" : "no") }')
  [[ $verdict == *"| no" ]] && failed=1
  [ "$memory" = no ] && failed=1
  echo "| $policy | $cloud_s | $ms | $verdict | $cloud_mb | $mb | $memory |"
done
exit $failed
