// One testkit connection: frames in, handlers run, responses out. Requests
// are dispatched as they arrive, without waiting for earlier ones: a
// transaction function's request stays pending while testkit sends the
// requests of its body, and a callback's "…Completed" answer must reach the
// handler that is waiting for it.

import type { Socket } from 'node:net'
import createDebug from 'debug'
import { Context } from './context.js'
import { Fields } from './handlers/data.js'
import { handlerFor } from './handlers/index.js'
import { formatResponse, RequestReader, type Request } from './protocol/framing.js'
import { errorReply } from './replies/errors.js'
import { BackendProblem } from './protocol/problems.js'
import { NO_REPLY, type HandlerResult } from './replies/reply.js'

const debug = createDebug('neo4j-cluster:testkit')

/** How long a closed connection waits for its still-running handlers. */
const RELEASE_BOUND_MS = 5_000

/** Request data for the debug log, without credentials. */
function loggable (data: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...data }
  for (const key of ['authorizationToken', 'auth', 'clientCertificate']) if (key in copy) copy[key] = '<redacted>'
  if (copy.config !== null && typeof copy.config === 'object') copy.config = loggable(copy.config as Record<string, unknown>)
  return copy
}

export class TestkitConnection {
  private readonly reader = new RequestReader()
  private readonly context: Context
  private readonly inFlight = new Set<Promise<void>>()
  readonly closed: Promise<void>

  constructor (private readonly socket: Socket, readonly number: number) {
    this.context = new Context((name, data) => { this.write(name, data) })
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => { this.receive(chunk) })
    socket.on('error', (error) => { debug('#%d socket error: %s', number, error.message) })
    this.closed = new Promise(resolve => {
      socket.on('close', () => { void this.release().finally(resolve) })
    })
  }

  /** Close the socket (the server is shutting down); resources go when 'close' fires. */
  destroy (): void {
    this.socket.destroy()
  }

  private receive (chunk: Buffer): void {
    for (const frame of this.reader.push(chunk)) {
      if (frame.kind === 'malformed') {
        debug('#%d malformed request: %s', this.number, frame.reason)
        const reason = frame.reason
        const refuse = async (): Promise<HandlerResult> => { throw new BackendProblem(`malformed request: ${reason}`) }
        this.run('(malformed)', async () => await refuse())
        continue
      }
      this.dispatch(frame.request)
    }
  }

  private dispatch (request: Request): void {
    debug('#%d → %s %o', this.number, request.name, loggable(request.data))
    const handler = handlerFor(request.name) ?? (async () => { throw new BackendProblem(`unknown request ${JSON.stringify(request.name)}`) })
    this.run(request.name, async () => await handler(this.context, new Fields(request.name, request.data)))
  }

  /**
   * Run one request to its response. Every answer, errors included, goes
   * through this same asynchronous path, so requests that need no I/O are
   * answered in the order they came.
   */
  private run (name: string, handle: () => Promise<HandlerResult>): void {
    const run = (async () => {
      try {
        const reply = await handle()
        if (reply !== NO_REPLY) this.write(reply.name, reply.data)
      } catch (error) {
        // Only a pending security decision is waited for: other errors keep their place in the answer order.
        const notHandled = this.context.securityDecisions.length > 0 ? await this.context.settleSecurityDecisions() : undefined
        const reply = errorReply(this.context, error, notHandled)
        debug('#%d %s failed: %s %o', this.number, name, reply.name, reply.data)
        this.write(reply.name, reply.data)
      }
    })()
    this.inFlight.add(run)
    void run.finally(() => this.inFlight.delete(run))
  }

  private write (name: string, data: Record<string, unknown> | null): void {
    if (this.context.isClosed || this.socket.destroyed || !this.socket.writable) return
    debug('#%d ← %s', this.number, name)
    this.socket.write(formatResponse(name, data))
  }

  private async release (): Promise<void> {
    debug('#%d closed; releasing its drivers', this.number)
    await this.context.close()
    // Handlers still running end now that their drivers are closed and callbacks rejected; their output is dropped.
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<void>(resolve => { timer = setTimeout(resolve, RELEASE_BOUND_MS) })
    await Promise.race([Promise.allSettled([...this.inFlight]), bound])
    clearTimeout(timer)
  }
}
