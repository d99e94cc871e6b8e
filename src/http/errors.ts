/**
 * Errors that carry the HTTP status answering them. Espruino cannot run `class X extends
 * Error` (see espruino-notes.md), so these are constructor functions whose prototypes chain
 * to Error's: `instanceof` works on Espruino and on Node.
 */
export interface HTTPError {
  name: string;
  message: string;
  status: number;
}

export interface HTTPErrorType<A extends any[]> {
  new (...args: A): HTTPError;
  prototype: HTTPError;
}

/** An error answered with `status`: `throw new HTTPError(403, 'no entry')` in a callback. */
export var HTTPError = function (this: HTTPError, status: number, message?: string) {
  this.status = status;
  this.message = message || '';
} as any as HTTPErrorType<[number, string?]>;
HTTPError.prototype = Object.create(Error.prototype);
HTTPError.prototype.name = 'HTTPError';
// Espruino's String(err) gives "[object Object]" for such errors: say what it is instead
HTTPError.prototype.toString = function (this: HTTPError) {
  return this.name + ': ' + this.message;
};

/** No callback is registered for the method and path: 404. */
export var NoCallbackError = function (this: HTTPError, message?: string) {
  this.message = message || '';
} as any as HTTPErrorType<[string?]>;
// chained to HTTPError, its name and status on the prototype (written out for each type: a
// helper function would stay in memory for good, 7 JsVars, to run three times)
NoCallbackError.prototype = Object.create(HTTPError.prototype);
NoCallbackError.prototype.name = 'NoCallbackError';
NoCallbackError.prototype.status = 404;
/** The method is unknown or has no callbacks registered: 501. */
export var NoMethodError = function (this: HTTPError, message?: string) {
  this.message = message || '';
} as any as HTTPErrorType<[string?]>;
NoMethodError.prototype = Object.create(HTTPError.prototype);
NoMethodError.prototype.name = 'NoMethodError';
NoMethodError.prototype.status = 501;
/** The request target is not a valid ASCII URL: 400. */
export var URLInvalidError = function (this: HTTPError, message?: string) {
  this.message = message || '';
} as any as HTTPErrorType<[string?]>;
URLInvalidError.prototype = Object.create(HTTPError.prototype);
URLInvalidError.prototype.name = 'URLInvalidError';
URLInvalidError.prototype.status = 400;

/** An error's name and detail, whatever was thrown: Espruino's own errors have no `name`
 *  (their kind is `type`), and a thrown string has no `message`. */
export function describeError(exc: any): { name: string; detail: string } {
  return {
    name: exc && (exc.name || exc.type) || 'Error',
    detail: exc && exc.message !== undefined ? exc.message : String(exc)
  };
}
