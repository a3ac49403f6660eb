// One chaos run: a fresh cluster in a child process, one driver under test
// running the workload, the scenario's faults, then verification and figures.

import type { ClusterOptions } from '../../cluster-fixture/index.js'
import { seededRandom } from '../../cluster-fixture/raft/random.js'
import { ADAPTERS, type AdapterOptions, type DriverAdapter, type DriverName } from './adapters.js'
import { analyse, type Mark, type Metrics } from './analysis.js'
import { forkCluster, type ClusterHandle, type ForkOptions } from './cluster-client.js'
import type { Scenario, ScenarioContext } from './scenarios.js'
import { timelineData, type TimelineData } from './timeline.js'
import { readBack } from './verify.js'
import { DEFAULT_PLAN, startWorkload, type InFlight, type OpRecord, type WorkloadPlan } from './workload.js'

/** Settings every run shares unless a scenario says otherwise. */
export const BASE_CLUSTER: ClusterOptions = { primaries: 3, secondaries: 2 }
export const DEFAULT_BUDGET_MS = 30_000
export const CONNECTION_TIMEOUT_MS = 2_000

export interface RunOptions {
  quick: boolean
  /** Seeds the fixture's election timing and the scenario's random choices. */
  seed: number
  /** For the child process hosting the cluster. */
  fork?: ForkOptions
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void
  /** Replaces the driver's adapter (tests: e.g. one that drops bookmarks, to prove the checks can fail). */
  adapter?: (options: AdapterOptions) => DriverAdapter
}

export interface ErrorSample { kind: string, code: string | undefined, message: string, count: number }

export interface ScenarioRun {
  readonly scenario: string
  readonly number: string
  readonly title: string
  readonly driver: DriverName
  readonly driverLabel: string
  readonly settings: Record<string, unknown>
  readonly cluster: ClusterOptions
  readonly plan: WorkloadPlan
  readonly seed: number
  readonly metrics: Metrics
  readonly marks: readonly Mark[]
  readonly timeline: TimelineData
  /** Distinct errors the application saw (first message of each kind/code), with counts. */
  readonly errorSamples: readonly ErrorSample[]
  /** Successful executeRead reads per member that answered them. */
  readonly readsByMember: Readonly<Record<string, number>>
  /** Operations still running when the workload was stopped. */
  readonly hung: ReadonlyArray<{ actor: string, kind: string, id: number, runningForMs: number }>
  readonly durationMs: number
}


const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

function errorSamples (records: readonly OpRecord[]): ErrorSample[] {
  const samples = new Map<string, ErrorSample>()
  for (const r of records) {
    if (r.outcome === 'ok' || r.error === undefined) continue
    const key = `${r.kind}|${r.error.code ?? r.error.name}`
    const sample = samples.get(key)
    if (sample !== undefined) sample.count++
    else samples.set(key, { kind: r.kind, code: r.error.code ?? r.error.name, message: r.error.message.slice(0, 600), count: 1 })
  }
  return [...samples.values()]
}

/** Waits for `work` at most `ms` (its timer cleared either way); errors are ignored. */
async function bounded (work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work.catch(() => undefined), new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

function readsByMember (records: readonly OpRecord[], addresses: ReadonlyMap<string, string>): Record<string, number> {
  const names = new Map([...addresses].map(([name, address]) => [address, name]))
  const counts: Record<string, number> = {}
  for (const r of records) {
    if (r.kind !== 'read' || r.outcome !== 'ok' || r.address === undefined) continue
    const name = names.get(r.address) ?? r.address
    counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

async function waitForProgress (acknowledged: () => number, writes: number, boundMs: number): Promise<void> {
  const until = Date.now() + boundMs
  while (acknowledged() < writes && Date.now() < until) await sleep(20)
}

export async function runScenario (scenario: Scenario, driver: DriverName, options: RunOptions): Promise<ScenarioRun> {
  const log = options.log ?? (() => {})
  const quick = options.quick
  const database = scenario.database ?? 'neo4j'
  const budgetMs = scenario.budgetMs?.(quick) ?? DEFAULT_BUDGET_MS
  const clusterOptions: ClusterOptions = { ...BASE_CLUSTER, ...scenario.cluster, seed: options.seed }
  const plan: WorkloadPlan = { ...DEFAULT_PLAN, ...scenario.plan }
  const started = performance.now()
  const now = (): number => performance.now() - started
  const marks: Mark[] = []

  const cluster: ClusterHandle = await forkCluster(clusterOptions, options.fork)
  try {
    await scenario.prepare?.(cluster, database)
    // Scenarios on default configuration set nothing (each driver's own connectionTimeout and retry budget).
    const adapter = (options.adapter ?? ADAPTERS[driver])(scenario.driverDefaults === true
      ? { uri: cluster.uri, database }
      : { uri: cluster.uri, database, budgetMs, connectionTimeoutMs: CONNECTION_TIMEOUT_MS })
    const run = `${scenario.key}-${driver}-${options.seed}`
    let records: OpRecord[] = []
    let hung: InFlight[] = []
    let end = 0
    try {
      const workload = startWorkload(adapter, run, plan, now)
      try {
        // Steady state first, so the figures before the fault are normal ones.
        await waitForProgress(workload.acknowledged, 20, 15_000)
        await sleep(quick ? 1000 : 2000)
        const ctx: ScenarioContext = {
          cluster,
          database,
          quick,
          budgetMs,
          mark: (kind, label) => { marks.push({ at: now(), kind, label }); log(`  ${(now() / 1000).toFixed(1)} s ${label}`) },
          sleep,
          random: seededRandom(options.seed)
        }
        await scenario.inject(ctx)
        // Writes must flow again after healing before the run ends.
        const ackedAtHeal = workload.acknowledged()
        await waitForProgress(workload.acknowledged, ackedAtHeal + 20, budgetMs + 10_000)
        await sleep(quick ? 1000 : 2000)
      } finally {
        end = now()
        const outcome = await workload.stop(budgetMs + 15_000)
        records = outcome.records
        hung = outcome.hung
      }
    } finally {
      // A hung operation must not stop the run: close is bounded too.
      await bounded(adapter.close(), 10_000)
    }
    const back = await readBack(cluster, database, run)
    const metrics = analyse(records, hung, marks, end, back)
    return {
      scenario: scenario.key,
      number: scenario.number,
      title: scenario.title,
      driver,
      driverLabel: adapter.label,
      settings: adapter.settings,
      cluster: clusterOptions,
      plan,
      seed: options.seed,
      metrics,
      marks,
      timeline: timelineData(records, marks, end),
      errorSamples: errorSamples(records),
      readsByMember: readsByMember(records, cluster.addresses),
      hung: hung.map(h => ({ actor: h.actor, kind: h.kind, id: h.id, runningForMs: Math.round(end - h.start) })),
      durationMs: Math.round(now())
    }
  } finally {
    await cluster.close()
  }
}
