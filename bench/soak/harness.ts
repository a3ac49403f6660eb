// One soak run: a fixture cluster in a child process (the chaos harness's
// host), one worker process per driver running a paced churn on default
// configuration, and every minute a leader stop (then restart) and a
// black-holed leader (then heal). The runner samples each worker's process
// every second, watches each fault until the worker is back within its
// baseline, and takes a full-GC sample at each minute's end. Every wait is
// bounded; the run stops by itself.

import os from 'node:os'
import { forkCluster, type ClusterHandle } from '../chaos/cluster-client.js'
import { PASSWORD, USER } from '../chaos/adapters.js'
import { ChildHandle } from '../ipc.js'
import { epochNow } from '../measure.js'
import type { Counts, DriverSoak, FaultKind, FaultRecord, MinuteRecord, SoakBaseline, SoakDriver, SoakRun, SoakSample, SoakSettings } from './protocol.js'
import { within } from './verdict.js'

const WORKER = new URL('./worker.js', import.meta.url)
const LABELS: Record<SoakDriver, string> = { ours: 'neo4j-cluster-driver', official: 'neo4j-driver 6.3.0' }
const CLUSTER = { primaries: 3, secondaries: 2 }
const MINUTE_MS = 60_000
const SAMPLE_EVERY_MS = 1000
const FAULT_POLL_MS = 500
/** The baseline window, at the start of minute 1 (before its first fault). */
const BASELINE_MS = 5000

export const DEFAULT_SETTINGS: SoakSettings = {
  minutes: 30,
  callers: 8,
  ratePerSecond: 200,
  warmupMs: 5000,
  schedule: { leaderStopAtMs: 10_000, blackholeAtMs: 35_000, holdMs: 5000 },
  // A newly elected leader may need one connection per concurrent caller that the pool did not
  // hold before: the allowance is one socket (and its handle) per caller, and two timers.
  slack: { sockets: 8, handles: 8, timers: 2 },
  memoryTolerance: 0.10,
  database: 'neo4j'
}

export interface SoakOptions {
  settings: SoakSettings
  drivers: SoakDriver[]
  seed?: number
  command?: string
  log?: (line: string) => void
}

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms)) }

class DriverWorker {
  readonly minutes: MinuteRecord[] = []
  baseline: SoakBaseline = { sockets: 0, handles: 0, timers: 0, heapUsed: 0, rss: 0 }

  constructor (readonly driver: SoakDriver, readonly handle: ChildHandle) {}

  async sample (gc = false): Promise<SoakSample> {
    return await this.handle.request<SoakSample>('sample', { gc }, 30_000)
  }

  async firstWriteAfter (at: number): Promise<number | null> {
    return await this.handle.request<number | null>('first-write-after', { at }, 30_000)
  }
}

export async function runSoak (options: SoakOptions): Promise<SoakRun> {
  const { settings } = options
  const log = options.log ?? (() => {})
  const startedAt = new Date().toISOString()
  const machine = machineSummary()
  const problems: string[] = []
  const faults: FaultRecord[] = []
  const cluster = await forkCluster({ ...CLUSTER, seed: options.seed ?? 1 }, { output: () => {} })
  const workers = options.drivers.map((d) => new DriverWorker(d, ChildHandle.spawn(WORKER, `soak worker (${d})`, ['--expose-gc'])))
  const results: DriverSoak[] = []
  try {
    for (const w of workers) {
      await w.handle.request('open', { driver: w.driver, uri: cluster.uri, user: USER, password: PASSWORD, database: settings.database }, 30_000)
    }
    for (const w of workers) await w.handle.request('start', { callers: settings.callers, ratePerSecond: settings.ratePerSecond }, 10_000)
    log(`churn started: ${options.drivers.join(' + ')}, ${settings.callers} callers, ${settings.ratePerSecond} ops/s each; warm-up ${settings.warmupMs / 1000} s`)
    await sleep(settings.warmupMs)
    const t0 = epochNow()

    // Baseline: the largest counts over the first seconds of minute 1, then live heap and RSS after a GC.
    const baselineSamples = new Map<SoakDriver, SoakSample[]>(workers.map((w) => [w.driver, []]))
    for (let t = SAMPLE_EVERY_MS; t <= BASELINE_MS; t += SAMPLE_EVERY_MS) {
      await sleep(t0 + t - epochNow())
      for (const w of workers) baselineSamples.get(w.driver)?.push(await w.sample())
    }
    for (const w of workers) {
      const samples = baselineSamples.get(w.driver) ?? []
      const collected = await w.sample(true)
      w.baseline = {
        sockets: Math.max(...samples.map((s) => s.sockets)),
        handles: Math.max(...samples.map((s) => s.handles)),
        timers: Math.max(...samples.map((s) => s.timers)),
        heapUsed: collected.heapUsed,
        rss: collected.rss
      }
      log(`baseline ${w.driver}: ${w.baseline.sockets} sockets, ${w.baseline.handles} handles, ${w.baseline.timers} timers, heap ${(collected.heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(collected.rss / 2 ** 20).toFixed(1)} MiB`)
    }

    for (let minute = 1; minute <= settings.minutes; minute++) {
      const start = t0 + (minute - 1) * MINUTE_MS
      const end = start + MINUTE_MS
      const records = new Map<SoakDriver, MinuteRecord>(workers.map((w) => [w.driver, { minute, samples: baselineSamplesOf(minute, w.driver, baselineSamples), end: null as unknown as SoakSample }]))
      // Samples every second in the background for the whole minute.
      let sampling = true
      const sampler = (async () => {
        for (let t = start + (minute === 1 ? BASELINE_MS : 0) + SAMPLE_EVERY_MS; sampling && t < end - 500; t += SAMPLE_EVERY_MS) {
          await sleep(t - epochNow())
          if (!sampling) break
          for (const w of workers) {
            try { records.get(w.driver)?.samples.push(await w.sample()) } catch (error) { problems.push(`minute ${minute} sample ${w.driver}: ${(error as Error).message}`) }
          }
        }
      })()
      const { leaderStopAtMs, blackholeAtMs } = settings.schedule
      await sleep(start + leaderStopAtMs - epochNow())
      faults.push(await injectFault(cluster, workers, settings, minute, 'leader stop', start + blackholeAtMs - 1000, log, problems))
      await sleep(start + blackholeAtMs - epochNow())
      faults.push(await injectFault(cluster, workers, settings, minute, 'black hole', end - 1000, log, problems))
      sampling = false
      await sampler
      await sleep(end - epochNow())
      for (const w of workers) {
        const record = records.get(w.driver) as MinuteRecord
        record.end = await w.sample(true)
        w.minutes.push(record)
        const e = record.end
        log(`minute ${minute} ${w.driver}: ${e.ok} ok, ${e.failed} failed; RSS ${(e.rss / 2 ** 20).toFixed(1)} MiB, heap ${(e.heapUsed / 2 ** 20).toFixed(1)} MiB; ` +
          `${e.sockets} sockets, ${e.handles} handles, ${e.timers} timers`)
      }
    }

    for (const w of workers) {
      const drained = await w.handle.request<boolean>('stop', { timeoutMs: 35_000 }, 45_000)
      const stopped = await w.sample(true)
      await w.handle.request('close', null, 30_000)
      // Sockets close asynchronously after close() resolves: give them a bounded moment.
      let closed = await w.sample(true)
      for (let i = 0; i < 20 && (closed.sockets > 0 || closed.timers > 0); i++) {
        await sleep(250)
        closed = await w.sample(true)
      }
      results.push({ driver: w.driver, label: LABELS[w.driver], baseline: w.baseline, minutes: w.minutes, stopped, closed, drained })
      if (!drained) problems.push(`${w.driver}: operations still running 35 s after the churn was told to stop`)
    }
  } finally {
    await Promise.all(workers.map(async (w) => { await w.handle.exit(10_000) }))
    await cluster.close()
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: options.command ?? 'runSoak',
    machine,
    settings,
    cluster: { ...CLUSTER, serverSideRouting: true },
    drivers: results,
    faults,
    problems
  }
}

function baselineSamplesOf (minute: number, driver: SoakDriver, baseline: Map<SoakDriver, SoakSample[]>): SoakSample[] {
  return minute === 1 ? [...(baseline.get(driver) ?? [])] : []
}

/**
 * Injects one fault on the current leader, holds it, heals it, then watches
 * every worker until it is back within its baseline allowance with writes
 * flowing, or until `deadline` (the next fault, or the minute's end).
 */
async function injectFault (cluster: ClusterHandle, workers: DriverWorker[], settings: SoakSettings, minute: number, kind: FaultKind,
  deadline: number, log: (line: string) => void, problems: string[]): Promise<FaultRecord> {
  const member = await cluster.leader(settings.database, 20_000)
  const before = new Map(await Promise.all(workers.map(async (w) => [w.driver, await w.sample()] as const)))
  const peaks = new Map(workers.map((w) => [w.driver, { sockets: 0, handles: 0, timers: 0 }]))
  // Back means: no more than before this fault (or than the baseline, if the pool had shrunk meanwhile), plus the allowance.
  const referenceOf = (w: DriverWorker): Counts => {
    const b = before.get(w.driver) as SoakSample
    return { sockets: Math.max(b.sockets, w.baseline.sockets), handles: Math.max(b.handles, w.baseline.handles), timers: Math.max(b.timers, w.baseline.timers) }
  }
  const last = new Map<SoakDriver, SoakSample>(before)
  const watch = async (): Promise<void> => {
    for (const w of workers) {
      const s = await w.sample()
      last.set(w.driver, s)
      const p = peaks.get(w.driver) as { sockets: number, handles: number, timers: number }
      p.sockets = Math.max(p.sockets, s.sockets)
      p.handles = Math.max(p.handles, s.handles)
      p.timers = Math.max(p.timers, s.timers)
    }
  }
  const at = epochNow()
  if (kind === 'leader stop') await cluster.stop(member)
  else await cluster.blackhole(member)
  while (epochNow() < at + settings.schedule.holdMs) {
    await watch()
    await sleep(Math.min(FAULT_POLL_MS, at + settings.schedule.holdMs - epochNow()))
  }
  if (kind === 'leader stop') await cluster.start(member)
  else await cluster.heal(member)
  const healedAt = epochNow()
  const settledAt = new Map<SoakDriver, number>()
  const pauses = new Map<SoakDriver, number | null>()
  while (settledAt.size < workers.length && epochNow() < deadline) {
    await watch()
    for (const w of workers) {
      if (settledAt.has(w.driver)) continue
      const s = last.get(w.driver) as SoakSample
      if (!pauses.has(w.driver) || pauses.get(w.driver) === null) {
        const first = await w.firstWriteAfter(at)
        pauses.set(w.driver, first === null ? null : first - at)
      }
      if (pauses.get(w.driver) !== null && within(s, referenceOf(w), settings.slack)) settledAt.set(w.driver, s.at)
    }
    if (settledAt.size < workers.length) await sleep(Math.min(FAULT_POLL_MS, deadline - epochNow()))
  }
  const record: FaultRecord = { minute, kind, member, at, healedAt, by: {} }
  for (const w of workers) {
    const settled = settledAt.get(w.driver)
    if (!pauses.has(w.driver)) {
      const first = await w.firstWriteAfter(at)
      pauses.set(w.driver, first === null ? null : first - at)
    }
    record.by[w.driver] = {
      before: before.get(w.driver) as SoakSample,
      reference: referenceOf(w),
      peak: peaks.get(w.driver) as { sockets: number, handles: number, timers: number },
      writePauseMs: pauses.get(w.driver) ?? null,
      settledAfterMs: settled === undefined ? null : Math.max(0, settled - healedAt),
      settled: last.get(w.driver) as SoakSample
    }
    const e = record.by[w.driver]
    log(`  minute ${minute} ${kind} ${member} → ${w.driver}: writes back after ${e?.writePauseMs === null ? 'NONE' : `${Math.round(e?.writePauseMs ?? 0)} ms`}, ` +
      `peak ${e?.peak.sockets} sockets, ${e?.settledAfterMs === null ? `NOT back within reference + allowance (last ${e?.settled.sockets}/${e?.settled.handles}/${e?.settled.timers})` : `settled ${Math.round(e?.settledAfterMs ?? 0)} ms after the heal`}`)
    if (e?.writePauseMs === null) problems.push(`minute ${minute} ${kind}: no write by ${w.driver} acknowledged after the fault before the next one`)
  }
  return record
}

function machineSummary (): Record<string, unknown> {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    loadAverageStart: Math.round(os.loadavg()[0] * 100) / 100
  }
}
