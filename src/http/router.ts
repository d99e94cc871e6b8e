/**
 * Routes: callbacks registered per method and location pattern; nothing of sockets. The
 * functions taking `this` act on any object with a route table (HTTPServer uses them as its
 * methods, so they exist once).
 */
import { NoCallbackError, NoMethodError } from './errors';

/** Whether a callback may be registered for `method` (HEAD is served by GET's callbacks).
 *  The list is in the code, not in JsVars. */
function isMethod(method: string): boolean {
  return ' GET POST PUT PATCH DELETE OPTIONS '.indexOf(' ' + method + ' ') >= 0;
}

export type Callback = (...args: any[]) => any;

/** One route: [pattern, compiled pattern, callback] (an array costs less than an object). */
type Route = [string, RegExp, Callback];

/** Routes of each method, in the order they were registered: the first that matches wins. */
export type Routes = { [method: string]: Route[] };

export interface HasRoutes {
  routes_: Routes;
}

function find(list: Route[], pattern: string): number {
  for (var i = 0; i < list.length; i++) if (list[i][0] == pattern) return i;
  return -1;
}

/** Adds a route; registering a pattern again replaces its callback, keeping its place. */
export function register(this: HasRoutes, method: string, locationRe: string,
                         callback: Callback): void {
  if (typeof method != 'string' || !isMethod(method)) throw new Error('register: unknown method ' + method);
  if (typeof callback != 'function') throw new Error('register: callback is not a function');
  var routes = this.routes_, list = routes[method] || (routes[method] = []);
  var at = find(list, locationRe), route: Route = [locationRe, new RegExp(locationRe), callback];
  if (at < 0) list.push(route);
  else list[at] = route;
}

/** Removes a route; throws if it was not registered. */
export function deregister(this: HasRoutes, method: string, locationRe: string): void {
  var list = this.routes_[method] || [], at = find(list, locationRe);
  if (at < 0) throw new Error('deregister: nothing registered for ' + method + ' ' + locationRe);
  list.splice(at, 1);
  if (!list.length) delete this.routes_[method];
}

/** method → pattern → callback, as registered. */
export function getRegistered(this: HasRoutes): { [method: string]: { [pattern: string]: Callback } } {
  var out: { [method: string]: { [pattern: string]: Callback } } = {}, routes = this.routes_;
  for (var method in routes) {
    var byPattern: { [pattern: string]: Callback } = out[method] = {}, list = routes[method];
    for (var i = 0; i < list.length; i++) byPattern[list[i][0]] = list[i][2];
  }
  return out;
}

/** The callback for a request: NoMethodError when the method has no callbacks at all (or is
 *  unknown), NoCallbackError when none of its patterns matches `loc`. */
export function match(routes: Routes, method: string, loc: string): Callback {
  var list = routes.hasOwnProperty(method) ? routes[method] : null;
  if (!list) throw new NoMethodError(method);
  for (var i = 0; i < list.length; i++) if (list[i][1].test(loc)) return list[i][2];
  throw new NoCallbackError(loc);
}
