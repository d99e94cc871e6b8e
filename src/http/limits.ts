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
  /** requests served at once (callback to close) */
  connections: number;
  /** connections held besides those: their heads read (within line and head) and waiting
   *  for a slot, served in the order their heads arrived; each waits at most `timeout` from
   *  its connection (503 then). One more is answered 503 with Retry-After and closed. With
   *  the default 4 + 4 a browser's 6 parallel requests are all served, and 8 sockets fit an
   *  ESP8266's 10 with the listener and Telnet */
  queue: number;
  /** JsVars that must stay free for a new connection to be served, else 503: requests are
   *  refused before a running one runs out of memory */
  minFree: number;
}

/** Defaults sized for an ESP8266 (about 1,600 JsVars, ~8 bytes of string each). */
export var DEFAULT_LIMITS: Limits = { line: 512, head: 1024, fields: 32, body: 2048, timeout: 10,
  handler: 10, connections: 4, queue: 4, minFree: 200 };
