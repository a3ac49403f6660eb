// Request/answer over Node's IPC channel between the bench runner and its
// child processes (the fixture host and one worker per contender). Every
// request has a timeout; a child that exits fails its outstanding requests
// at once; a child whose parent goes away exits.

import { fork, type ChildProcess } from 'node:child_process'

interface Request { id: number, type: string, payload: unknown }
interface Answer { id: number, ok: boolean, result?: unknown, error?: string }

export type Handlers = Record<string, (payload: any) => Promise<unknown>>

/** The parent's handle on one child process. */
export class ChildHandle {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void, reject: (error: Error) => void, timer: ReturnType<typeof setTimeout> }>()
  private exited = false
  private readonly exitPromise: Promise<void>

  private constructor (private readonly child: ChildProcess, readonly label: string) {
    child.on('message', (message: Answer) => { this.settle(message) })
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true
        const error = new Error(`${label} exited (${signal ?? `code ${String(code)}`})`)
        for (const entry of this.waiting.values()) {
          clearTimeout(entry.timer)
          entry.reject(error)
        }
        this.waiting.clear()
        resolve()
      })
    })
  }

  /** Forks `module` (a compiled .js file) with an IPC channel; stderr is passed through for diagnostics. */
  static spawn (module: URL, label: string, execArgv: string[] = []): ChildHandle {
    const child = fork(module, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' })
    return new ChildHandle(child, label)
  }

  get pid (): number | undefined {
    return this.child.pid
  }

  async request<T> (type: string, payload: unknown, timeoutMs: number): Promise<T> {
    if (this.exited) throw new Error(`${this.label} has exited; cannot ${type}`)
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`${this.label}: no answer to ${type} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, timer })
      this.child.send({ id, type, payload } satisfies Request)
    })
  }

  /** Asks the child to exit, then kills this child (by its own pid) if it has not within `timeoutMs`. */
  async exit (timeoutMs = 10_000): Promise<void> {
    if (this.exited) return
    try {
      await this.request('exit', null, timeoutMs)
    } catch { /* it may exit before answering */ }
    const timer = setTimeout(() => { if (!this.exited) this.child.kill('SIGKILL') }, timeoutMs)
    await this.exitPromise
    clearTimeout(timer)
  }

  private settle (message: Answer): void {
    const entry = this.waiting.get(message.id)
    if (entry === undefined) return
    this.waiting.delete(message.id)
    clearTimeout(entry.timer)
    if (message.ok) entry.resolve(message.result)
    else entry.reject(new Error(`${this.label}: ${message.error ?? 'failed'}`))
  }
}

/**
 * Child side: answers requests with `handlers`. `exit` is built in (runs
 * `onExit`, answers, exits); losing the parent runs `onExit` and exits too.
 * Requests are handled one at a time, in order, as the runner sends them.
 */
export function serve (handlers: Handlers, onExit: () => Promise<void>): void {
  const send = process.send?.bind(process)
  if (send === undefined) throw new Error('this module runs as a child process of bench/run.js (no IPC channel)')
  let queue: Promise<void> = Promise.resolve()
  let leaving = false
  const leave = async (code: number): Promise<void> => {
    if (leaving) return
    leaving = true
    const force = setTimeout(() => process.exit(code), 15_000)
    force.unref()
    await onExit().catch(() => undefined)
    process.exit(code)
  }
  process.on('disconnect', () => { void leave(0) })
  process.on('message', (request: Request) => {
    queue = queue.then(async () => {
      if (request.type === 'exit') {
        send({ id: request.id, ok: true } satisfies Answer)
        await leave(0)
        return
      }
      const handler = handlers[request.type]
      try {
        if (handler === undefined) throw new Error(`unknown request ${request.type}`)
        const result = await handler(request.payload)
        send({ id: request.id, ok: true, result } satisfies Answer)
      } catch (error) {
        send({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Answer)
      }
    })
  })
}
