#!/usr/bin/env node
// cluster-fixture: run a local Neo4j-style cluster in the foreground, or act
// on a running one from another terminal through its loopback control endpoint.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startCluster, type ClusterOptions } from './cluster/index.js'
import {
  CONTROL_PORT_OFFSET, controlRequest, readStateFile, removeStateFile, startControlServer, statusOf, writeStateFile,
  type StatusReport
} from './control/index.js'

const USAGE = `Usage:
  cluster-fixture start [options]        run a cluster in the foreground (Ctrl-C stops it)
      --primaries N          PRIMARY members (default 3)
      --secondaries N        SECONDARY members (default 2)
      --port P               Bolt port of server1; serverN gets P+N-1 (default 7687; 0 = free ports)
      --user U --password W  credentials clients must use (default neo4j / password123)
      --routing-ttl S        TTL of routing tables in seconds (default 300)
      --lag MS               replication lag of every secondary (default 0)
      --election-timeout A-B randomized election timeout window in ms (default 300-600)
      --heartbeat MS         Raft heartbeat (default 100)
      --failure-detection MS a member not heard from for this long leaves the others' routing
                             tables (default: the election timeout's upper bound)
      --bookmark-timeout MS  how long a member waits for a bookmark (default 30000)
      --grace MS             re-allocation grace period for stopped members (default 30000)
      --reads-on-leader      list the leader among readers too
      --legacy-handshake     always answer with the legacy 4-byte reply (default: the Manifest v1
                             handshake for clients that ask for it, as Neo4j 5.26)
      --lenient              let requests a real server refuses through (experiments only;
                             default: refused as Neo4j refuses them)
      --no-server-side-routing
                             members answer NotALeader instead of routing a write to the leader
                             (default: server-side routing on, as Neo4j 5)
      --keep-alive MS        NOOP after MS without output during a request (default 60000; 0 = off)
      --tls-key FILE --tls-cert FILE
                             serve every member over TLS with this PEM key and certificate
                             (clients use neo4j+s:// or, for a self-signed one, neo4j+ssc://)
      --tls-client-ca FILE   with --tls-key/--tls-cert: require a client certificate signed by this
                             PEM CA (mutual TLS; clients set clientCertificate)
      --control-port P       control endpoint port (default: port + ${CONTROL_PORT_OFFSET}; free when --port 0)
  cluster-fixture status                 members, their state and each database's leader
  cluster-fixture stop|start|blackhole|partition|heal <member>
  cluster-fixture lag <member> <ms>
  cluster-fixture shutdown               stop the running cluster
The commands other than start find the running cluster through a state file in the
temp directory; --control-port P (or --port P, meaning P + ${CONTROL_PORT_OFFSET}) names it explicitly.`

const OPTIONS = {
  primaries: { type: 'string' },
  secondaries: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'routing-ttl': { type: 'string' },
  lag: { type: 'string' },
  'election-timeout': { type: 'string' },
  heartbeat: { type: 'string' },
  'failure-detection': { type: 'string' },
  'bookmark-timeout': { type: 'string' },
  grace: { type: 'string' },
  'reads-on-leader': { type: 'boolean' },
  manifest: { type: 'boolean' },
  'legacy-handshake': { type: 'boolean' },
  lenient: { type: 'boolean' },
  'no-server-side-routing': { type: 'boolean' },
  'keep-alive': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'control-port': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS, allowPositionals: true }>>['values']

class UsageError extends Error {}

function integerOption (values: Values, name: keyof Values): number | undefined {
  const raw = values[name]
  if (raw === undefined || typeof raw === 'boolean') return undefined
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`)
  return Number(raw)
}

function clusterOptions (values: Values): ClusterOptions & { basePort: number } {
  const options: ClusterOptions & { basePort: number } = { basePort: integerOption(values, 'port') ?? 7687 }
  const set = (key: keyof ClusterOptions, value: number | undefined): void => {
    if (value !== undefined) Object.assign(options, { [key]: value })
  }
  set('primaries', integerOption(values, 'primaries'))
  set('secondaries', integerOption(values, 'secondaries'))
  set('routingTtlSeconds', integerOption(values, 'routing-ttl'))
  set('secondaryLagMs', integerOption(values, 'lag'))
  set('heartbeatMs', integerOption(values, 'heartbeat'))
  set('failureDetectionMs', integerOption(values, 'failure-detection'))
  set('bookmarkWaitTimeoutMs', integerOption(values, 'bookmark-timeout'))
  set('reallocationGraceMs', integerOption(values, 'grace'))
  set('seed', integerOption(values, 'seed'))
  set('keepAliveMs', integerOption(values, 'keep-alive'))
  if (values['reads-on-leader'] === true) options.readsOnLeader = true
  // --manifest (the default now) is still accepted; --legacy-handshake turns the manifest off.
  if (values['legacy-handshake'] === true) {
    if (values.manifest === true) throw new UsageError('--manifest and --legacy-handshake contradict each other')
    options.manifest = false
  }
  if (values.lenient === true) options.lenient = true
  if (values['no-server-side-routing'] === true) options.serverSideRouting = false
  if (values.user !== undefined || values.password !== undefined) {
    options.auth = { user: values.user ?? 'neo4j', password: values.password ?? 'password123' }
  }
  options.tls = tlsFiles(values)
  const window = values['election-timeout']
  if (window !== undefined) {
    const match = /^(\d+)[-,](\d+)$/.exec(window)
    if (match === null) throw new UsageError('--election-timeout must look like 300-600')
    options.electionTimeoutMs = [Number(match[1]), Number(match[2])]
  }
  return options
}

function tlsFiles (values: Values): ClusterOptions['tls'] {
  const keyFile = values['tls-key']
  const certFile = values['tls-cert']
  const clientCaFile = values['tls-client-ca']
  if (keyFile === undefined && certFile === undefined) {
    if (clientCaFile !== undefined) throw new UsageError('--tls-client-ca needs --tls-key and --tls-cert')
    return undefined
  }
  if (keyFile === undefined || certFile === undefined) throw new UsageError('--tls-key and --tls-cert go together')
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(file)
    } catch (error) {
      throw new UsageError(`${flag}: cannot read ${file}: ${(error as Error).message}`)
    }
  }
  const pair = { key: read('--tls-key', keyFile), cert: read('--tls-cert', certFile) }
  return clientCaFile === undefined ? pair : { ...pair, clientCa: read('--tls-client-ca', clientCaFile) }
}

function formatStatus (status: StatusReport): string {
  const leading = (name: string): string => Object.entries(status.leaders).filter(([, leader]) => leader === name).map(([db]) => db).join(', ')
  const rows = [['NAME', 'MODE', 'ADDRESS', 'STATE', 'LEADER OF'],
    ...status.members.map((m) => [m.name, m.mode, m.address, m.state, leading(m.name)])]
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const table = rows.map((row) => '  ' + row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n')
  const leaderless = Object.entries(status.leaders).filter(([, leader]) => leader === null).map(([db]) => db)
  const tls = status.tlsUri === null || status.tlsUri === undefined ? '' : `\n  TLS: ${status.tlsUri} (or neo4j+s:// when the client trusts the certificate)`
  return `${table}\n  uri: ${status.uri}` + tls + (leaderless.length > 0 ? `\n  no leader right now: ${leaderless.join(', ')}` : '')
}

async function runStart (values: Values): Promise<void> {
  const options = clusterOptions(values)
  const controlPort = integerOption(values, 'control-port') ?? (options.basePort === 0 ? 0 : options.basePort + CONTROL_PORT_OFFSET)
  const cluster = await startCluster(options)
  let control: Awaited<ReturnType<typeof startControlServer>> | null = null
  let stopping = false
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    process.stdout.write('\nstopping the cluster…\n')
    const force = setTimeout(() => process.exit(code === 0 ? 1 : code), 15_000)
    force.unref()
    await control?.close().catch(() => undefined)
    await cluster.close()
    removeStateFile(process.pid)
    process.stdout.write('stopped\n')
    process.exit(code)
  }
  try {
    control = await startControlServer(cluster, { port: controlPort, onShutdown: () => { void shutdown(0) } })
  } catch (error) {
    await cluster.close()
    throw new Error(`cannot open the control endpoint on 127.0.0.1:${controlPort}: ${(error as Error).message}; pass --control-port`)
  }
  writeStateFile({ pid: process.pid, controlPort: control.port, uri: cluster.uri })
  process.on('SIGINT', () => { if (stopping) process.exit(130); void shutdown(0) })
  process.on('SIGTERM', () => { void shutdown(0) })
  const p = cluster.options.primaries
  const s = cluster.options.secondaries
  process.stdout.write(`cluster-fixture: ${p} ${p === 1 ? 'primary' : 'primaries'} + ${s} ${s === 1 ? 'secondary' : 'secondaries'} on 127.0.0.1\n` +
    `${formatStatus(statusOf(cluster))}\n` +
    `  user: ${cluster.options.auth.user}\n` +
    (cluster.options.lenient ? '  lenient: requests a real server refuses are let through (experiments only)\n' : '') +
    (cluster.options.serverSideRouting ? '' : '  server-side routing off: followers answer NotALeader\n') +
    `  control: 127.0.0.1:${control.port} (cluster-fixture status | stop server1 | start server1 | …)\n` +
    'ready — press Ctrl-C to stop\n')
}

function controlPortFor (values: Values): number {
  const explicit = integerOption(values, 'control-port')
  if (explicit !== undefined) return explicit
  const port = integerOption(values, 'port')
  if (port !== undefined) return port + CONTROL_PORT_OFFSET
  return readStateFile()?.controlPort ?? 7687 + CONTROL_PORT_OFFSET
}

async function runClient (command: string, args: string[], values: Values): Promise<void> {
  const port = controlPortFor(values)
  if (command === 'status') {
    process.stdout.write(formatStatus(await controlRequest(port, 'GET', '/status') as StatusReport) + '\n')
    return
  }
  if (command === 'shutdown') {
    await controlRequest(port, 'POST', '/shutdown')
    process.stdout.write('shutdown requested\n')
    return
  }
  const member = args[0]
  if (member === undefined) throw new UsageError(`${command} needs a member name, e.g. ${command} server1`)
  if (command === 'lag') {
    const ms = args[1]
    if (ms === undefined || !/^\d+$/.test(ms)) throw new UsageError('lag needs a member and milliseconds, e.g. lag server4 500')
    await controlRequest(port, 'POST', `/members/${encodeURIComponent(member)}/lag?ms=${ms}`)
    process.stdout.write(`${member}: lag ${ms} ms\n`)
    return
  }
  const answer = await controlRequest(port, 'POST', `/members/${encodeURIComponent(member)}/${command}`) as { state?: string }
  process.stdout.write(`${member}: ${answer.state ?? 'done'}\n`)
}

async function main (argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  const [command, ...rest] = positionals
  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(USAGE + '\n')
    return
  }
  if (command === 'start' && rest.length === 0) return await runStart(values)
  if (['status', 'shutdown', 'stop', 'start', 'blackhole', 'partition', 'heal', 'lag'].includes(command)) {
    return await runClient(command, rest, values)
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`)
}

main(process.argv.slice(2)).catch((error: Error) => {
  const usage = error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true
  process.stderr.write(`cluster-fixture: ${error.message}\n${usage ? '\n' + USAGE + '\n' : ''}`)
  process.exit(usage ? 2 : 1)
})
