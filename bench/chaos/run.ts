// npm run chaos [-- options]: every chaos scenario against a fresh fixture
// cluster (in a child process), with our driver and with the official
// neo4j-driver 6.3.0 through the same workload, alternating scenario by
// scenario so both see the same machine. Prints the table, the goals and the
// timelines; writes bench/results/chaos-latest.json. Exits 1 when our driver
// broke an invariant (lost, duplicated or stale data, a hang).
//
//   --quick             shorter holds, one run each (CI)
//   --repeat N          runs per scenario and driver (default 3, quick 1; 2d, on default
//                       configuration, runs 5 times in a full run: its goal is a median of 5)
//   --scenario a,b      only these (keys or numbers: leader-stop, 2, 9a, …)
//   --driver ours|official|both   (default both)
//   --json FILE         where the results go (default bench/results/chaos-latest.json; quick: chaos-quick.json.tmp)
//   --seed N            first seed (default 1); run i uses seed + i
//   --no-timelines      table and goals only
//   --from FILE         print the report of a saved results file (no run); with --json, rewrite it

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_OPTIONS } from '../../cluster-fixture/index.js'
import type { DriverName } from './adapters.js'
import { CONNECTION_TIMEOUT_MS, runScenario, type ScenarioRun } from './harness.js'
import { aggregate, goals, renderGoals, renderNotes, renderTable, renderTimelines } from './report.js'
import { ALL_SCENARIOS, BLACKHOLE_DEFAULTS_HOLD_MS, scenarioByKey, type Scenario } from './scenarios.js'

interface Args {
  quick: boolean
  repeat: number
  /** --repeat was given: it then applies to every scenario, 2d included. */
  repeatGiven: boolean
  scenarios: Scenario[]
  drivers: DriverName[]
  json: string
  /** --json was given (with --from, only then is a file written). */
  jsonGiven: boolean
  seed: number
  timelines: boolean
  /** Re-render this results file instead of running. */
  from: string | undefined
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const DEFAULT_JSON = path.join(REPO_ROOT, 'bench/results/chaos-latest.json')

function parseArgs (argv: string[]): Args {
  const args: Args = { quick: false, repeat: 0, repeatGiven: false, scenarios: [...ALL_SCENARIOS], drivers: ['ours', 'official'], json: DEFAULT_JSON, jsonGiven: false, seed: 1, timelines: true, from: undefined }
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value)
    if (value === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${String(value)}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string
    const value = argv[i + 1]
    switch (flag) {
      case '--quick': args.quick = true; break
      case '--no-timelines': args.timelines = false; break
      case '--repeat': args.repeat = positive(flag, value); args.repeatGiven = true; i++; break
      case '--seed': args.seed = positive(flag, value); i++; break
      case '--scenario': args.scenarios = (value ?? '').split(',').filter(k => k !== '').map(scenarioByKey); i++; break
      case '--json':
        if (value === undefined) throw new Error('--json needs a file name')
        args.json = path.resolve(value); args.jsonGiven = true; i++; break
      case '--from':
        if (value === undefined) throw new Error('--from needs a results file (e.g. bench/results/chaos-latest.json)')
        args.from = path.resolve(value); i++; break
      case '--driver':
        if (value === 'both') args.drivers = ['ours', 'official']
        else if (value === 'ours' || value === 'official') args.drivers = [value]
        else throw new Error(`--driver must be ours, official or both, got ${String(value)}`)
        i++; break
      default: throw new Error(`unknown argument ${flag}; use --quick --repeat N --scenario a,b --driver ours|official|both --json FILE --seed N --no-timelines --from FILE`)
    }
  }
  if (args.repeat === 0) args.repeat = args.quick ? 1 : 3
  // A quick run must not overwrite the published full results (git-ignored *.tmp instead).
  if (args.quick && !args.jsonGiven) args.json = path.join(REPO_ROOT, 'bench/results/chaos-quick.json.tmp')
  if (args.scenarios.length === 0) throw new Error('--scenario named no scenario')
  return args
}

function machine (): Record<string, unknown> {
  const cpus = os.cpus()
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version }
}

interface RunMeta {
  generatedAt: string
  command: string
  mode: 'quick' | 'full'
  repeat: number
  seconds: number
  machine: Record<string, unknown>
}

function renderReport (runs: readonly ScenarioRun[], meta: RunMeta, timelines: boolean): string {
  const rows = aggregate(runs)
  const goalList = goals(rows, DEFAULT_OPTIONS.electionTimeoutMs[1], CONNECTION_TIMEOUT_MS)
  const host = meta.machine
  const majorityBudget = runs.find(r => r.scenario === 'majority-down')?.settings.maxTransactionRetryTime
  const out: string[] = []
  const fiveOf2d = meta.mode === 'full' && runs.filter(r => r.scenario === 'leader-blackhole-defaults' && r.driver === 'ours').length > meta.repeat
  out.push(`\nChaos and consistency — ${meta.mode} run, ${meta.repeat} run(s) per scenario and driver${fiveOf2d ? ' (2d: 5)' : ''}, ${meta.seconds} s, ${meta.generatedAt}`)
  out.push(`Machine: ${String(host.cpus)} × ${String(host.cpuModel)}, ${String(host.memoryGiB)} GiB, ${String(host.platform)}, Node ${String(host.node)}`)
  out.push(`Cluster: 3 primaries + 2 secondaries (8: 4 + 2) in a child process; election window ${DEFAULT_OPTIONS.electionTimeoutMs.join('–')} ms`)
  out.push(`Drivers: maxTransactionRetryTime 30 000 ms${majorityBudget === undefined ? '' : ` (7: ${String(majorityBudget)} ms)`}, connectionTimeout ${CONNECTION_TIMEOUT_MS} ms; ours on its defaults otherwise (a silent member is detected by the unresponsive probe, unresponsiveProbeAfter 500 ms)`)
  if (runs.some(r => r.scenario === 'leader-blackhole-defaults')) {
    out.push(`         2d: both drivers on DEFAULT configuration (nothing set: connectionTimeout 30 000 ms and a 30 s retry budget in both); black hole held ${meta.mode === 'quick' ? 12 : BLACKHOLE_DEFAULTS_HOLD_MS / 1000} s, so a pause that long means writes resumed only after the heal`)
  }
  out.push('Workload: 2 CREATE writers, 2 MERGE (idempotent) writers, 2 readers with the writers\' bookmarks, 1 executeQuery write+read loop (6: 3 readers; 9a: 3 CREATE writers; 9b: 3 MERGE writers)')
  out.push(`Command: ${meta.command}\n`)
  out.push(renderTable(rows))
  out.push('\nunknown = "commit outcome unknown" errors: present once / absent afterwards (never both, never twice). pause = longest gap without an acknowledged write from a fault on' +
    (meta.repeat > 1 ? ' (median of runs, max in brackets)' : '') + '. 2d is scenario 2 with both drivers on default configuration.')
  const notes = renderNotes(rows)
  if (notes.length > 0) out.push('\nNotes:\n' + notes.map(n => `  ${n}`).join('\n'))
  if (goalList.length > 0) out.push('\nGoals:\n' + renderGoals(goalList).map(g => `  ${g}`).join('\n'))
  if (timelines) out.push('\nTimelines\n\n' + renderTimelines(runs))
  return out.join('\n') + '\n'
}

function writeResults (file: string, runs: readonly ScenarioRun[], meta: RunMeta): void {
  const rows = aggregate(runs)
  mkdirSync(path.dirname(file), { recursive: true })
  const summary = JSON.stringify({
    generatedAt: meta.generatedAt,
    command: meta.command,
    mode: meta.mode,
    repeat: meta.repeat,
    seconds: meta.seconds,
    machine: meta.machine,
    electionTimeoutMs: DEFAULT_OPTIONS.electionTimeoutMs,
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    goals: goals(rows, DEFAULT_OPTIONS.electionTimeoutMs[1], CONNECTION_TIMEOUT_MS),
    table: renderTable(rows, true),
    rows
  }, null, 1)
  // One line per run (their timelines are long arrays of numbers): the file stays small and diffable.
  writeFileSync(file, `${summary.slice(0, -2)},\n "runs": [\n${runs.map(r => '  ' + JSON.stringify(r)).join(',\n')}\n ]\n}\n`)
  process.stderr.write(`results written to ${path.relative(process.cwd(), file)}\n`)
}

async function main (): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.from !== undefined) {
    // Re-render a previous run (e.g. bench/results/chaos-latest.json) without running anything.
    const saved = JSON.parse(readFileSync(args.from, 'utf8')) as RunMeta & { runs: ScenarioRun[] }
    process.stdout.write(renderReport(saved.runs, saved, args.timelines))
    if (args.jsonGiven) writeResults(args.json, saved.runs, saved)
    return
  }
  const log = (line: string): void => { process.stderr.write(line + '\n') }
  const runs: ScenarioRun[] = []
  const started = Date.now()
  for (const scenario of args.scenarios) {
    const repeats = args.quick || args.repeatGiven ? args.repeat : scenario.fullRepeat ?? args.repeat
    for (let repeat = 0; repeat < repeats; repeat++) {
      const seed = args.seed + repeat
      for (const driver of args.drivers) {
        log(`${scenario.number} ${scenario.key} — ${driver} (run ${repeat + 1}/${repeats}, seed ${seed})`)
        const run = await runScenario(scenario, driver, { quick: args.quick, seed, log })
        const m = run.metrics
        log(`  acked ${m.writesAcknowledged}, pause ${m.longestWritePauseMs} ms, errors ${m.errors}, took ${(run.durationMs / 1000).toFixed(1)} s`)
        runs.push(run)
      }
    }
  }
  const meta: RunMeta = {
    generatedAt: new Date().toISOString(),
    command: `npm run chaos${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    mode: args.quick ? 'quick' : 'full',
    repeat: args.repeat,
    seconds: Math.round((Date.now() - started) / 1000),
    machine: machine()
  }
  process.stdout.write(renderReport(runs, meta, args.timelines))
  writeResults(args.json, runs, meta)
  const broken = aggregate(runs).filter(r => r.driver === 'ours' && r.violations.length > 0)
  if (broken.length > 0) {
    process.stderr.write(`our driver broke an invariant in: ${broken.map(r => r.scenario).join(', ')}\n`)
    process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exitCode = 2
})
