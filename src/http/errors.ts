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
  this.name = 'NoCallbackError';
  this.status = 404;
} as any as HTTPErrorType<[string?]>;
// chained to HTTPError (written out for each type: a helper function would stay in memory for
// good, 7 JsVars, to run three times); name and status set by the constructor, in its code,
// not on the prototype, where they held 4 JsVars each for good
NoCallbackError.prototype = Object.create(HTTPError.prototype);
/** The method is unknown or has no callbacks registered: 501. */
export var NoMethodError = function (this: HTTPError, message?: string) {
  this.message = message || '';
  this.name = 'NoMethodError';
  this.status = 501;
} as any as HTTPErrorType<[string?]>;
NoMethodError.prototype = Object.create(HTTPError.prototype);
/** The request target is not a valid ASCII URL: 400. */
export var URLInvalidError = function (this: HTTPError, message?: string) {
  this.message = message || '';
  this.name = 'URLInvalidError';
  this.status = 400;
} as any as HTTPErrorType<[string?]>;
URLInvalidError.prototype = Object.create(HTTPError.prototype);

/** An error's name and detail, whatever was thrown: Espruino's own errors have no `name`
 *  (their kind is `type`), and a thrown string has no `message`. */
export function describeError(exc: any): { name: string; detail: string } {
  return {
    name: exc && (exc.name || exc.type) || 'Error',
    detail: exc && exc.message !== undefined ? exc.message : String(exc)
  };
}
