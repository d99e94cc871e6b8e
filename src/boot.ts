/** The build's entry: brings up the network (board/), then runs the application. */
import { connectWifi } from '../board/wifi';
import { cleanup, main } from './main';
import { start } from './runner';

// The bundle's top-level names are globals on the board, and esbuild never gives a name it sees
// used unbound: this dead code (dropped from the output) names the board's short globals a
// person may type at its console, the E object and the pins of an ESP8266 and an ESP32.
declare var E: any, A0: any, D0: any, D1: any, D2: any, D3: any, D4: any, D5: any, D6: any, D7: any, D8: any,
  D9: any, D10: any, D11: any, D12: any, D13: any, D14: any, D15: any, D16: any, D17: any, D18: any, D19: any,
  D20: any, D21: any, D22: any, D23: any, D24: any, D25: any, D26: any, D27: any, D28: any, D29: any, D30: any,
  D31: any, D32: any, D33: any, D34: any, D35: any, D36: any, D37: any, D38: any, D39: any;
if (0) {
  [E, A0, D0, D1, D2, D3, D4, D5, D6, D7, D8, D9, D10, D11, D12, D13, D14, D15, D16, D17, D18, D19, D20, D21, D22,
    D23, D24, D25, D26, D27, D28, D29, D30, D31, D32, D33, D34, D35, D36, D37, D38, D39];
}

connectWifi();
start({ main: main, cleanup: cleanup });
