// BoltServer: one cluster member's Bolt endpoint, in front of a MemberBackend.
//
// Public API (stable; the cluster layer and the chaos suite build on it):
//
//   new BoltServer(options: BoltServerOptions)
//     backend             the member behind this endpoint (see backend.ts)
//     connectionIdPrefix  connection_id in HELLO SUCCESS is `${prefix}${n}` (default "bolt-")
//     hints               HELLO SUCCESS hints: recvTimeoutSeconds (connection.recv_timeout_seconds;
//                         default: 2 × keepAliveMs in whole seconds, as Neo4j's keep-alive interval
//                         × probes, none when keepAliveMs is 0), telemetryEnabled (telemetry.enabled
//                         on 5.4+, default false), ssrEnabled (ssr.enabled on 5.8, default false)
//     keepAliveMs         a NOOP goes out after this long without output while a request is in
//                         progress (default 60 000, Neo4j's server.bolt.connection_keep_alive; 0 = never)
//     lenient             let requests that break a strict rule through (default false: refused as
//                         Neo4j refuses them; see strict-rules.ts). Breaches are counted either way.
//     tls                 { key, cert, clientCa? } (PEM): serve TLS (node:tls) instead of plain TCP;
//                         clientCa: require client certificates signed by it (mutual TLS)
//     maxVersion          pretend to be an older server: '5.8' (default) … '5.0' or '4.4' (never 5.5)
//     manifest            answer a Manifest v1 handshake request with the manifest (default true, as
//                         Neo4j 5.26 does; false: always the legacy 4-byte reply)
//     maxMessageBytes     largest request message accepted (default 8 MiB); larger → FAILURE + close
//     handshakeTimeoutMs  a connection that has not finished the handshake by then is closed (default 10 s)
//
//   listen(port, host = '127.0.0.1'): Promise<number>  0 = a free port; resolves with the bound port.
//                        May be called again after close() (e.g. the same port, for a restart).
//   close(): Promise<void>  like `docker stop`: stops listening, destroys every socket, rolls back
//                        every open transaction (waits for that, at most 10 s).
//   setBlackhole(on)     on: connections (existing and new) are accepted and read, never answered;
//                        off: the connections that were black-holed are destroyed (a client sees a
//                        reset); new ones work normally.
//   armCommitDrop(count) the next `count` commits (any COMMIT, or the last PULL/DISCARD of an auto-commit
//                        query whose type is not 'r') are committed by the backend, then the socket is
//                        destroyed before the answer is written ("commit outcome unknown"); answers
//                        before it are still delivered. Replaces any count armed before.
//   setHostile(mode)     HostileMode or null; see hostile.ts for exactly what each mode sends.
//   stats()              { connectionsOpen, connectionsTotal, messages: { HELLO: n, RUN: n, … },
//                        handshakes: { manifest: n, legacy: n, versions: { '5.8': n, … } },
//                        breaches: { 'integer-fields': n, … } }
//                        (requests received by type, handshakes agreed by kind and version,
//                        requests that broke a strict rule; since creation or resetStats())
//   resetStats()
//   port                 the port last bound (0 before listen)
//
// Protocol: Bolt 5.8 … 5.6, 5.4 … 5.0 and 4.4. Each connection's protocol work is in
// connection.ts (bytes in), connection-output.ts (bytes out) and session.ts (state machine).

import net from 'node:net'
import tls from 'node:tls'
import createDebug from 'debug'
import type { MemberBackend } from './backend.js'
import { BoltConnection, type ConnectionHost, type ConnectionSettings } from './connection.js'
import { HOSTILE_MODES, type HostileMode } from './hostile.js'
import type { ConnectionHints } from './session-contract.js'
import type { StrictRule } from './strict-rules.js'
import { type BoltVersion, type BoltVersionName, parseVersionName, versionName, versionsUpTo } from './versions.js'

export type { HostileMode } from './hostile.js'
export type { BoltVersionName } from './versions.js'

const debug = createDebug('neo4j-cluster:bolt')

export interface BoltServerOptions {
  backend: MemberBackend
  connectionIdPrefix?: string
  hints?: ConnectionHints
  keepAliveMs?: number
  lenient?: boolean
  /** `clientCa`: require a client certificate signed by this CA (mutual TLS); a client without one fails the TLS handshake. */
  tls?: { key: string | Buffer, cert: string | Buffer, clientCa?: string | Buffer }
  maxVersion?: BoltVersionName
  manifest?: boolean
  maxMessageBytes?: number
  handshakeTimeoutMs?: number
}

export interface BoltServerStats {
  connectionsOpen: number
  connectionsTotal: number
  messages: Record<string, number>
  /** Handshakes that agreed on a version: through Manifest v1 or the legacy 4-byte reply, and by version. */
  handshakes: { manifest: number, legacy: number, versions: Record<string, number> }
  /** Requests that broke a strict rule, by rule: refused, or let through when lenient. */
  breaches: Partial<Record<StrictRule, number>>
}

const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024
/** Neo4j's server.bolt.connection_keep_alive default (1m). */
export const DEFAULT_KEEP_ALIVE_MS = 60_000
/** Neo4j's server.bolt.connection_keep_alive_probes default: the hint is keep-alive × probes. */
const KEEP_ALIVE_PROBES = 2
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000
const CLOSE_WAIT_LIMIT_MS = 10_000

export class BoltServer {
  private readonly connectionIdPrefix: string
  private readonly host: ConnectionHost
  private listener: net.Server | null = null
  private readonly connections = new Set<BoltConnection>()
  /** TLS sockets still in their TLS handshake (not yet Bolt connections). */
  private readonly rawSockets = new Set<net.Socket>()
  private blackholeOn = false
  private hostile: HostileMode | null = null
  private commitDropsArmed = 0
  private boundPort = 0
  private connectionCounter = 0
  private connectionsTotal = 0
  private messageCounts = new Map<string, number>()
  private handshakeCounts = emptyHandshakeCounts()
  private breachCounts = new Map<StrictRule, number>()

  constructor (private readonly options: BoltServerOptions) {
    if (options.backend === undefined || options.backend === null) throw new TypeError('BoltServer needs a backend')
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024) throw new RangeError('maxMessageBytes must be an integer ≥ 1024')
    const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS
    if (!Number.isInteger(keepAliveMs) || keepAliveMs < 0) throw new RangeError('keepAliveMs must be an integer ≥ 0')
    const hints: ConnectionHints = { ...options.hints }
    if (hints.recvTimeoutSeconds === undefined && keepAliveMs > 0) hints.recvTimeoutSeconds = recvTimeoutHint(keepAliveMs)
    const settings: ConnectionSettings = {
      versions: versionsUpTo(parseVersionName(options.maxVersion ?? '5.8')),
      offerManifest: options.manifest !== false,
      maxMessageBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      hints,
      lenient: options.lenient === true,
      keepAliveMs
    }
    this.connectionIdPrefix = options.connectionIdPrefix ?? 'bolt-'
    this.host = {
      backend: options.backend,
      settings,
      isBlackholed: () => this.blackholeOn,
      hostileMode: () => this.hostile,
      consumeCommitDrop: () => {
        if (this.commitDropsArmed <= 0) return false
        this.commitDropsArmed -= 1
        return true
      },
      countMessage: (name: string) => {
        this.messageCounts.set(name, (this.messageCounts.get(name) ?? 0) + 1)
      },
      countBreach: (rule: StrictRule) => {
        this.breachCounts.set(rule, (this.breachCounts.get(rule) ?? 0) + 1)
      },
      countHandshake: (version: BoltVersion, byManifest: boolean) => {
        const counts = this.handshakeCounts
        if (byManifest) counts.manifest += 1
        else counts.legacy += 1
        const name = versionName(version)
        counts.versions[name] = (counts.versions[name] ?? 0) + 1
      },
      connectionClosed: (connection: BoltConnection) => {
        this.connections.delete(connection)
        debug('%s closed', connection.id)
      }
    }
  }

  get port (): number {
    return this.boundPort
  }

  async listen (port: number, host = '127.0.0.1'): Promise<number> {
    if (this.listener !== null) throw new Error(`BoltServer is already listening on port ${this.boundPort}`)
    const listener = this.createListener()
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject)
      listener.listen(port, host, () => {
        listener.off('error', reject)
        resolve()
      })
    })
    // After listen succeeded, listener errors must not crash the member.
    listener.on('error', (error: Error) => { debug('listener error: %s', error.message) })
    this.listener = listener
    this.boundPort = (listener.address() as net.AddressInfo).port
    return this.boundPort
  }

  private createListener (): net.Server {
    const tlsOptions = this.options.tls
    if (tlsOptions === undefined) {
      return net.createServer(socket => this.accept(socket))
    }
    const mutual = tlsOptions.clientCa === undefined ? {} : { ca: tlsOptions.clientCa, requestCert: true, rejectUnauthorized: true }
    const server = tls.createServer({ key: tlsOptions.key, cert: tlsOptions.cert, handshakeTimeout: DEFAULT_HANDSHAKE_TIMEOUT_MS, ...mutual },
      socket => {
        this.accept(socket)
      })
    server.on('connection', (raw: net.Socket) => {
      this.rawSockets.add(raw)
      raw.once('close', () => this.rawSockets.delete(raw))
    })
    server.on('tlsClientError', (error: Error) => { debug('TLS client error: %s', error.message) })
    return server
  }

  private accept (socket: net.Socket): void {
    this.connectionCounter += 1
    this.connectionsTotal += 1
    const connection = new BoltConnection(socket, `${this.connectionIdPrefix}${this.connectionCounter}`, this.host)
    this.connections.add(connection)
    debug('%s opened from %s:%d', connection.id, socket.remoteAddress, socket.remotePort)
  }

  async close (): Promise<void> {
    const listener = this.listener
    this.listener = null
    const listenerClosed = listener === null
      ? Promise.resolve()
      : new Promise<void>(resolve => listener.close(() => resolve()))
    const finished = [...this.connections].map(connection => connection.finished)
    for (const connection of this.connections) connection.destroyNow()
    for (const raw of this.rawSockets) raw.destroy()
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<void>(resolve => {
      timer = setTimeout(resolve, CLOSE_WAIT_LIMIT_MS)
      timer.unref()
    })
    await Promise.race([Promise.all([listenerClosed, ...finished]), limit])
    clearTimeout(timer)
  }

  setBlackhole (on: boolean): void {
    if (on) {
      this.blackholeOn = true
      for (const connection of this.connections) connection.blackholed = true
      return
    }
    this.blackholeOn = false
    for (const connection of [...this.connections]) {
      if (connection.blackholed) connection.resetNow()
    }
  }

  armCommitDrop (count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('armCommitDrop needs a non-negative integer')
    this.commitDropsArmed = count
  }

  setHostile (mode: HostileMode | null): void {
    if (mode !== null && !HOSTILE_MODES.includes(mode)) {
      throw new RangeError(`Unknown hostile mode ${String(mode)}; expected one of ${HOSTILE_MODES.join(', ')} or null`)
    }
    this.hostile = mode
    if (mode !== null) return
    for (const connection of [...this.connections]) {
      if (connection.tainted) connection.resetNow()
    }
  }

  stats (): BoltServerStats {
    return {
      connectionsOpen: this.connections.size,
      connectionsTotal: this.connectionsTotal,
      messages: Object.fromEntries(this.messageCounts),
      handshakes: { ...this.handshakeCounts, versions: { ...this.handshakeCounts.versions } },
      breaches: Object.fromEntries(this.breachCounts)
    }
  }

  resetStats (): void {
    this.connectionsTotal = 0
    this.messageCounts = new Map()
    this.handshakeCounts = emptyHandshakeCounts()
    this.breachCounts = new Map()
  }
}

/** `connection.recv_timeout_seconds` as Neo4j derives it: keep-alive interval × probes, in whole seconds (at least 1). */
export function recvTimeoutHint (keepAliveMs: number): number {
  return Math.max(1, Math.ceil(keepAliveMs * KEEP_ALIVE_PROBES / 1000))
}

function emptyHandshakeCounts (): BoltServerStats['handshakes'] {
  return { manifest: 0, legacy: 0, versions: {} }
}
