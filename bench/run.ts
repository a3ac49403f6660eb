// npm run bench [-- --quick | options]: our driver against neo4j-driver 6.3.0
// and the raw Bolt floors on a fixture cluster in a separate process; writes
// bench/results/latest.{md,json} (named database, the default), home.{md,json}
// (--database none) or quick.{md,json}.tmp (quick) and prints the markdown.
// Exit code 1 when a figure is missing (a workload that did not run or
// produced no numbers), never because a figure is small.
//
// --profile A,B runs those workloads under the V8 CPU profiler instead (see
// profile.ts) and writes bench/results/profile-latest.{md,json}.

import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseBenchArgs, USAGE, UsageError, type BenchArgs } from './args.js'
import { CONTENDERS, contendersFor, DRIVERS, type ContenderSetup } from './contenders/contender.js'
import { ChildHandle } from './ipc.js'
import { machineInfo } from './machine.js'
import { renderMarkdown } from './markdown.js'
import { runProfiles } from './profile.js'
import type { FixtureSettings, HostStatus } from './protocol.js'
import type { BenchResults } from './results.js'
import { renderSsrComparison, type SettingRun } from './ssr-compare.js'
import { missingFigures, summarizeRun } from './summary.js'
import { exitAll, runFailover, runWorkload, spawnWorkers, type TrialContext } from './trials.js'
import { FIXTURE, seedData } from './setup.js'
import { allWorkloads, failoverSelected, selectWorkloads, unknownFilters, type Workload } from './workloads.js'

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url))
const started = performance.now()
const log = (line: string): void => { process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`) }

function outputBase (args: BenchArgs): { md: string, json: string } {
  if (args.out !== null) return { md: `${args.out}.md`, json: `${args.out}.json` }
  // Quick runs (CI, a developer's check) must not overwrite the published figures, and *.tmp is git-ignored.
  if (args.quick) return { md: path.join(RESULTS_DIR, 'quick.md.tmp'), json: path.join(RESULTS_DIR, 'quick.json.tmp') }
  // The named-database run is the headline; the home-database one is its own report.
  const base = args.database === null ? 'home' : 'latest'
  return { md: path.join(RESULTS_DIR, `${base}.md`), json: path.join(RESULTS_DIR, `${base}.json`) }
}

/** One complete run on a fresh fixture with one server-side routing setting. */
async function benchOnce (args: BenchArgs, serverSideRouting: boolean, workloads: Workload[], failover: boolean): Promise<SettingRun & { missing: string[] }> {
  const fixture: FixtureSettings = { ...FIXTURE, serverSideRouting }
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
  log(`bench ${args.quick ? '(quick) ' : ''}on ${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.machine.node}, load ${results.machine.loadAverage}; ` +
    `database ${args.database === null ? 'none named (home)' : args.database}, server-side routing ${serverSideRouting ? 'on' : 'off'}`)
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
        results.trials.push(...await runWorkload(workload, contendersFor(workload.kind), ctx))
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
  return { results, summaries, missing }
}

/** Headings one level down, so two runs' reports sit under one title. */
const demote = (markdown: string): string => markdown.replace(/^(#+) /gm, '#$1 ')

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
  const filters = args.profile.length > 0 ? args.profile : args.only
  const unknown = unknownFilters(catalogue, filters)
  if (unknown.length > 0) {
    process.stderr.write(`bench: ${args.profile.length > 0 ? '--profile' : '--only'} ${unknown.join(',')} names no workload; ids: ${catalogue.map((w) => w.id).join(', ')}, failover\n`)
    return 2
  }
  if (args.profile.length > 0) {
    return await runProfiles(args, selectWorkloads(catalogue, args.profile), { resultsDir: RESULTS_DIR, log })
  }
  const workloads = selectWorkloads(catalogue, args.only)
  const failover = failoverSelected(args.only)
  const settings = args.serverSideRouting === 'both' ? [true, false] : [args.serverSideRouting === 'on']
  const runs: Array<SettingRun & { missing: string[] }> = []
  for (const ssr of settings) runs.push(await benchOnce(args, ssr, workloads, failover))

  const files = outputBase(args)
  mkdirSync(path.dirname(files.md), { recursive: true })
  let markdown: string
  if (runs.length === 1) {
    markdown = renderMarkdown(runs[0].results, runs[0].summaries)
    writeFileSync(files.json, JSON.stringify({ results: runs[0].results, summaries: runs[0].summaries }, null, 2) + '\n')
  } else {
    const [on, off] = runs
    const what = args.database === null ? 'home database (no database named)' : `database \`${args.database}\``
    markdown = [
      `# Benchmarks, ${what}: server-side routing on and off`, '',
      `Two complete runs, each on its own fresh fixture: server-side routing on (members advertise \`ssr.enabled\`, as Neo4j 5 does by default), then off. ${args.database === null ? 'This is not the headline setting: the headline figures name the database (`npm run bench`, bench/results/latest.md).' : ''}`, '',
      renderSsrComparison(on, off),
      demote(renderMarkdown(on.results, on.summaries)),
      demote(renderMarkdown(off.results, off.summaries))
    ].join('\n')
    writeFileSync(files.json, JSON.stringify({ runs: runs.map((r) => ({ results: r.results, summaries: r.summaries })) }, null, 2) + '\n')
  }
  writeFileSync(files.md, markdown)
  process.stdout.write(markdown + '\n')
  log(`wrote ${path.relative(process.cwd(), files.md)} and ${path.relative(process.cwd(), files.json)}`)
  const missing = runs.flatMap((r) => r.missing)
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
