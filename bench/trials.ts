// Running trials: the runner's side of each workload. One worker process per
// contender for the length of a workload; within it, one fresh client per
// trial; the fixture's request counters read just before and after each
// measurement. Failures are recorded as problems, never thrown past a trial,
// so one bad trial costs one figure, not the run.

import type { ContenderId, ContenderSetup } from './contenders/contender.js'
import { DRIVERS } from './contenders/contender.js'
import { ChildHandle } from './ipc.js'
import type { HostStatus, LeaderStop, LoopRequest, MessageCounts, RecoverySample, StreamSample, ThroughputSample } from './protocol.js'
import type { FailoverRecord, TrialRecord } from './results.js'
import { roundOrder, trialPlan } from './schedule.js'
import { combineStreamSamples } from './summary.js'
import type { Workload } from './workloads.js'

const WORKER = new URL('./worker.js', import.meta.url)
const OPEN_TIMEOUT_MS = 30_000
/** Beyond a trial's own length: drain of in-flight operations (30 s) plus slack. */
const TRIAL_SLACK_MS = 90_000
const STREAM_TIMEOUT_MS = 180_000
/** Queries per streaming trial: one 100 000-row query lasts ~0.3 s, short enough for one GC pause to swing it by a third. */
const STREAM_QUERIES_PER_TRIAL = 3
/**
 * How long a stop waits for a write on the new leader. Long enough for any
 * retry schedule that works (the official driver's backoff reaches 1+2+4 s);
 * a driver that has not recovered by then is recorded as not recovering
 * (counted as this bound in the median), so one stuck driver cannot stretch
 * the run past its 10 minutes.
 */
export const FAILOVER_BOUND_MS = 15_000

export interface TrialContext {
  host: ChildHandle
  setup: ContenderSetup
  rounds: number
  windowMs: number
  warmupMs: number
  /** Progress lines (stderr). */
  log: (line: string) => void
  problems: string[]
  /**
   * Quick mode keeps one worker per contender for the whole run (its figures
   * are not read, and spawning costs seconds on a loaded machine); a full run
   * gives every workload fresh workers, so peak RSS belongs to that workload.
   */
  sharedWorkers: Map<ContenderId, ChildHandle> | null
}

export function messageDelta (before: MessageCounts, after: MessageCounts): MessageCounts {
  const delta: MessageCounts = {}
  for (const [type, count] of Object.entries(after)) {
    const d = count - (before[type] ?? 0)
    if (d !== 0) delta[type] = d
  }
  return delta
}

export function spawnWorker (contender: ContenderId, label: string): ChildHandle {
  // --expose-gc: heap figures start from a collected heap.
  return ChildHandle.spawn(WORKER, `${contender} worker (${label})`, ['--expose-gc'])
}

export function spawnWorkers (contenders: readonly ContenderId[], label: string): Map<ContenderId, ChildHandle> {
  return new Map(contenders.map((c) => [c, spawnWorker(c, label)]))
}

export async function exitAll (workers: Map<ContenderId, ChildHandle>): Promise<void> {
  await Promise.all([...workers.values()].map(async (w) => { await w.exit() }))
}

/** Every round of one workload, contenders alternating; returns one record per successful trial. */
export async function runWorkload (workload: Workload, contenders: readonly ContenderId[], ctx: TrialContext): Promise<TrialRecord[]> {
  const records: TrialRecord[] = []
  const workers = ctx.sharedWorkers ?? spawnWorkers(contenders, workload.id)
  try {
    for (const { round, contender } of trialPlan([workload], contenders, ctx.rounds)) {
      let worker = workers.get(contender) as ChildHandle
      try {
        records.push(await runTrial(worker, workload, round, contender, ctx))
      } catch (error) {
        ctx.problems.push(`${workload.id} round ${round + 1} ${contender}: ${(error as Error).message}`)
        ctx.log(`  round ${round + 1} ${contender}: FAILED ${(error as Error).message}`)
        // A worker in an unknown state is replaced rather than trusted with the next trial.
        await worker.exit(5_000)
        worker = spawnWorker(contender, workload.id)
        workers.set(contender, worker)
      }
    }
  } finally {
    if (ctx.sharedWorkers === null) await exitAll(workers)
  }
  return records
}

async function runTrial (worker: ChildHandle, workload: Workload, round: number, contender: ContenderId, ctx: TrialContext): Promise<TrialRecord> {
  await worker.request('open', { contender, setup: ctx.setup }, OPEN_TIMEOUT_MS)
  try {
    if (workload.kind === 'throughput') {
      const loop = (durationMs: number): LoopRequest => ({ op: workload.op, concurrency: workload.concurrency, durationMs })
      await worker.request('warmup', loop(ctx.warmupMs), ctx.warmupMs + TRIAL_SLACK_MS)
      const before = await ctx.host.request<MessageCounts>('messages', null, 10_000)
      const sample = await worker.request<ThroughputSample>('measure', loop(ctx.windowMs), ctx.windowMs + TRIAL_SLACK_MS)
      const after = await ctx.host.request<MessageCounts>('messages', null, 10_000)
      const perSecond = sample.ops / (sample.elapsedMs / 1000)
      ctx.log(`  round ${round + 1} ${contender}: ${Math.round(perSecond)} ops/s, ${sample.errors} failed${sample.drained ? '' : ', NOT DRAINED'}`)
      if (!sample.drained) ctx.problems.push(`${workload.id} round ${round + 1} ${contender}: operations still running 30 s after the window`)
      return { workload: workload.id, round, contender, throughput: sample, messages: messageDelta(before, after) }
    }
    // Streaming: one small query first warms the connection, routing table and JIT.
    await worker.request<StreamSample>('stream', { rows: Math.min(1000, workload.rows) }, STREAM_TIMEOUT_MS)
    const before = await ctx.host.request<MessageCounts>('messages', null, 10_000)
    const queries: StreamSample[] = []
    for (let i = 0; i < STREAM_QUERIES_PER_TRIAL; i++) {
      const query = await worker.request<StreamSample>('stream', { rows: workload.rows }, STREAM_TIMEOUT_MS)
      queries.push(query)
      if (query.error !== null) break
    }
    const sample = combineStreamSamples(queries)
    const after = await ctx.host.request<MessageCounts>('messages', null, 10_000)
    ctx.log(`  round ${round + 1} ${contender}: ${Math.round(sample.rows / (sample.elapsedMs / 1000))} records/s, heap +${((sample.peakHeapBytes - sample.baselineHeapBytes) / 2 ** 20).toFixed(1)} MiB${sample.error === null ? '' : `, FAILED ${sample.error}`}`)
    return { workload: workload.id, round, contender, stream: sample, messages: messageDelta(before, after) }
  } finally {
    await worker.request('close', null, OPEN_TIMEOUT_MS)
  }
}

/**
 * Leader stops under a write loop, `stops` per driver, drivers alternating
 * stop by stop. Each driver keeps one driver instance across its stops, as
 * an application would.
 */
export async function runFailover (stops: number, ctx: TrialContext): Promise<FailoverRecord[]> {
  const records: FailoverRecord[] = []
  const workers = spawnWorkers(DRIVERS, 'failover')
  try {
    for (const [contender, worker] of workers) await worker.request('open', { contender, setup: ctx.setup }, OPEN_TIMEOUT_MS)
    for (let stop = 0; stop < stops; stop++) {
      for (const contender of roundOrder(stop, DRIVERS)) {
        const worker = workers.get(contender) as ChildHandle
        try {
          const record = await oneStop(worker, contender, stop, ctx)
          records.push(record)
          ctx.log(`  stop ${stop + 1} ${contender}: ${record.failoverMs === null ? `NO RECOVERY within ${record.boundMs} ms` : `${Math.round(record.failoverMs)} ms`} ` +
            `(${record.stoppedMember}${record.stoppedSeed ? ', the seed router' : ''}; new leader ready after ${record.electionMs === null ? '?' : Math.round(record.electionMs)} ms)` +
            (record.firstError === null ? '' : `; ${record.errorsAfterStop} write(s) failed, first: ${record.firstError}`))
        } catch (error) {
          ctx.problems.push(`failover stop ${stop + 1} ${contender}: ${(error as Error).message}`)
          ctx.log(`  stop ${stop + 1} ${contender}: FAILED ${(error as Error).message}`)
        }
      }
    }
    for (const worker of workers.values()) await worker.request('close', null, OPEN_TIMEOUT_MS).catch(() => undefined)
  } finally {
    await exitAll(workers)
  }
  return records
}

async function oneStop (worker: ChildHandle, contender: ContenderId, stop: number, ctx: TrialContext): Promise<FailoverRecord> {
  await ctx.host.request<HostStatus>('await-healthy', { timeoutMs: 30_000 }, 35_000)
  await worker.request('loop-start', null, 10_000)
  let stopped: LeaderStop | null = null
  try {
    // Writes flowing steadily first, so the stop lands on a warm driver.
    if (!await worker.request<boolean>('await-acks', { count: 20, timeoutMs: 20_000 }, 25_000)) throw new Error('writes did not flow before the stop')
    stopped = await ctx.host.request<LeaderStop>('stop-leader', null, 30_000)
    const recovery = await worker.request<RecoverySample>('await-recovery',
      { stoppedAt: stopped.stoppedAt, stoppedAddress: stopped.address, timeoutMs: FAILOVER_BOUND_MS }, FAILOVER_BOUND_MS + 10_000)
    const { electionMs } = await ctx.host.request<{ electionMs: number | null }>('election', null, 30_000)
    return {
      stop,
      contender,
      stoppedMember: stopped.name,
      stoppedSeed: ctx.setup.uri.endsWith(`//${stopped.address}`),
      failoverMs: recovery.failoverMs,
      electionMs,
      boundMs: FAILOVER_BOUND_MS,
      errorsAfterStop: recovery.errorsAfterStop,
      firstError: recovery.firstErrorAfterStop
    }
  } finally {
    // Restart first: a write still stuck on the stopped member (a driver that never recovered) can then finish.
    if (stopped !== null) await ctx.host.request('start-member', { name: stopped.name }, 30_000)
    await worker.request('loop-stop', { timeoutMs: 30_000 }, 35_000)
  }
}
