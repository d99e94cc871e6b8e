/** A raw HTTP client for the end-to-end suite: sends exact bytes, reads until the server closes. */
import * as net from 'node:net';

export interface Reply {
  /** the status code, or null when the server closed without answering */
  status: number | null;
  reason: string;
  /** header fields, names lower-case */
  headers: { [name: string]: string };
  body: string;
  /** everything received */
  raw: string;
  /** interim (1xx) statuses received before the answer */
  interim: number[];
}

export interface Exchange {
  host: string;
  port: number;
  /** pieces sent one after another, `pause` ms apart (latin1 strings: one char, one byte) */
  send: string[];
  pause?: number;
  /** how long the server may take to answer and close */
  timeout?: number;
}

export function parseReply(raw: string): Reply {
  const reply: Reply = { status: null, reason: '', headers: {}, body: '', raw, interim: [] };
  let m: RegExpExecArray | null;
  while ((m = /^HTTP\/1\.[01] (1\d\d)[^\r\n]*\r\n\r\n/.exec(raw))) {
    reply.interim.push(Number(m[1]));
    raw = raw.substring(m[0].length);
  }
  const end = raw.indexOf('\r\n\r\n');
  m = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)/.exec(raw);
  if (!m || end < 0) return reply;
  reply.status = Number(m[1]);
  reply.reason = m[2];
  for (const line of raw.substring(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const name = line.substring(0, colon).toLowerCase();
    const value = line.substring(colon + 1).trim();
    reply.headers[name] = name in reply.headers ? reply.headers[name] + ', ' + value : value;
  }
  reply.body = raw.substring(end + 4);
  return reply;
}

/** Sends the pieces and resolves with what came back once the server has closed. A server
 *  that neither answers nor closes within the timeout fails the exchange: that is a hang. */
export function exchange(x: Exchange): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(x.port, x.host);
    let raw = '';
    let done = false;
    const timer = setTimeout(() => {
      finish(new Error(`no close within ${x.timeout ?? 5000} ms (hang); got ${JSON.stringify(raw)}`));
    }, x.timeout ?? 5000);
    function finish(err?: Error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(parseReply(raw));
    }
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => { raw += d; });
    socket.on('close', () => finish());
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // a reset after the answer (or instead of one) is the server closing: judge what came
      if (e.code == 'ECONNRESET' || e.code == 'EPIPE') finish();
      else finish(e);
    });
    socket.on('connect', async () => {
      for (let i = 0; i < x.send.length; i++) {
        if (i && x.pause) await new Promise((r) => setTimeout(r, x.pause));
        if (done || socket.destroyed) return;
        socket.write(Buffer.from(x.send[i], 'latin1'));
      }
    });
  });
}

/** Resolves when something accepts connections on the port, or rejects after `ms`. */
export async function waitForPort(host: string, port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once the server on the port answers `request` (any status), or rejects after `ms`:
 *  it serves, not only listens. For servers that count connections: an answered request frees
 *  its place at once, where a bare probe (waitForPort) holds one until the server hears of its
 *  close (once never, when Espruino lost it: see serve() in src/httpsrv.ts). */
export async function waitForAnswer(host: string, port: number, ms: number,
                                    request = 'GET / HTTP/1.0\r\n\r\n'): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const reply = await exchange({ host, port, send: [request], timeout: 2000 }).catch(() => null);
    if (reply && reply.status) return;
    if (Date.now() > until) throw new Error(`nothing answered on ${host}:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port that was free a moment ago (and the one after it, for a second server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => (port < 65000 ? resolve(port) : freePort().then(resolve, reject)));
    });
    server.on('error', reject);
  });
}
