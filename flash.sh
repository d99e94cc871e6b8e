#!/usr/bin/env bash
# Builds build/app.js and uploads it to an Espruino board with the espruino CLI.
#
#   ./flash.sh [PORT] [--board esp8266|esp32] [--save] [--pretokenise] [--baud N]
#
#   PORT            /dev/ttyUSB0 (the default) or another serial port, or tcp://HOST[:PORT]
#                   for a board reachable over Wi-Fi (Espruino's Telnet, port 23 by default)
#   --board         which board/<name>.json tells the CLI the board's built-in modules
#                   (default esp8266); nothing is looked up on the internet
#   --save          write the code to flash so it runs at boot and survives a reboot (its
#                   functions then stay in flash instead of RAM)
#   --pretokenise   let Espruino store the code as tokens: smaller in RAM (not with --save:
#                   the CLI 0.1.67 then writes Storage chunks that do not fit together)
#   --baud N        serial speed (default 115200)
set -euo pipefail
cd "$(dirname "$0")"

port=/dev/ttyUSB0
board=esp8266
baud=115200
save=
pretokenise=
# no line numbers: a JsVar saved per function; throttled sends: Telnet has no flow control
config=(--config STORE_LINE_NUMBERS=false --config SERIAL_THROTTLE_SEND=1)
while [ $# -gt 0 ]; do
  case "$1" in
    --board) board="$2"; shift 2 ;;
    # writing to Storage needs no reset first: load() restarts with the new code at the end
    --save) config+=(--config SAVE_ON_SEND=1 --config RESET_BEFORE_SEND=false); save=1; shift ;;
    --pretokenise) config+=(--config PRETOKENISE=1); pretokenise=1; shift ;;
    --baud) baud="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "flash.sh: unknown option $1 (see ./flash.sh --help)" >&2; exit 2 ;;
    *) port="$1"; shift ;;
  esac
done
if [ -n "$save" ] && [ -n "$pretokenise" ]; then
  echo "flash.sh: --pretokenise with --save fails in the espruino CLI 0.1.67 (\"File already written with different data\"): use one or the other" >&2
  exit 2
fi
if [ ! -f "board/$board.json" ]; then
  echo "flash.sh: no board/$board.json (boards: $(cd board && ls *.json | grep -v wifi | sed 's/\.json//' | tr '\n' ' '))" >&2
  exit 2
fi

npm run --silent build
echo "Uploading build/app.js ($(wc -c < build/app.js) bytes) to $port as $board"
# --no-ble: the CLI's Bluetooth support crashes where no D-Bus runs, and is not needed here
exec node_modules/.bin/espruino --no-ble --board "board/$board.json" -b "$baud" -p "$port" \
  "${config[@]}" build/app.js
