#!/usr/bin/env bash
# The demo of the README's first command: one session on the simulated feed with the builtin
# strategy and the paper broker, then where the files are and a query on them.
set -euo pipefail
argo=${1:-build/argo}
out=${ARGO_DEMO_OUTPUT:-./data/live-trading}
echo "== argo demo: 2 symbols, 1m candles over two days, builtin ma_cross strategy, paper broker"
"$argo" run --feed sim --symbols BTCUSDT,ETHUSDT --interval 1m --start 2025-10-01T00:00:00Z \
  --bars 2880 --pattern volatile --seed 42 --speed max --data-output "$out"
echo
echo "== the record (one folder per UTC day, same run number):"
find "$out" -newer "$argo" -name stats.yaml | sort | tail -n 4 | while read -r f; do
  echo "   $(dirname "$f")/"
  ls "$(dirname "$f")" | sed 's/^/      /'
done
echo
echo "== every session recorded so far:"
"$argo" sessions --data-output "$out" | head -n 8
echo
query="SELECT date, run, symbol, count(*) AS fills, round(sum(pnl), 2) AS pnl FROM trades
       WHERE session_id = (SELECT session_id FROM stats ORDER BY date DESC, run_number DESC LIMIT 1)
       GROUP BY ALL ORDER BY ALL"
echo "== a query over the files (the same SQL works in any DuckDB with read_parquet):"
echo "   argo query \"$query\""
"$argo" query --data-output "$out" "$query"
