// Measures the fixture's write path and hot-path latency with a raw Bolt
// client (tools/wire-client.ts), so no driver's own costs are in the figures.
//
// Workloads, each on connections to the leader of `neo4j` (one per worker):
//   tx-pipelined  BEGIN + RUN(MERGE) + PULL in one write, COMMIT once PULL is
//                 answered: what our driver and the official executeQuery do;
//   tx-waiting    BEGIN, wait for its SUCCESS, then RUN + PULL, then COMMIT;
//   read          auto-commit RUN 'RETURN 1' + PULL;
//   write         auto-commit RUN 'MERGE (:Ping {id:$i})' + PULL.
// Targets: `inprocess` (the cluster runs in this process: the client's CPU
// competes with it) and `cli` (`cluster-fixture start` in a child process,
// whose CPU time is reported as a share of wall time); with `--uri`, a
// cluster that is already running (e.g. one started under `node --cpu-prof`).
//
// Usage: node dist/cluster-fixture/tools/measure-write-path.js
//   [--target inprocess,cli] [--workload tx-pipelined,tx-waiting,read,write]
//   [--concurrency 1,16] [--seconds 3] [--warmup 0.5] [--json]
//   [--uri neo4j://127.0.0.1:7687]   (instead of --target)

import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startCluster } from '../cluster/index.js'
import type { PackMap } from '../bolt/packstream.js'
import { TAG, WireClient } from './wire-client.js'

const USER = 'neo4j'
const PASSWORD = 'password123'
const WRITE_QUERY = 'MERGE (:Ping {id: $i})'
const WORKLOADS = ['tx-pipelined', 'tx-waiting', 'read', 'write'] as const
const TARGETS = ['inprocess', 'cli'] as const
type Workload = typeof WORKLOADS[number]
type Target = typeof TARGETS[number] | 'external'
/** No single operation may take longer than this: a hang fails the run instead of stalling it. */
const OPERATION_BOUND_MS = 30_000
const CLI_START_BOUND_MS = 30_000

interface CaseResult {
  target: Target
  workload: Workload
  concurrency: number
  ops: number
  opsPerSecond: number
  latencyMs: { p50: number, p99: number }
  /** Time from COMMIT written to its SUCCESS (tx workloads only). */
  commitMs: { p50: number, p99: number } | null
  /** Fixture CPU time over wall time during the measured window (cli target only). */
  fixtureCpu: number | null
  /** Fixture CPU time per operation in µs (cli target only): less sensitive to a busy machine than ops/s. */
  fixtureCpuUsPerOp: number | null
}

interface Host {
  seed: string
  /** CPU seconds used so far by the process hosting the cluster, or null when it is this process. */
  cpuSeconds: () => number | null
  close: () => Promise<void>
}

let nextId = 0

/** One operation of `workload` on `client`; pushes its COMMIT latency to `commits` when it has one. */
async function operation (client: WireClient, workload: Workload, commits: number[]): Promise<void> {
  const id = BigInt(nextId++)
  switch (workload) {
    case 'read': {
      const answers = [client.request(TAG.RUN, ['RETURN 1', {}, {}]), client.request(TAG.PULL, [{ n: -1n }])]
      client.flush()
      await Promise.all(answers)
      return
    }
    case 'write': {
      const answers = [client.request(TAG.RUN, [WRITE_QUERY, { i: id }, {}]), client.request(TAG.PULL, [{ n: -1n }])]
      client.flush()
      await Promise.all(answers)
      return
    }
    case 'tx-pipelined': {
      const answers = [
        client.request(TAG.BEGIN, [{}]),
        client.request(TAG.RUN, [WRITE_QUERY, { i: id }, {}]),
        client.request(TAG.PULL, [{ n: -1n }])
      ]
      client.flush()
      await Promise.all(answers)
      break
    }
    case 'tx-waiting': {
      const begun = client.request(TAG.BEGIN, [{}])
      client.flush()
      await begun
      const answers = [client.request(TAG.RUN, [WRITE_QUERY, { i: id }, {}]), client.request(TAG.PULL, [{ n: -1n }])]
      client.flush()
      await Promise.all(answers)
      break
    }
  }
  const committing = performance.now()
  const committed = client.request(TAG.COMMIT, [])
  client.flush()
  await committed
  commits.push(performance.now() - committing)
}

function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

function round (value: number, digits = 2): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

async function leaderAddress (seed: string): Promise<string> {
  const client = await WireClient.open(seed, USER, PASSWORD)
  try {
    const answer = client.request(TAG.ROUTE, [{ address: seed }, [], { db: 'neo4j' }])
    client.flush()
    const rt = (await answer).rt as PackMap
    const servers = rt.servers as PackMap[]
    const writer = servers.find((s) => s.role === 'WRITE')?.addresses as string[] | undefined
    if (writer === undefined || writer.length === 0) throw new Error('the routing table has no writer')
    return writer[0]
  } finally {
    client.close()
  }
}

async function measureCase (host: Host, target: Target, workload: Workload, concurrency: number, seconds: number, warmupSeconds: number): Promise<CaseResult> {
  const leader = await leaderAddress(host.seed)
  const clients = await Promise.all(Array.from({ length: concurrency }, async () => await WireClient.open(leader, USER, PASSWORD)))
  const latencies: number[] = []
  const commits: number[] = []
  let measuring = false
  let stop = false
  const worker = async (client: WireClient): Promise<void> => {
    while (!stop) {
      const started = performance.now()
      const scratch: number[] = []
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        operation(client, workload, scratch),
        new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${workload}: no answer within ${OPERATION_BOUND_MS} ms`)), OPERATION_BOUND_MS) })
      ]).finally(() => clearTimeout(timer))
      if (measuring) {
        latencies.push(performance.now() - started)
        commits.push(...scratch)
      }
    }
  }
  const running = Promise.all(clients.map(worker))
  try {
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000))])
    measuring = true
    const cpuBefore = host.cpuSeconds()
    const startedAt = performance.now()
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, seconds * 1000))])
    measuring = false
    const wallSeconds = (performance.now() - startedAt) / 1000
    const cpuAfter = host.cpuSeconds()
    stop = true
    await running
    const ops = latencies.length
    return {
      target,
      workload,
      concurrency,
      ops,
      opsPerSecond: round(ops / wallSeconds, 1),
      latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)) },
      commitMs: commits.length === 0 ? null : { p50: round(percentile(commits, 0.5)), p99: round(percentile(commits, 0.99)) },
      fixtureCpu: cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / wallSeconds, 3),
      fixtureCpuUsPerOp: cpuBefore === null || cpuAfter === null || ops === 0 ? null : Math.round((cpuAfter - cpuBefore) * 1e6 / ops)
    }
  } finally {
    stop = true
    await running.catch(() => undefined)
    for (const client of clients) client.close()
  }
}

function externalHost (uri: string): Host {
  const seed = /^(?:neo4j|bolt):\/\/([^/?]+)/.exec(uri)?.[1]
  if (seed === undefined) throw new Error(`--uri: expected neo4j://host:port or bolt://host:port, got ${uri}`)
  return { seed, cpuSeconds: () => null, close: async () => {} }
}

async function inProcessHost (): Promise<Host> {
  const cluster = await startCluster({ primaries: 3, secondaries: 2 })
  await cluster.leader('neo4j')
  return { seed: cluster.uri.replace('neo4j://', ''), cpuSeconds: () => null, close: async () => { await cluster.close() } }
}

/** CPU seconds (user + system) of a Linux process, from /proc; null where /proc is missing. */
function processCpuSeconds (pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    // After "pid (comm) ": state is field 0; utime and stime are fields 11 and 12 (in clock ticks).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

async function cliHost (): Promise<Host> {
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url))
  const stateFile = path.join(os.tmpdir(), `measure-write-path-${process.pid}.json`)
  const child: ChildProcess = spawn(process.execPath, [cli, 'start', '--port', '0'], {
    env: { ...process.env, CLUSTER_FIXTURE_STATE_FILE: stateFile },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const output = await new Promise<string>((resolve, reject) => {
      let text = ''
      const timer = setTimeout(() => reject(new Error(`the CLI cluster did not start within ${CLI_START_BOUND_MS} ms: ${text}`)), CLI_START_BOUND_MS)
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('utf8')
        if (/ready/.test(text)) { clearTimeout(timer); resolve(text) }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the CLI exited with ${code}: ${text}`)) })
    })
    const uri = /uri: neo4j:\/\/(\S+)/.exec(output)?.[1]
    if (uri === undefined) throw new Error(`no uri in the CLI output: ${output}`)
    return {
      seed: uri,
      cpuSeconds: () => processCpuSeconds(child.pid as number),
      close: async () => {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(killer)
        fs.rmSync(stateFile, { force: true })
      }
    }
  } catch (error) {
    child.kill('SIGKILL')
    fs.rmSync(stateFile, { force: true })
    throw error
  }
}

function list<T extends string> (value: string | undefined, allowed: readonly T[], fallback: readonly T[], name: string): T[] {
  if (value === undefined) return [...fallback]
  const items = value.split(',').map((s) => s.trim())
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: '${item}' is not one of ${allowed.join(', ')}`)
  return items as T[]
}

function formatRow (r: CaseResult): string {
  const commit = r.commitMs === null ? '' : `  commit p50 ${r.commitMs.p50} p99 ${r.commitMs.p99} ms`
  const cpu = r.fixtureCpu === null ? '' : `  fixture cpu ${Math.round(r.fixtureCpu * 100)}%, ${r.fixtureCpuUsPerOp} µs/op`
  return `${r.target.padEnd(9)} ${r.workload.padEnd(12)} c=${String(r.concurrency).padEnd(3)} ` +
    `${String(r.opsPerSecond).padStart(8)} ops/s  p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} ms${commit}${cpu}`
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      workload: { type: 'string' },
      concurrency: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      uri: { type: 'string' },
      json: { type: 'boolean' }
    }
  })
  const targets: Target[] = values.uri !== undefined ? ['external'] : list(values.target, TARGETS, TARGETS, 'target')
  const workloads = list(values.workload, WORKLOADS, WORKLOADS, 'workload')
  const concurrencies = (values.concurrency ?? '1,16').split(',').map(Number)
  if (!concurrencies.every((c) => Number.isInteger(c) && c >= 1 && c <= 256)) throw new Error('--concurrency: integers from 1 to 256')
  const seconds = Number(values.seconds ?? 3)
  const warmup = Number(values.warmup ?? 0.5)
  if (!(seconds > 0 && seconds <= 600) || !(warmup >= 0 && warmup <= 60)) throw new Error('--seconds in (0, 600], --warmup in [0, 60]')
  const results: CaseResult[] = []
  for (const target of targets) {
    const host = target === 'inprocess' ? await inProcessHost()
      : target === 'cli' ? await cliHost()
        : externalHost(values.uri as string)
    try {
      for (const workload of workloads) {
        for (const concurrency of concurrencies) {
          const result = await measureCase(host, target, workload, concurrency, seconds, warmup)
          results.push(result)
          if (values.json !== true) process.stdout.write(formatRow(result) + '\n')
        }
      }
    } finally {
      await host.close()
    }
  }
  if (values.json === true) process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), seconds, results }) + '\n')
  else process.stdout.write(`(node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`)
}

main().then(() => process.exit(0), (error: Error) => {
  process.stderr.write(`measure-write-path: ${error.message}\n`)
  process.exit(1)
})
