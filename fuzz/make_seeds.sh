#!/usr/bin/env bash
# Writes the seed corpora of fuzz/corpus/ from real runs of a plain build (BUILD, default
# build): what argo itself writes (journals of killed sessions, market_data.parquet,
# stats.yaml), what the mock exchange answers (REST klines, WebSocket messages, read with
# Node's WebSocket client), configuration files from docs/config.md, and CSV replay files as
# docs/feeds.md describes them. The seeds it writes replace the files of the same names; the
# other files of the corpus folders (inputs merged from fuzzing runs, named by their SHA-1, and
# regress-*, the inputs that found bugs) are kept. Needs node >= 20 and curl.
#   bash fuzz/make_seeds.sh [BUILD]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
argo=$build/argo
mock=$build/tests/mock_exchange
corpus=$here/fuzz/corpus
work=$(mktemp -d "${TMPDIR:-/tmp}/argo-seeds-XXXXXX")
mock_pid=
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for t in journal replay config binance_rest binance_ws stats_yaml; do
  mkdir -p "$corpus/$t"
done

# The first records of a journal, cut at a record boundary after about max bytes (a seed should
# be small: libFuzzer mutates a few kilobytes far faster than a megabyte), optionally followed by
# an END record (a day that ended cleanly: what a crash between the END and the journal's
# removal leaves).
cut_journal() { # in out max_bytes with_end
  node -e '
    const fs = require("fs");
    const [inp, out, max, withEnd] = process.argv.slice(1);
    const d = fs.readFileSync(inp);
    let pos = 16;
    while (pos + 9 <= d.length) {
      const n = d.readUInt32LE(pos);
      if (pos + 9 + n > d.length || pos + 9 + n > Number(max)) break;
      pos += 9 + n;
    }
    let outBuf = d.subarray(0, pos);
    if (withEnd === "1") {
      // CRC-32C of the type byte 7 (an END record has no payload).
      let crc = 0xffffffff ^ 0;
      crc ^= 7;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      crc = (crc ^ 0xffffffff) >>> 0;
      const end = Buffer.alloc(9);
      end.writeUInt32LE(0, 0);
      end.writeUInt32LE(crc, 4);
      end[8] = 7;
      outBuf = Buffer.concat([outBuf, end]);
    }
    fs.writeFileSync(out, outBuf);
  ' "$1" "$2" "$3" "$4"
}

# A session killed with SIGKILL after secs seconds; prints its run folder.
killed_session() { # data secs args...
  local data=$1 secs=$2
  shift 2
  "$argo" run --quiet --data-output "$data" "$@" 2>/dev/null &
  local pid=$!
  sleep "$secs"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  find "$data" -name .journal | head -1
}

echo "make_seeds: sessions on the simulated feed" >&2
data=$work/data
"$argo" run --quiet --data-output "$data" --symbols BTCUSDT,ETHUSDT --interval 1m \
  --start 2025-10-01T09:00:00Z --bars 30 --strategy pingpong --strategy-config '{"every":3}'
run1=$data/2025-10-01/run_1
cp "$run1/market_data.parquet" "$corpus/replay/market_data.parquet"
cp "$run1/stats.yaml" "$corpus/stats_yaml/finished.yaml"
# A warm restart that resumes the account: stats.yaml with resumed_from and the account block.
"$argo" run --quiet --data-output "$data" --symbols BTCUSDT,ETHUSDT --interval 1m \
  --start 2025-10-01T10:00:00Z --bars 10 --strategy pingpong --strategy-config '{"every":4}' \
  --resume-account
cp "$data/2025-10-01/run_2/stats.yaml" "$corpus/stats_yaml/resumed_account.yaml"
# A replay of the first session's file: its stats.yaml names the replayed feed's interval.
"$argo" query --data-output "$data" --run 2025-10-01/run_1 --format csv \
  "SELECT time, symbol, open, high, low, close, volume FROM market_data ORDER BY time, symbol LIMIT 40" \
  >"$corpus/replay/iso_times.csv"

echo "make_seeds: a killed session (journal)" >&2
j=$(killed_session "$work/killed" 2 --symbols BTCUSDT,ETHUSDT --interval 1s --speed 200 \
  --start 2025-10-01T09:00:00Z --bars 3000 --strategy pingpong --strategy-config '{"every":2}')
[ -n "$j" ] || { echo "make_seeds: the killed session left no journal" >&2; exit 1; }
cut_journal "$j" "$corpus/journal/sim_killed" 6000 0
cut_journal "$j" "$corpus/journal/sim_ended" 3000 1
# The stats.yaml of a session while it runs (status running).
cp "$(dirname "$j")/stats.yaml" "$corpus/stats_yaml/running.yaml"

echo "make_seeds: the mock exchange (REST, WebSocket, a prefetching session)" >&2
"$mock" --tick-ms 200 --partial 1 --malformed-every 2 >"$work/port" &
mock_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")
rest=http://127.0.0.1:$port
curl -s "$rest/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5" >"$corpus/binance_rest/klines_5"
curl -s "$rest/api/v3/klines?symbol=ETHUSDT&interval=1m&limit=1" >"$corpus/binance_rest/klines_1"
curl -s "$rest/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5&startTime=0&endTime=1" \
  >"$corpus/binance_rest/klines_empty"
curl -s "$rest/api/v3/klines?symbol=BTCUSDT&interval=7x" >"$corpus/binance_rest/error" || true
node --experimental-websocket --no-warnings -e '
  const fs = require("fs");
  const [url, dir] = process.argv.slice(1);
  const ws = new WebSocket(url);
  let n = 0;
  ws.onmessage = (e) => {
    fs.writeFileSync(`${dir}/message_${String(n).padStart(2, "0")}`, e.data);
    if (++n >= 12) { ws.close(); }
  };
  ws.onclose = () => process.exit(0);
  setTimeout(() => process.exit(n > 0 ? 0 : 1), 10000);
' "ws://127.0.0.1:$port/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m" "$corpus/binance_ws"
j=$(killed_session "$work/live" 3 --feed binance --symbols BTCUSDT,ETHUSDT --interval 1m \
  --set "market_data.rest_url=$rest" --set "market_data.ws_url=ws://127.0.0.1:$port" \
  --set engine.prefetch.enabled=true --set engine.prefetch.days=1 \
  --strategy pingpong --strategy-config '{"every":2}')
[ -n "$j" ] || { echo "make_seeds: the binance session left no journal" >&2; exit 1; }
cut_journal "$j" "$corpus/journal/binance_prefetch" 6000 0

echo "make_seeds: configuration files and CSV replay files" >&2
# The example of docs/config.md, and the forms its text describes.
sed -n '/^# session.yaml/,/^    every: 3/p' "$here/docs/config.md" >"$corpus/config/session.yaml"
cat >"$corpus/config/env_and_flow.yaml" <<'YAML'
engine:
  data_output: "${ARGO_DATA:-./data}/$$x"
  publish_interval: 250ms
  journal: true
  group_commit: 100ms
  prefetch: {enabled: true, start_time_type: date, start_time: "2025-09-30T00:00:00Z"}
market_data:
  feed: binance
  symbols: "${ARGO_FUZZ_SYMBOL},ETHUSDT"
  interval: 4h
  bars: ${ARGO_FUZZ_BARS}
  rest_url: http://127.0.0.1:8080
  ws_url: ws://127.0.0.1:8080
trading.capital: 2500.5
trading:
  commission: {model: per_share, per_share: 0.005, minimum: 1}
YAML
cat >"$corpus/config/strategy_config.yaml" <<'YAML'
market_data:
  feed: replay
  replay_file: data/2025-10-01/run_1/market_data.parquet
  symbols: []
  start: 2025-10-01
  end: 1759309200
  speed: 60
strategy:
  name: ma_cross
  config:
    fast: &f 5
    slow: 20
    again: *f
    levels: [1.5, -2, "3", null, true, ~]
    nested: {a: {b: [x, y]}}
YAML
cat >"$corpus/replay/epoch_ms_grouped.csv" <<'CSV'
symbol,time,open,high,low,close,volume,history
BTCUSDT,1759309200000,100,101,99,100.5,12,true
BTCUSDT,1759309260000,100.5,102,100,101,3.5,false
BTCUSDT,1759309260000,100.5,102,100,101,3.5,
BTCUSDT,1759309200000,100,101,99,100.5,1,
ETHUSDT,1759309200000,10,11,9,10.5,0,
ETHUSDT,1759309260000,10,9,11,10,1,
ETHUSDT,not a time,10,11,9,10,1,
CSV
cat >"$corpus/replay/offsets.csv" <<'CSV'
time,symbol,open,high,low,close,volume
2025-10-01T11:00:00+02:00,BTCUSDT,1,2,0.5,1.5,10
2025-10-01 09:01:00,BTCUSDT,1.5,2,1,1.75,nan
2025-10-01T09:02:00Z,BTCUSDT,-1,2,1,1.75,1
2025-10-01T09:03:00Z,,1,2,1,1.5,1
CSV
echo "make_seeds: done; sizes:" >&2
du -sh "$corpus"/* >&2
