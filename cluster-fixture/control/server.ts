// The loopback-only HTTP control endpoint of a running `cluster-fixture start`,
// so that `cluster-fixture stop server1` etc. work from another terminal.
//
//   GET  /status                          members, leaders per database, uri (and tlsUri, null without TLS)
//   POST /members/<name>/stop | start | blackhole | partition | heal
//   POST /members/<name>/lag?ms=<ms>
//   POST /shutdown                        closes the cluster (the CLI process then exits)
//
// Answers are JSON; errors are { error } with status 400/404/405/500.

import http from 'node:http'
import type { Cluster } from '../cluster/index.js'

export interface ControlServer {
  readonly port: number
  close: () => Promise<void>
}

export interface ControlOptions {
  port: number
  /** Called after POST /shutdown has been answered. */
  onShutdown?: () => void
}

export interface StatusReport {
  uri: string
  /** neo4j+ssc:// URI when the members serve TLS, else null. */
  tlsUri: string | null
  members: Array<{ name: string, address: string, mode: string, state: string }>
  /** database → leader name (null during an election). */
  leaders: Record<string, string | null>
}

const MEMBER_ACTIONS = ['stop', 'start', 'blackhole', 'partition', 'heal'] as const
type MemberAction = typeof MEMBER_ACTIONS[number]

export async function startControlServer (cluster: Cluster, options: ControlOptions): Promise<ControlServer> {
  const server = http.createServer((request, response) => {
    handle(cluster, request, options).then(
      ({ status, body }) => send(response, status, body),
      (error: Error) => send(response, 500, { error: error.message }))
  })
  server.keepAliveTimeout = 1_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as { port: number }).port
  return {
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function send (response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

export function statusOf (cluster: Cluster): StatusReport {
  const leaders: Record<string, string | null> = {}
  for (const database of cluster.databases()) {
    const leader = cluster.databaseStatus(database).find((row) => row.raftRole === 'leader' && row.memberState === 'running')
    leaders[database] = leader?.member ?? null
  }
  return { uri: cluster.uri, tlsUri: cluster.tlsUri, members: cluster.members(), leaders }
}

async function handle (cluster: Cluster, request: http.IncomingMessage, options: ControlOptions): Promise<{ status: number, body: unknown }> {
  // Bound to 127.0.0.1 already; refuse anything else that might reach it anyway.
  const remote = request.socket.remoteAddress ?? ''
  if (remote !== '127.0.0.1' && remote !== '::ffff:127.0.0.1' && remote !== '::1') return { status: 403, body: { error: 'loopback only' } }
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  const parts = url.pathname.split('/').filter((part) => part !== '')
  if (request.method === 'GET' && url.pathname === '/status') return { status: 200, body: statusOf(cluster) }
  if (request.method !== 'POST') return { status: 405, body: { error: `${request.method ?? ''} ${url.pathname} is not supported` } }
  if (url.pathname === '/shutdown') {
    setImmediate(() => options.onShutdown?.())
    return { status: 200, body: { ok: true } }
  }
  if (parts.length !== 3 || parts[0] !== 'members') return { status: 404, body: { error: `unknown path ${url.pathname}` } }
  const [, name, action] = parts
  if (!cluster.members().some((m) => m.name === name)) {
    return { status: 404, body: { error: `no member ${name}; members are ${cluster.members().map((m) => m.name).join(', ')}` } }
  }
  if (action === 'lag') {
    const ms = Number(url.searchParams.get('ms'))
    if (!Number.isInteger(ms) || ms < 0) return { status: 400, body: { error: 'lag needs ?ms=<non-negative integer>' } }
    cluster.setLag(name, ms)
    return { status: 200, body: { ok: true, member: name, lagMs: ms } }
  }
  if (!(MEMBER_ACTIONS as readonly string[]).includes(action)) {
    return { status: 404, body: { error: `unknown action ${action}; use ${[...MEMBER_ACTIONS, 'lag'].join(', ')}` } }
  }
  await cluster[action as MemberAction](name)
  return { status: 200, body: { ok: true, member: name, state: cluster.members().find((m) => m.name === name)?.state } }
}
