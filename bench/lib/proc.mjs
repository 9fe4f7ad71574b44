// Child processes of the bench: every server and every client runs in its own process, started
// with child_process.fork and talked to over IPC. Every child is tracked and killed when the
// orchestrator exits (normally, on an error, or on SIGINT/SIGTERM); every wait has a deadline.
import { fork } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const children = new Set();
let hooked = false;

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * A forked child speaking the bench's IPC convention: it sends `{ type: 'ready', ... }` once
 * listening/ready, `{ type: 'result', ... }` with its figures, and `{ type: 'error', message }`
 * when it fails.
 */
export class Child {
  constructor(script, args = [], { execArgv = [], env } = {}) {
    hookExit();
    const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
    this.name = script;
    this.process = fork(path, args, {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.process);
    this.messages = [];
    this.waiters = [];
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        children.delete(this.process);
        this.exitCode = code;
        this.exitSignal = signal;
        resolve({ code, signal });
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`${script} exited (code ${code}, signal ${signal})`));
      });
    });
    this.process.on('message', (message) => {
      const index = this.waiters.findIndex((waiter) => waiter.type === message.type || message.type === 'error');
      if (index >= 0) {
        const [waiter] = this.waiters.splice(index, 1);
        if (message.type === 'error' && waiter.type !== 'error') waiter.reject(new Error(`${script}: ${message.message}`));
        else waiter.resolve(message);
        return;
      }
      this.messages.push(message);
    });
  }

  /** Sends an IPC message to the child (ignored if it is gone). */
  send(message) {
    if (this.process.connected) this.process.send(message);
  }

  /** Resolves with the next message of `type` (or rejects on an `error` message, exit, or timeout). */
  next(type, timeoutMs) {
    const queued = this.messages.findIndex((message) => message.type === type || message.type === 'error');
    if (queued >= 0) {
      const [message] = this.messages.splice(queued, 1);
      if (message.type === 'error' && type !== 'error') return Promise.reject(new Error(`${this.name}: ${message.message}`));
      return Promise.resolve(message);
    }
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.name} exited (code ${this.exitCode})`));
    return new Promise((resolve, reject) => {
      const waiter = { type, resolve, reject };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`${this.name}: no '${type}' message within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (value) => (clearTimeout(timer), resolve(value));
      waiter.reject = (error) => (clearTimeout(timer), reject(error));
      this.waiters.push(waiter);
    });
  }

  /** Asks the child to stop, then kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 2000) {
    if (this.exitCode !== undefined) return;
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * For child scripts: reports an uncaught failure to the parent and exits; exits when the parent
 * goes away (so no child outlives the bench).
 */
export function childGuard(onStop) {
  const fail = (error) => {
    if (process.connected) process.send({ type: 'error', message: error instanceof Error ? error.stack : String(error) });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 50).unref();
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message) => {
    if (message?.type === 'stop') {
      Promise.resolve(onStop?.()).finally(() => process.exit(0));
    }
  });
  return fail;
}

/** Sends one IPC message to the parent and resolves once it is handed over. */
export function tell(message) {
  return new Promise((resolve) => {
    if (!process.connected) {
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });
}
