#!/usr/bin/env node
// cluster-fixture: run a local Neo4j-style cluster in the foreground, or act
// on a running one from another terminal through its loopback control endpoint.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startCluster, type ClusterOptions } from './cluster/index.js'
import { OPTIONS, USAGE } from './cli-options.js'
import {
  CONTROL_PORT_OFFSET, controlRequest, readStateFile, removeStateFile, startControlServer, statusOf, writeStateFile,
  type StatusReport
} from './control/index.js'

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
