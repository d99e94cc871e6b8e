/** Routes: callbacks registered per method and location pattern; nothing of sockets. */
import { NoCallbackError, NoMethodError } from './errors';

/** The methods a callback may be registered for (HEAD is served by GET's callbacks). */
export var METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export type Callback = (...args: any[]) => any;

interface Route {
  pattern: string;
  re: RegExp;
  callback: Callback;
}

/** Routes of each method, in the order they were registered: the first that matches wins. */
export type Routes = { [method: string]: Route[] };

function find(list: Route[], pattern: string): number {
  for (var i = 0; i < list.length; i++) if (list[i].pattern == pattern) return i;
  return -1;
}

/** Adds a route; registering a pattern again replaces its callback, keeping its place. */
export function register(routes: Routes, method: string, locationRe: string,
                         callback: Callback): void {
  if (METHODS.indexOf(method) < 0) throw new Error('register: unknown method ' + method);
  if (typeof callback != 'function') throw new Error('register: callback is not a function');
  var list = routes[method] || (routes[method] = []), at = find(list, locationRe);
  var route = { pattern: locationRe, re: new RegExp(locationRe), callback: callback };
  if (at < 0) list.push(route);
  else list[at] = route;
}

/** Removes a route; throws if it was not registered. */
export function deregister(routes: Routes, method: string, locationRe: string): void {
  var list = routes[method] || [], at = find(list, locationRe);
  if (at < 0) throw new Error('deregister: nothing registered for ' + method + ' ' + locationRe);
  list.splice(at, 1);
  if (!list.length) delete routes[method];
}

/** method → pattern → callback, as registered. */
export function registered(routes: Routes): { [method: string]: { [pattern: string]: Callback } } {
  var out: { [method: string]: { [pattern: string]: Callback } } = {};
  for (var method in routes) {
    var byPattern: { [pattern: string]: Callback } = out[method] = {};
    routes[method].forEach(function (r) { byPattern[r.pattern] = r.callback; });
  }
  return out;
}

/** The callback for a request: NoMethodError when the method has no callbacks at all,
 *  NoCallbackError when none of its patterns matches `loc`. */
export function match(routes: Routes, method: string, loc: string): Callback {
  var list = METHODS.indexOf(method) < 0 ? null : routes[method];
  if (!list) throw new NoMethodError(method);
  for (var i = 0; i < list.length; i++) if (list[i].re.test(loc)) return list[i].callback;
  throw new NoCallbackError(loc);
}
