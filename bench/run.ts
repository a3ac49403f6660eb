// npm run bench [-- --quick | options]: our driver against neo4j-driver 6.3.0
// and the raw Bolt floor on a fixture cluster in a separate process; writes
// bench/results/latest.{md,json} (quick: quick.{md,json}.tmp) and prints the
// markdown. Exit code 1 when a figure is missing (a workload that did not
// run or produced no numbers), never because a figure is small.

import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseBenchArgs, USAGE, UsageError, type BenchArgs } from './args.js'
import { CONTENDERS, DRIVERS, type ContenderSetup } from './contenders/contender.js'
import { ChildHandle } from './ipc.js'
import { machineInfo } from './machine.js'
import { renderMarkdown } from './markdown.js'
import type { FixtureSettings, HostStatus } from './protocol.js'
import { RawBoltConnection } from './raw-bolt/connection.js'
import { RawBoltClient } from './raw-bolt/client.js'
import type { BenchResults } from './results.js'
import { missingFigures, summarizeRun } from './summary.js'
import { exitAll, runFailover, runWorkload, spawnWorkers, type TrialContext } from './trials.js'
import { allWorkloads, failoverSelected, MATCH_ROWS, QUERIES, selectWorkloads, unknownFilters } from './workloads.js'

const FIXTURE: Omit<FixtureSettings, 'serverSideRouting'> = {
  primaries: 3,
  secondaries: 2,
  routingTtlSeconds: 300,
  electionTimeoutMs: [300, 600],
  heartbeatMs: 100,
  secondaryLagMs: 0,
  // Fixed, so election timing draws the same way run after run.
  seed: 20_250_505
}

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url))
const started = performance.now()
const log = (line: string): void => { process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`) }

/** The 10 rows of the MATCH workload, written once and visible on every member before any trial. */
async function seedData (status: HostStatus, database: string | null): Promise<void> {
  const credentials = { user: status.user, password: status.password }
  const seed = new URL(status.uri.replace(/^neo4j:/, 'http:')).host
  const client = new RawBoltClient(seed, credentials, database)
  try {
    await client.run(0, 'WRITE', QUERIES.seed)
  } finally {
    client.close()
  }
  const deadline = Date.now() + 20_000
  for (const member of status.members) {
    const connection = await RawBoltConnection.open(member.address, credentials)
    try {
      for (;;) {
        let count = -1
        await connection.run(QUERIES.seedCount, {}, { mode: 'r', ...(database === null ? {} : { db: database }) }, (values) => { count = Number(values[0]) })
        if (count === MATCH_ROWS) break
        if (Date.now() > deadline) throw new Error(`${member.name} still has ${count} seeded rows after 20 s`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    } finally {
      connection.close()
    }
  }
}

function outputBase (args: BenchArgs): { md: string, json: string } {
  if (args.out !== null) return { md: `${args.out}.md`, json: `${args.out}.json` }
  // Quick runs (CI, a developer's check) must not overwrite the published figures, and *.tmp is git-ignored.
  return args.quick
    ? { md: path.join(RESULTS_DIR, 'quick.md.tmp'), json: path.join(RESULTS_DIR, 'quick.json.tmp') }
    : { md: path.join(RESULTS_DIR, 'latest.md'), json: path.join(RESULTS_DIR, 'latest.json') }
}

async function main (): Promise<number> {
  let args: BenchArgs
  try {
    if (process.argv.includes('--help') || process.argv.includes('-h')) {
      process.stdout.write(USAGE + '\n')
      return 0
    }
    args = parseBenchArgs(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}\n`)
    return 2
  }
  const catalogue = allWorkloads(args.streamRows)
  const unknown = unknownFilters(catalogue, args.only)
  if (unknown.length > 0) {
    process.stderr.write(`bench: --only ${unknown.join(',')} names no workload; ids: ${catalogue.map((w) => w.id).join(', ')}, failover\n`)
    return 2
  }
  const workloads = selectWorkloads(catalogue, args.only)
  const failover = failoverSelected(args.only)
  const fixture: FixtureSettings = { ...FIXTURE, serverSideRouting: args.serverSideRouting }
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    loadAverageEnd: Number.NaN,
    args,
    machine: machineInfo(),
    fixture,
    workloads,
    failover,
    trials: [],
    failovers: [],
    problems: []
  }
  log(`bench ${args.quick ? '(quick) ' : ''}on ${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.machine.node}, load ${results.machine.loadAverage}`)
  const host = ChildHandle.spawn(new URL('./fixture-host.js', import.meta.url), 'fixture host')
  try {
    const status = await host.request<HostStatus>('start', { settings: fixture }, 60_000)
    log(`fixture up: ${status.members.map((m) => `${m.name}@${m.address}`).join(', ')}; leader ${status.leader?.name ?? 'none'}`)
    await seedData(status, args.database)
    const setup: ContenderSetup = { uri: status.uri, user: status.user, password: status.password, database: args.database }
    const ctx: TrialContext = {
      host, setup, rounds: args.rounds, windowMs: args.windowMs, warmupMs: args.warmupMs, log, problems: results.problems,
      sharedWorkers: args.quick ? spawnWorkers(CONTENDERS, 'all workloads') : null
    }
    try {
      for (const workload of workloads) {
        log(`${workload.id}: ${workload.title}`)
        results.trials.push(...await runWorkload(workload, CONTENDERS, ctx))
      }
    } finally {
      if (ctx.sharedWorkers !== null) await exitAll(ctx.sharedWorkers)
    }
    if (failover) {
      log(`failover: ${args.stops} leader stop(s) per driver`)
      results.failovers.push(...await runFailover(args.stops, ctx))
    }
  } catch (error) {
    results.problems.push(`run aborted: ${(error as Error).message}`)
    log(`ABORTED: ${(error as Error).stack ?? String(error)}`)
  } finally {
    await host.exit(20_000)
  }
  results.finishedAt = new Date().toISOString()
  results.loadAverageEnd = Math.round(os.loadavg()[0] * 100) / 100
  const summaries = summarizeRun(results)
  const missing = missingFigures(results, summaries, CONTENDERS, DRIVERS)
  results.problems.push(...missing)
  const markdown = renderMarkdown(results, summaries)
  const files = outputBase(args)
  mkdirSync(path.dirname(files.md), { recursive: true })
  writeFileSync(files.md, markdown)
  writeFileSync(files.json, JSON.stringify({ results, summaries }, null, 2) + '\n')
  process.stdout.write(markdown + '\n')
  log(`wrote ${path.relative(process.cwd(), files.md)} and ${path.relative(process.cwd(), files.json)}`)
  if (missing.length > 0) {
    log(`${missing.length} figure(s) missing:\n  ${missing.join('\n  ')}`)
    return 1
  }
  return 0
}

main().then((code) => { process.exitCode = code }, (error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
})
