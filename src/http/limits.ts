/**
 * Every bound on what one request may make the server hold, in one place, each with the
 * status that answers a request over it. A server copies these (HTTPServer.limits) and each
 * is checked as bytes arrive, never after.
 */
export interface Limits {
  /** bytes of the request line ("GET /path?query HTTP/1.1"), without its line end: 414 URI
   *  Too Long */
  line: number;
  /** bytes of the header fields after the request line, with their line ends but not the
   *  empty line after them: 431 Request Header Fields Too Large */
  head: number;
  /** number of header fields: 431 Request Header Fields Too Large */
  fields: number;
  /** bytes of a request body that readallFrom will take: 413 Content Too Large */
  body: number;
  /** seconds a client has to send a complete head (408 Request Timeout), and readallFrom's
   *  default wait for the body */
  timeout: number;
  /** seconds a callback's Promise may take to settle: 503 Service Unavailable */
  handler: number;
  /** connections served at once; one more is answered 503 with Retry-After and closed (a
   *  queue would hold its socket and vars while it waits: an ESP8266 has 10 sockets in all) */
  connections: number;
  /** JsVars that must stay free for a new connection to be served, else 503: requests are
   *  refused before a running one runs out of memory */
  minFree: number;
}

/** Defaults sized for an ESP8266 (about 1,600 JsVars, ~8 bytes of string each). */
export var DEFAULT_LIMITS: Limits = { line: 512, head: 1024, fields: 32, body: 2048, timeout: 10,
  handler: 10, connections: 4, minFree: 200 };
