// Where one caller's time goes between client and server, round trip by
// round trip: the client's socket writes and reads (`data` events, and the
// reads neo4j-cluster-driver reports on its socket-read diagnostics channel) are timestamped
// while the workload's loop runs, then each write is paired with the answer
// before it (the client's part: answer in, next request handed to the socket)
// and the answer after it (the server's part, loopback and the fixture's
// event loop included). Only meaningful with one caller: with several, the
// requests of different callers interleave. A CPU profile says what the
// client does with its time; this says how much of an operation's wall time
// is the client's at all, which bounds what any client can win.

import diagnostics from 'node:diagnostics_channel'
import net from 'node:net'
import { CHANNELS } from '../lib/events.js'
import { median } from './stats.js'

/** Bolt request names by message signature (docs-bolt message.adoc). */
const REQUESTS: Record<number, string> = {
  0x01: 'HELLO', 0x02: 'GOODBYE', 0x0f: 'RESET', 0x10: 'RUN', 0x11: 'BEGIN', 0x12: 'COMMIT', 0x13: 'ROLLBACK',
  0x2f: 'DISCARD', 0x3f: 'PULL', 0x54: 'TELEMETRY', 0x66: 'ROUTE', 0x6a: 'LOGON', 0x6b: 'LOGOFF'
}

export interface WireEvent {
  kind: 'write' | 'read'
  /** performance.now() when the write was handed to the socket, or the data arrived. */
  at: number
  /** Writes: when socket.write returned (the send itself runs inside it). */
  returnedAt?: number
  /** Writes: the requests in it, e.g. 'BEGIN+RUN+PULL'. */
  requests?: string
}

/**
 * The requests in one write of Bolt chunks ('BEGIN+RUN+PULL'): each message
 * is chunks of [u16 size][bytes] ending with a 0-size chunk, its first bytes
 * a struct marker and the signature. Anything else (the handshake) is '?'.
 */
export function requestNames (bytes: Uint8Array): string {
  const names: string[] = []
  let at = 0
  let messageStart = true
  while (at + 2 <= bytes.length) {
    const size = (bytes[at] << 8) | bytes[at + 1]
    at += 2
    if (size === 0) { messageStart = true; continue }
    if (at + size > bytes.length) return names.length > 0 ? names.join('+') : '?'
    if (messageStart) {
      const marker = bytes[at]
      if (size < 2 || (marker & 0xf0) !== 0xb0) return '?'
      names.push(REQUESTS[bytes[at + 1]] ?? `0x${bytes[at + 1].toString(16).padStart(2, '0')}`)
      messageStart = false
    }
    at += size
  }
  return names.length > 0 ? names.join('+') : '?'
}

export interface Hop {
  /** What the write carried. */
  requests: string
  /** Writes of this kind per operation. */
  perOp: number
  /** Medians, µs: the client's last hand-off (answer in, or its previous write returned) → this write handed to the socket. */
  clientUs: number
  /** socket.write itself (the kernel's send, loopback delivery included). */
  writeUs: number
  /** socket.write returned → the next data in (the server's time, and the loopback's); NaN when every such write was pipelined with a later one. */
  serverUs: number
}

export interface RoundTrips {
  ops: number
  /** Wall time per operation, µs. */
  opUs: number
  hops: Hop[]
}

/**
 * Each write's client time runs from the client's last hand-off (an answer
 * in, or its previous write returned) to this write; its server time from
 * its return to the next answer in, when that answer is the next event. A
 * write followed by another before any answer was pipelined with it: the
 * server's time is then the later write's. Hops grouped by what they
 * carried, most frequent first.
 */
export function analyseRoundTrips (events: readonly WireEvent[], ops: number, elapsedMs: number): RoundTrips {
  const ordered = [...events].sort((a, b) => a.at - b.at)
  const byRequests = new Map<string, { client: number[], write: number[], server: number[] }>()
  let lastHandOff: number | undefined
  for (let i = 0; i < ordered.length; i++) {
    const event = ordered[i]
    if (event.kind === 'read') { lastHandOff = event.at; continue }
    const returnedAt = event.returnedAt ?? event.at
    // No data event can fire during the synchronous write call: the next event comes after it.
    const next = ordered[i + 1]
    const entry = byRequests.get(event.requests ?? '?') ?? { client: [], write: [], server: [] }
    byRequests.set(event.requests ?? '?', entry)
    if (lastHandOff !== undefined) entry.client.push(event.at - lastHandOff)
    entry.write.push(returnedAt - event.at)
    if (next?.kind === 'read') entry.server.push(next.at - returnedAt)
    lastHandOff = returnedAt
  }
  const us = (values: number[]): number => median(values) * 1000
  const hops = [...byRequests].map(([requests, e]) => ({
    requests, perOp: ops > 0 ? e.write.length / ops : 0, clientUs: us(e.client), writeUs: us(e.write), serverUs: us(e.server)
  })).sort((a, b) => b.perOp - a.perOp)
  return { ops, opUs: ops > 0 ? elapsedMs * 1000 / ops : Number.NaN, hops }
}

/**
 * Runs `run` with every socket's writes and `data` events of this process
 * timestamped, and puts the sockets' methods back when it settles, however it
 * settles. For the worker process of one contender: every socket in it is
 * the client's.
 */
export async function recordWire<T> (run: () => Promise<T>): Promise<{ value: T, events: WireEvent[] }> {
  const events: WireEvent[] = []
  const prototype = net.Socket.prototype
  const write = prototype.write
  const emit = prototype.emit
  // Both are inherited (stream.Duplex, EventEmitter): put back by removing our own ones.
  const own = { write: Object.hasOwn(prototype, 'write'), emit: Object.hasOwn(prototype, 'emit') }
  prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]): boolean {
    const at = performance.now()
    const written = (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
    const requests = chunk instanceof Uint8Array ? requestNames(chunk) : '?'
    events.push({ kind: 'write', at, returnedAt: performance.now(), requests })
    return written
  } as typeof write
  prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data') events.push({ kind: 'read', at: performance.now() })
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args)
  } as typeof emit
  // neo4j-cluster-driver's plain TCP sockets read without `data` events; it tells of each read here.
  const onRead = (): void => { events.push({ kind: 'read', at: performance.now() }) }
  diagnostics.subscribe(CHANNELS.socketRead, onRead)
  try {
    return { value: await run(), events }
  } finally {
    diagnostics.unsubscribe(CHANNELS.socketRead, onRead)
    if (own.write) prototype.write = write
    else delete (prototype as Partial<net.Socket>).write
    if (own.emit) prototype.emit = emit
    else delete (prototype as Partial<net.Socket>).emit
  }
}
