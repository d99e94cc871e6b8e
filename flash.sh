#!/usr/bin/env bash
# Builds the app and uploads it to an Espruino board with the espruino CLI: build/bundle.js,
# the code (build/app.js, its installer, is what `espruino -p PORT build/app.js` uploads).
#
#   ./flash.sh [PORT] [--app DIR] [--board esp8266|esp32] [--save] [--pretokenise] [--baud N]
#              [--token TOKEN]
#
#   PORT            /dev/ttyUSB0 (the default) or another serial port, or tcp://HOST[:PORT]
#                   for a board reachable over Wi-Fi (Espruino's Telnet, port 23 by default)
#   --app DIR       the app to flash: DIR/main.ts (default src/, the spec's example), and its
#                   DIR/www/ assets, built (minified, gzipped) and written to Storage first:
#                   only the files that changed; a set that does not fit the board's Storage
#                   is refused before anything is written
#   --board         which board/<name>.json tells the CLI the board's built-in modules
#                   (default esp8266); nothing is looked up on the internet
#   --save          write the code to Storage (.bootcde) so it runs at boot and survives a
#                   reboot (its functions then stay in flash instead of RAM): the board is
#                   reset, the file is written in 384-byte pieces, then checked on the board
#                   (length and CRC32 against build/bundle.js): started with load() if it
#                   matches, erased if not
#   --pretokenise   let Espruino store the code as tokens: smaller in RAM (RAM uploads only)
#   --baud N        serial speed (default 115200)
#   --token TOKEN   for an app with the system API (src/sysapi.ts): the token its routes ask
#                   for, written to the board's Storage (.systoken) and kept on this machine
#                   for kyanitctl; without it a board that has no token gets a generated one,
#                   printed once (scripts/token.mjs)
#
# Exits non-zero, with the reason, when the board printed an error during the upload
# (Uncaught ..., OUT OF MEMORY, LOW_MEMORY, FIFO_FULL) or, with --save, when the copy in
# Storage did not match build/bundle.js (the board is then left reset, with no app to boot).
set -euo pipefail
cd "$(dirname "$0")"

port=/dev/ttyUSB0
board=esp8266
baud=115200
save=
pretokenise=
app=
token=
# no line numbers: a JsVar saved per function; throttled sends: 19-byte writes, a pause after
# each Storage.write line so the board has run it before the next arrives
config=(--config STORE_LINE_NUMBERS=false --config SERIAL_THROTTLE_SEND=1)
while [ $# -gt 0 ]; do
  case "$1" in
    --board) board="$2"; shift 2 ;;
    --app) app="$2"; shift 2 ;;
    --save) save=1; shift ;;
    --pretokenise) config+=(--config PRETOKENISE=1); pretokenise=1; shift ;;
    --baud) baud="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "flash.sh: unknown option $1 (see ./flash.sh --help)" >&2; exit 2 ;;
    *) port="$1"; shift ;;
  esac
done
if [ -n "$save" ] && [ -n "$pretokenise" ]; then
  echo "flash.sh: --pretokenise applies to RAM uploads; --save stores build/bundle.js as it is: use one or the other" >&2
  exit 2
fi
if [ ! -f "board/$board.json" ]; then
  echo "flash.sh: no board/$board.json (boards: $(cd board && ls *.json | grep -v wifi | sed 's/\.json//' | tr '\n' ' '))" >&2
  exit 2
fi

if [ -n "$app" ] && [ ! -f "$app/main.ts" ]; then
  echo "flash.sh: --app $app: no $app/main.ts there" >&2
  exit 2
fi
npm run --silent build -- $app
if grep -q '/sys/state' build/bundle.js; then
  # an app with the system API: its token is on the board before the app starts
  if [ -n "$token" ]; then token_args=(--token "$token"); else token_args=(--keep); fi
  node scripts/token.mjs "$port" --board "$board" --baud "$baud" "${token_args[@]}"
elif [ -n "$token" ]; then
  echo "flash.sh: --token: build/bundle.js has no system API (src/sysapi.ts) to ask for it" >&2
  exit 2
fi
if [ -d build/www ]; then
  # the assets first: the code that serves them starts once it is written
  node scripts/upload-assets.mjs build/www --port "$port" --board "$board" --baud "$baud" --code build/bundle.js
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$save" ]; then
  read -r size crc < <(node -e 'const b = require("fs").readFileSync("build/bundle.js");
    console.log(b.length, require("zlib").crc32(b))')
  # run on the board after the pieces: the file as written, checked before it may boot
  cat > "$tmp/verify.js" <<EOF
(function (S, s) { var n = s ? s.length : 0, c = s ? E.CRC32(s) : 0; if (n == $size && c == $crc) { print("flash.sh: .bootcde verified ($size bytes, CRC32 $crc)"); load(); } else { S.erase(".bootcde"); print("flash.sh: .bootcde does not match build/bundle.js: " + n + " bytes, CRC32 " + c + " (expected $size, $crc); erased"); } })(require("Storage"), require("Storage").read(".bootcde"));
EOF
  # --storage: the CLI sends the file's bytes as they are (base64 pieces), after a reset()
  # that stops the running code, which may be executing from the .bootcde being replaced
  what=(--storage .bootcde:build/bundle.js "$tmp/verify.js")
  echo "Writing build/bundle.js ($size bytes) to Storage on $port as $board, then verifying it"
else
  what=(build/bundle.js)
  echo "Uploading build/bundle.js ($(wc -c < build/bundle.js) bytes) to $port as $board"
fi
# --no-ble: the CLI's Bluetooth support crashes where no D-Bus runs, and is not needed here;
# --sleep 1: the board's answer to the last line arrives before the CLI hangs up
node_modules/.bin/espruino --no-ble --board "board/$board.json" -b "$baud" -p "$port" --sleep 1 \
  "${config[@]}" "${what[@]}" 2>&1 | tee "$tmp/out"

bad=$(grep -aE 'Uncaught|OUT OF MEMORY|LOW_MEMORY|FIFO_FULL|New interpreter error|Prompt not detected|Unable to connect' "$tmp/out" || true)
if [ -n "$bad" ]; then
  printf 'flash.sh: the upload failed; the board or the CLI said:\n%s\n' "$bad" >&2
  exit 1
fi
if [ -n "$save" ] && ! grep -aq 'flash.sh: .bootcde verified' "$tmp/out"; then
  echo "flash.sh: .bootcde on the board was not verified (see above): it was not started; run flash.sh again" >&2
  exit 1
fi
