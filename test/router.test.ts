import { strict as assert } from 'node:assert';
import { NoCallbackError, NoMethodError } from '../src/http/errors';
import { deregister, getRegistered, match, register, Routes } from '../src/http/router';

/** Anything with a route table can use the router's functions as its methods. */
function table() {
  return { routes_: {} as Routes, register, deregister, getRegistered };
}

const a = () => 'a', b = () => 'b', c = () => 'c';

describe('router: callbacks by method and pattern', function () {
  it('the first registered pattern that matches wins', function () {
    const t = table();
    t.register('GET', '^/x', a);
    t.register('GET', '^/x/y$', b);
    assert.equal(match(t.routes_, 'GET', '/x/y')[1], a);
  });

  it('registering a pattern again replaces its callback in place', function () {
    const t = table();
    t.register('GET', '^/1$', a);
    t.register('GET', '^/2$', b);
    t.register('GET', '^/1$', c);
    assert.deepEqual(Object.keys(t.getRegistered().GET), ['^/1$', '^/2$']);
    assert.equal(match(t.routes_, 'GET', '/1')[1], c);
  });

  it('NoMethodError for a method without callbacks or unknown, NoCallbackError for a path', function () {
    const t = table();
    t.register('GET', '^/p$', a);
    assert.throws(() => match(t.routes_, 'POST', '/p'), (e: unknown) => e instanceof NoMethodError);
    assert.throws(() => match(t.routes_, 'constructor', '/p'), (e: unknown) => e instanceof NoMethodError);
    assert.throws(() => match(t.routes_, 'GET', '/q'), (e: unknown) => e instanceof NoCallbackError);
  });

  it('deregister removes a route, and says so when there was none', function () {
    const t = table();
    t.register('PUT', '^/p$', a);
    t.deregister('PUT', '^/p$');
    assert.deepEqual(t.getRegistered(), {});
    assert.throws(() => t.deregister('PUT', '^/p$'), /nothing registered/);
  });

  it('refuses unknown methods and non-functions at registration', function () {
    const t = table();
    assert.throws(() => t.register('HEAD', '^/$', a), /unknown method/);
    assert.throws(() => t.register('get', '^/$', a), /unknown method/);
    assert.throws(() => t.register('GET', '^/$', 'x' as any), /not a function/);
    // a method is one of the list, whole: not a part of one, nor anything that prints as one
    for (const part of ['GE', 'ET', 'OST']) assert.throws(() => t.register(part, '^/$', a), /unknown method/, part);
    assert.throws(() => t.register(['GET'] as any, '^/$', a), /unknown method/);
    assert.deepEqual(t.getRegistered(), {});
  });

  it('deregister names what was not registered, for a method with no routes too', function () {
    const t = table();
    assert.throws(() => t.deregister('GET', '^/x'), /nothing registered for GET \^\/x/);
    assert.throws(() => t.deregister('PUT', 'S'), /nothing registered/);
  });
});
