/**
 * Routes: callbacks registered per method and location pattern; nothing of sockets. The
 * functions taking `this` act on any object with a route table (HTTPServer uses them as its
 * methods, so they exist once).
 */
import { NoCallbackError, NoMethodError } from './errors';
import { checkPattern } from './pattern';

export type Callback = (...args: any[]) => any;

/** One route: [pattern, callback, the arguments the callback can read] (an array costs less
 *  than an object). No RegExp is kept: on Espruino one holds 13 JsVars, and making it again
 *  for a match costs ~3 µs (its source is compiled as it runs anyway). */
export type Route = [string, Callback, number];

/** Routes of each method, in the order they were registered: the first that matches wins. */
export type Routes = { [method: string]: Route[] };

export interface HasRoutes {
  routes_: Routes;
}

/** Adds a route; registering a pattern again replaces its callback, keeping its place. */
export function register(this: HasRoutes, method: string, locationRe: string,
                         callback: Callback): void {
  // the methods a callback may be registered for (HEAD is served by GET's callbacks): a list
  // in the code costs no JsVars
  if (typeof method != 'string' || ' GET POST PUT PATCH DELETE OPTIONS '.indexOf(' ' + method + ' ') < 0) {
    throw new Error('register: unknown method ' + method);
  }
  if (typeof callback != 'function') throw new Error('register: callback is not a function');
  checkPattern(locationRe);
  var routes = this.routes_, list = routes[method] || (routes[method] = []), at = 0;
  while (at < list.length && list[at][0] != locationRe) at++;
  // what the callback can read: its declared parameters, or all six when it reads `arguments`
  // (TypeScript's rest parameters become that) or its source is not shown. The request's
  // header fields are made only for a callback that can read them. Its source is a copy in
  // RAM on Espruino, made only when its parameters do not already reach `headers`.
  var reads = callback.length;
  if (reads < 4 && /arguments|eval|\[native code\]/.test(String(callback))) reads = 6;
  list[at] = [locationRe, callback, reads];
}

/** Removes a route; throws if it was not registered. */
export function deregister(this: HasRoutes, method: string, locationRe: string): void {
  var list = this.routes_[method] || [], at = 0;
  while (at < list.length && list[at][0] != locationRe) at++;
  if (at == list.length) throw new Error('deregister: nothing registered for ' + method + ' ' + locationRe);
  list.splice(at, 1);
  if (!list.length) delete this.routes_[method];
}

/** method → pattern → callback, as registered. */
export function getRegistered(this: HasRoutes): { [method: string]: { [pattern: string]: Callback } } {
  var out: { [method: string]: { [pattern: string]: Callback } } = {}, routes = this.routes_;
  for (var method in routes) {
    var byPattern: { [pattern: string]: Callback } = out[method] = {}, list = routes[method];
    for (var i = 0; i < list.length; i++) byPattern[list[i][0]] = list[i][1];
  }
  return out;
}

/** The route for a request: NoMethodError when the method has no callbacks at all (or is
 *  unknown), NoCallbackError when none of its patterns matches `loc`. */
export function match(routes: Routes, method: string, loc: string): Route {
  var list = routes.hasOwnProperty(method) ? routes[method] : null;
  if (!list) throw new NoMethodError(method);
  for (var i = 0; i < list.length; i++) if (new RegExp(list[i][0]).test(loc)) return list[i];
  throw new NoCallbackError(loc);
}
