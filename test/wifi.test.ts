/** board/wifi.ts against a stand-in for Espruino's Wifi module. */
import { strict as assert } from 'node:assert';
import Module from 'node:module';

type Call = [string, ...unknown[]];

function withWifi(config: object, wifi: object | null, run: (logs: string[]) => void) {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  const log = console.log;
  const logs: string[] = [];
  (globalThis as any).WIFI_CONFIG = config;
  loader._load = (request, ...rest) => {
    if (request == 'Wifi') {
      if (!wifi) throw new Error('Module "Wifi" not found');
      return wifi;
    }
    return load(request, ...rest);
  };
  console.log = (...args: unknown[]) => { logs.push(args.join(' ')); };
  try {
    run(logs);
  } finally {
    loader._load = load;
    console.log = log;
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

  it('without a Wifi module (Linux, a wired board) does nothing and lets the app start', function () {
    withWifi({ ssid: 'home' }, null, (logs) => {
      assert.doesNotThrow(connect);
      assert.deepEqual(logs, []);
    });
  });
});
