/**
 * Wi-Fi for ESP8266 and ESP32 boards. The build puts board/wifi.json (untracked; copy
 * wifi.example.json) into WIFI_CONFIG. Without an ssid the board keeps the network it saved
 * before (require('Wifi').save()); without a Wifi module (Espruino for Linux, a wired board)
 * the application starts all the same.
 */
declare var WIFI_CONFIG: { ssid?: string; password?: string; hostname?: string };
declare var process: { env: { MODULES?: string } };

export function connectWifi(): void {
  // whether require('Wifi') finds a module (built in, or a file in Storage), asked without
  // letting it throw: an Error made at boot costs hundreds of JsVars on an ESP8266 (README,
  // "What it costs"); here, not in a function of its own that would stay in memory
  if (String(process.env.MODULES).split(',').indexOf('Wifi') < 0 && require('Storage').read('Wifi') === undefined) return;
  var wifi = require('Wifi');
  var config = WIFI_CONFIG;
  if (config.hostname) wifi.setHostname(config.hostname);
  function ready(err: any) {
    if (err) return console.log('Wi-Fi:', err);
    var ip = wifi.getIP().ip;
    console.log('Serving on http://' + ip + '/');
  }
  if (config.ssid) wifi.connect(config.ssid, { password: config.password }, ready);
  else wifi.getIP(function (err: any, info: any) { if (info && info.ip != '0.0.0.0') ready(null); });
}
