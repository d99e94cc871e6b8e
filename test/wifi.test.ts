/** board/wifi.ts against a stand-in for Espruino's Wifi module. */
import { strict as assert } from 'node:assert';
import Module from 'node:module';

type Call = [string, ...unknown[]];

/** Where a board's Wifi module is: built in (listed in process.env.MODULES, as on an ESP8266),
 *  a file in Storage (require() finds modules there), or nowhere (Espruino for Linux). */
type Where = 'builtin' | 'storage' | 'none';

/** Runs `run` with `wifi` as require('Wifi') where `where` says; `requests` lists what was required. */
function withWifi(config: object, wifi: object | null, run: (logs: string[], requests: string[]) => void,
  where: Where = wifi ? 'builtin' : 'none') {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  const log = console.log;
  const modules = process.env.MODULES;
  const logs: string[] = [];
  const requests: string[] = [];
  (globalThis as any).WIFI_CONFIG = config;
  // the Linux build's list: no Wifi in it
  process.env.MODULES = 'timer,Flash,Storage,heatshrink,fs,net,dgram,tls,http,NetworkJS,TelnetServer,crypto' +
    (where == 'builtin' ? ',Wifi' : '');
  loader._load = (request, ...rest) => {
    requests.push(request);
    if (request == 'Storage') return { read: (name: string) => (name == 'Wifi' && where == 'storage' ? 'exports.getIP=...' : undefined) };
    if (request == 'Wifi') {
      // on the board a missing module is an Error that costs hundreds of JsVars at boot
      if (where == 'none') throw new Error('Module "Wifi" not found');
      return wifi;
    }
    return load(request, ...rest);
  };
  console.log = (...args: unknown[]) => { logs.push(args.join(' ')); };
  try {
    run(logs, requests);
  } finally {
    loader._load = load;
    console.log = log;
    if (modules === undefined) delete process.env.MODULES;
    else process.env.MODULES = modules;
    delete (globalThis as any).WIFI_CONFIG;
  }
}

function fakeWifi(calls: Call[], ip = '192.168.1.7') {
  return {
    setHostname: (name: string) => calls.push(['setHostname', name]),
    connect: (ssid: string, options: object, done: (err: unknown) => void) => {
      calls.push(['connect', ssid, options]);
      done(null);
    },
    getIP: (done?: (err: unknown, info: { ip: string }) => void) => {
      calls.push(['getIP']);
      if (done) done(null, { ip });
      return { ip };
    }
  };
}

describe('board/wifi: bringing up the network', function () {
  // loaded inside the stand-in each time: the module reads WIFI_CONFIG when called
  const connect = () => (require('../board/wifi') as typeof import('../board/wifi')).connectWifi();

  it('joins the configured network, sets the hostname and says where it serves', function () {
    const calls: Call[] = [];
    withWifi({ ssid: 'home', password: 'secret', hostname: 'kyanit' }, fakeWifi(calls), (logs) => {
      connect();
      assert.deepEqual(calls.slice(0, 2), [['setHostname', 'kyanit'], ['connect', 'home', { password: 'secret' }]]);
      assert.ok(logs.includes('Serving on http://192.168.1.7/'), logs.join('\n'));
    });
  });

  it('without an ssid keeps the saved network, and says so once it has an address', function () {
    const calls: Call[] = [];
    withWifi({}, fakeWifi(calls), (logs) => {
      connect();
      assert.ok(!calls.some((c) => c[0] == 'connect'));
      assert.ok(logs.includes('Serving on http://192.168.1.7/'), logs.join('\n'));
    });
    const offline: Call[] = [];
    withWifi({}, fakeWifi(offline, '0.0.0.0'), (logs) => {
      connect();
      assert.deepEqual(logs, []);
    });
  });

  it('without a Wifi module (Linux, a wired board) does nothing, never asks require() for it, and lets the app start', function () {
    withWifi({ ssid: 'home' }, null, (logs, requests) => {
      assert.doesNotThrow(connect);
      assert.deepEqual(logs, []);
      assert.ok(!requests.includes('Wifi'), `require('Wifi') was called: ${requests.join(', ')}`);
    });
  });

  it('uses a Wifi module kept in Storage (as the tests on espruino-1700 give one)', function () {
    const calls: Call[] = [];
    withWifi({ ssid: 'home' }, fakeWifi(calls), (logs) => {
      connect();
      assert.deepEqual(calls[0], ['connect', 'home', { password: undefined }]);
      assert.ok(logs.includes('Serving on http://192.168.1.7/'), logs.join('\n'));
    }, 'storage');
  });
});
