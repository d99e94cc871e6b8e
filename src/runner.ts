/**
 * Kyanit's task runner: starts the application's main(), runs named tasks (functions that may
 * return a Promise), and on the first error of any task stops them all, enters the error state
 * and calls the application's cleanup(exception).
 */

import { describeError } from './http/errors';

export interface App {
  main(): any;
  cleanup(exception?: any): any;
}

/** The runner's state; getState() names it ('stopped', 'running', 'error'). */
const enum Run { STOPPED, RUNNING, ERROR }

/** Tasks under way: name → what the task returned (a Promise may carry cancel()). */
var tasks: { [name: string]: any } = {};
var state = Run.STOPPED;
var error: { name: string; detail: string } | null = null;
var app: App | null = null;

/** Cancels every task, enters `next` and calls the application's cleanup(exception). The
 *  first error of any task enters the error state; later ones are not reported again. */
function halt(next: Run, exception?: any): void {
  if (next == Run.ERROR && state == Run.ERROR) return;
  var running = tasks;
  tasks = {};
  for (var name in running) {
    if (running[name] && typeof running[name].cancel == 'function') running[name].cancel();
  }
  state = next;
  error = next == Run.ERROR ? describeError(exception) : null;
  if (error) console.log('runner: error:', error.name + ': ' + error.detail);
  try {
    if (app) app.cleanup(exception);
  } catch (e) {
    console.log('runner: cleanup failed:', String(e));
  }
}

/** Starts an application: its main() runs now, and errors of its tasks call its cleanup(). */
export function start(application: App): void {
  app = application;
  state = Run.RUNNING;
  error = null;
  try {
    var result = application.main();
    if (result && typeof result.then == 'function') result.then(null, function (e: any) { halt(Run.ERROR, e); });
  } catch (e) {
    halt(Run.ERROR, e);
  }
}

/** Starts task(...args) under `name`; false if a task of that name is already running. */
export function createTask(name: string, task: (...args: any[]) => any, ...args: any[]): boolean {
  if (typeof task != 'function') throw new Error('createTask: task is not a function');
  if (tasks.hasOwnProperty(name)) return false;
  if (state != Run.ERROR) state = Run.RUNNING;
  var result: any;
  try {
    result = task.apply(null, args);
  } catch (e) {
    halt(Run.ERROR, e);
    return true;
  }
  if (result && typeof result.then == 'function') {
    tasks[name] = result;
    result.then(function () {
      if (tasks[name] === result) delete tasks[name];
    }, function (e: any) {
      if (tasks[name] === result) halt(Run.ERROR, e);
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
  return state == Run.RUNNING ? 'running' : state == Run.ERROR ? 'error' : 'stopped';
}

/** The error that stopped the tasks ({name, detail}), while in the error state; else null. */
export function getError(): { name: string; detail: string } | null {
  return state == Run.ERROR ? error : null;
}

/** Stops every task and calls the application's cleanup() with no exception. */
export function stop(): void {
  halt(Run.STOPPED);
}

/** Runs the started application's main() again, stopping it first (cleanup() called) if it
 *  is running; false if no application was ever started. */
export function restart(): boolean {
  if (!app) return false;
  if (state == Run.RUNNING) halt(Run.STOPPED);
  start(app);
  return true;
}
