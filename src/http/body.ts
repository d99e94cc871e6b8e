/** readallFrom(): a request's body (or a stream's or a file's bytes), read in bounded pieces. */
import { HTTPError } from './errors';
import { Connection } from './connection';

interface Writable {
  write(data: string): any;
}

/**
 * Reads all of `source` and resolves with it, or with `into` after writing it there in
 * pieces of `chunkSize`. On a request's `conn`: exactly the Content-Length bytes of its body
 * (413 over limits.body, 411 for a chunked body, 408 if not complete within `timeout`
 * seconds, by default the server's). On a file (anything with read(n) and no available(), as
 * Storage's): until read returns nothing. On a stream (anything else with on('data')): until
 * it closes, or until no data came for `timeout` seconds.
 */
export function readallFrom(source: any, into?: Writable | null, timeout?: number,
                            chunkSize?: number): Promise<any> {
  var size = chunkSize || 64;
  return new Promise(function (resolve, reject) {
    // Espruino throws on clearTimeout(undefined): timers start at 0
    var out = '', got = 0, timer: any = 0, ended = false;
    function put(data: string) {
      got += data.length;
      if (!into) out += data;
      else for (var i = 0; i < data.length; i += size) into.write(data.substring(i, i + size));
    }
    function settle(err?: any) {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (source instanceof Connection) source.reader_ = null;
      if (err) reject(err);
      else resolve(into || out);
    }
    function wait(seconds: number, err?: any) {
      clearTimeout(timer);
      timer = setTimeout(settle, seconds * 1000, err);
    }
    if (source instanceof Connection) {
      var length = source.bodyLength_ || 0, limits = source.server_.limits;
      if (length < 0) return settle(new HTTPError(411, 'chunked bodies are not read: send Content-Length'));
      if (length > limits.body) return settle(new HTTPError(413, 'body over ' + limits.body + ' bytes'));
      put(source.body_ || '');
      source.body_ = '';
      if (got >= length) return settle();
      source.reader_ = function (data) {
        if (data === null) return settle(new HTTPError(400, 'the client left before the body was complete'));
        put(data.substring(0, length - got));
        if (got >= length) settle();
      };
      wait(timeout || limits.timeout, new HTTPError(408, 'the body did not arrive in time'));
    } else if (typeof source.read == 'function' && typeof source.available != 'function') {
      // a file (Storage's read(n)) before a stream: on Espruino every object has on(), and a
      // socket has read() too, but only a socket has available()
      for (var data = source.read(size); data; data = source.read(size)) put(data);
      settle();
    } else if (typeof source.on == 'function') {
      source.on('data', function (data: string) {
        if (ended) return;
        put(data);
        if (timeout) wait(timeout);
      });
      source.on('close', function () { settle(); });
      source.on('end', function () { settle(); });
      if (timeout) wait(timeout);
    } else {
      settle(new Error('readallFrom: cannot read from ' + source));
    }
  });
}
