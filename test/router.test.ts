import { strict as assert } from 'node:assert';
import { NoCallbackError, NoMethodError } from '../src/http/errors';
import { deregister, match, register, registered, Routes } from '../src/http/router';

const a = () => 'a', b = () => 'b', c = () => 'c';

describe('router: callbacks by method and pattern', function () {
  it('the first registered pattern that matches wins', function () {
    const routes: Routes = {};
    register(routes, 'GET', '^/x', a);
    register(routes, 'GET', '^/x/y$', b);
    assert.equal(match(routes, 'GET', '/x/y'), a);
  });

  it('registering a pattern again replaces its callback in place', function () {
    const routes: Routes = {};
    register(routes, 'GET', '^/1$', a);
    register(routes, 'GET', '^/2$', b);
    register(routes, 'GET', '^/1$', c);
    assert.deepEqual(Object.keys(registered(routes).GET), ['^/1$', '^/2$']);
    assert.equal(match(routes, 'GET', '/1'), c);
  });

  it('NoMethodError for a method without callbacks or unknown, NoCallbackError for a path', function () {
    const routes: Routes = {};
    register(routes, 'GET', '^/p$', a);
    assert.throws(() => match(routes, 'POST', '/p'), (e: unknown) => e instanceof NoMethodError);
    assert.throws(() => match(routes, 'constructor', '/p'), (e: unknown) => e instanceof NoMethodError);
    assert.throws(() => match(routes, 'GET', '/q'), (e: unknown) => e instanceof NoCallbackError);
  });

  it('deregister removes a route, and says so when there was none', function () {
    const routes: Routes = {};
    register(routes, 'PUT', '^/p$', a);
    deregister(routes, 'PUT', '^/p$');
    assert.deepEqual(registered(routes), {});
    assert.throws(() => deregister(routes, 'PUT', '^/p$'), /nothing registered/);
  });

  it('refuses unknown methods and non-functions at registration', function () {
    const routes: Routes = {};
    assert.throws(() => register(routes, 'HEAD', '^/$', a), /unknown method/);
    assert.throws(() => register(routes, 'get', '^/$', a), /unknown method/);
    assert.throws(() => register(routes, 'GET', '^/$', 'x' as any), /not a function/);
  });
});
