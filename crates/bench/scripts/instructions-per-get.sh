#!/usr/bin/env bash
# Instructions the server executes per unchanged signed `GET /v1/installation`, counted by
# valgrind's callgrind: repeatable within ~2% on this VM, where CPU time per request moves by
# ±15% between runs of one binary. Counts user space only (no system calls, no kernel).
#
#   crates/bench/scripts/instructions-per-get.sh [PROVISIO] [SECONDS]
#
# PROVISIO defaults to target/release/provisio; provisio-bench is taken from target/release.
# It runs `provisio-bench --scenario context` with the server under callgrind (instrumentation
# off), turns the counting on for SECONDS (default 3) once the GETs of /v1/installation flow,
# and divides the instructions by the requests the server's metrics counted meanwhile.
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
provisio=$(realpath "${1:-$here/target/release/provisio}")
seconds=${2:-3}
bench="$here/target/release/provisio-bench"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/provisio" <<WRAP
#!/usr/bin/env bash
if [ "\$1" = serve ]; then
  exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/out" \
    "$provisio" "\$@" 2>"$work/valgrind.log"
fi
exec "$provisio" "\$@"
WRAP
chmod +x "$work/provisio"
"$bench" --provisio "$work/provisio" --scenario context >"$work/bench.log" 2>&1 &
bench_pid=$!
pid=""
until [ -n "$pid" ]; do sleep 0.2; pid=$(pgrep -f "valgrind.*$provisio serve" | head -1 || true); done
port=""
until [ -n "$port" ]; do
  sleep 0.5
  port=$(ss -ltnp 2>/dev/null | grep "pid=$pid," | grep -o '127.0.0.1:[0-9]*' | head -1 || true)
done
# GETs of /v1/installation answered so far (the bench's operator token, see server.rs).
answered() {
  curl -s -H "Authorization: Bearer bench-admin-token" "http://$port/_provisio/metrics" |
    grep 'http_requests_total{' | grep 'method="GET"' | grep 'route="/v1/installation"' |
    awk '{n += $NF} END {print n + 0}'
}
until [ "$(answered)" -ge 200 ]; do sleep 0.3; done
before=$(answered)
callgrind_control -i on "$pid" >/dev/null 2>&1
sleep "$seconds"
callgrind_control -i off "$pid" >/dev/null 2>&1
after=$(answered)
callgrind_control -d "$pid" >/dev/null 2>&1
wait "$bench_pid" || true
callgrind_annotate "$work/out.1" >"$work/annotated" 2>/dev/null
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$work/annotated")
# The two reads of the metrics between the marks are requests too.
requests=$((after - before - 2))
echo "$requests requests, $total instructions: $((total / requests)) instructions per GET"
