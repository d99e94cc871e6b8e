/**
 * Kyanit's task runner: starts the application's main(), runs named tasks (functions that may
 * return a Promise), and on the first error of any task stops them all, enters the error state
 * and calls the application's cleanup(exception).
 */

import { describe } from './http/errors';

export interface App {
  main(): any;
  cleanup(exception?: any): any;
}

export var STOPPED = 'stopped', RUNNING = 'running', ERROR = 'error';

/** Tasks under way: name → what the task returned (a Promise may carry cancel()). */
var tasks: { [name: string]: any } = {};
var state = STOPPED;
var error: { name: string; detail: string } | null = null;
var app: App | null = null;

function cancelAll(): void {
  var running = tasks;
  tasks = {};
  for (var name in running) {
    if (running[name] && typeof running[name].cancel == 'function') running[name].cancel();
  }
}

function callCleanup(exception?: any): void {
  try {
    if (app) app.cleanup(exception);
  } catch (e) {
    console.log('runner: cleanup failed:', String(e));
  }
}

function fail(exception: any): void {
  if (state == ERROR) return;
  cancelAll();
  state = ERROR;
  error = describe(exception);
  console.log('runner: error:', error.name + ': ' + error.detail);
  callCleanup(exception);
}

/** Starts an application: its main() runs now, and errors of its tasks call its cleanup(). */
export function start(application: App): void {
  app = application;
  state = RUNNING;
  error = null;
  try {
    var result = application.main();
    if (result && typeof result.then == 'function') result.then(null, fail);
  } catch (e) {
    fail(e);
  }
}

/** Starts task(...args) under `name`; false if a task of that name is already running. */
export function createTask(name: string, task: (...args: any[]) => any, ...args: any[]): boolean {
  if (typeof task != 'function') throw new Error('createTask: task is not a function');
  if (tasks.hasOwnProperty(name)) return false;
  if (state != ERROR) state = RUNNING;
  var result: any;
  try {
    result = task.apply(null, args);
  } catch (e) {
    fail(e);
    return true;
  }
  if (result && typeof result.then == 'function') {
    tasks[name] = result;
    result.then(function () {
      if (tasks[name] === result) delete tasks[name];
    }, function (e: any) {
      if (tasks[name] === result) fail(e);
    });
  }
  return true;
}

/** Stops the task `name` (calling its cancel() if it has one); false if there is none. */
export function destroyTask(name: string): boolean {
  if (!tasks.hasOwnProperty(name)) return false;
  var task = tasks[name];
  delete tasks[name];
  if (task && typeof task.cancel == 'function') task.cancel();
  return true;
}

/** The names of the tasks under way. */
export function getTasks(): string[] {
  return Object.keys(tasks);
}

/** 'stopped', 'running' or 'error'. */
export function getState(): string {
  return state;
}

/** The error that stopped the tasks ({name, detail}), while in the error state; else null. */
export function getError(): { name: string; detail: string } | null {
  return state == ERROR ? error : null;
}

/** Stops every task and calls the application's cleanup() with no exception. */
export function stop(): void {
  cancelAll();
  state = STOPPED;
  error = null;
  callCleanup();
}
