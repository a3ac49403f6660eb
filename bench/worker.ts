// Child process that runs one contender's side of the workloads (the runner
// starts one per contender and workload, so neither driver's code, garbage or
// CPU time lands in the other's figures). Requests, in the order the runner
// sends them:
//
//   open {contender, setup}     opens the client (a fresh driver per trial)
//   warmup {op, concurrency, durationMs}
//   measure {…same}           → ThroughputSample
//   profile {…same, intervalUs, file} → ProfileSample  (the loop under the V8 CPU profiler and GCProfiler; writes file)
//     (warmup, profile and allocations also take {streamRows, durationMs}: one caller streaming, an operation per 1,000 rows)
//   allocations {…same, samplingIntervalBytes} → AllocationSample  (the loop under the V8 heap sampler)
//   round-trips {op, concurrency: 1, durationMs} → RoundTrips  (one caller, its socket traffic timestamped)
//   stream {rows}             → StreamSample
//   loop-start / await-acks {count, timeoutMs} / await-recovery {…} / loop-stop {timeoutMs}
//   close                       closes the client
//   exit

import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { GCProfiler } from 'node:v8'
import { summarizeGc, type GcStatistic } from './gc-analysis.js'
import { WriteLoop } from './failover.js'
import { serve } from './ipc.js'
import { closedLoop, sampleMemory, streamLoop } from './measure.js'
import { openContender, type Contender } from './contenders/index.js'
import type { AllocationRequest, AllocationSample, LoopRequest, OpenRequest, ProfileRequest, ProfileSample, RecoveryRequest, RecoverySample, RoundTripRequest, StreamSample, ThroughputSample } from './protocol.js'
import { analyseRoundTrips, recordWire, type RoundTrips } from './round-trips.js'

let contender: Contender | null = null
let writeLoop: WriteLoop | null = null

function current (): Contender {
  if (contender === null) throw new Error('no client is open')
  return contender
}

/** A full collection when the runner started us with --expose-gc, so heap figures start from live data only. */
function collectGarbage (): void {
  (globalThis as { gc?: () => void }).gc?.()
}

const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024

async function loop (request: LoopRequest): ReturnType<typeof closedLoop> {
  const client = current()
  if ('streamRows' in request) return await streamLoop(async (rows) => await client.stream(rows), request.streamRows, request.durationMs)
  return await closedLoop({
    concurrency: request.concurrency,
    durationMs: request.durationMs,
    // At least one operation per caller, so a slow machine still yields a figure.
    minOps: request.concurrency,
    op: async (worker, seq) => { await client.op(request.op, worker, seq) }
  })
}

serve({
  open: async ({ contender: id, setup }: OpenRequest) => {
    if (contender !== null) throw new Error('a client is already open')
    contender = await openContender(id, setup)
    return null
  },
  warmup: async (request: LoopRequest) => {
    const result = await loop(request)
    return { ops: result.ops, errors: result.errors, firstError: result.firstError }
  },
  measure: async (request: LoopRequest): Promise<ThroughputSample> => {
    collectGarbage()
    const memory = sampleMemory(25)
    const result = await loop(request)
    const peaks = memory.stop()
    return {
      ops: result.ops,
      opsTotal: result.opsTotal,
      errors: result.errors,
      elapsedMs: result.elapsedMs,
      cpuMicros: result.cpuMicros,
      peakHeapBytes: peaks.peakHeapBytes,
      maxRssBytes: maxRssBytes(),
      firstError: result.firstError,
      drained: result.drained
    }
  },
  profile: async (request: ProfileRequest): Promise<ProfileSample> => {
    // The profiler runs around the window only: no start-up, module loading or warm-up in the profile.
    collectGarbage()
    const session = new Session()
    session.connect()
    try {
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: request.intervalUs })
      await session.post('Profiler.start')
      const gcProfiler = new GCProfiler()
      gcProfiler.start()
      const result = await loop(request)
      const gc = summarizeGc((gcProfiler.stop()?.statistics ?? []) as GcStatistic[])
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(request.file, JSON.stringify(profile))
      return { ops: result.ops, errors: result.errors, elapsedMs: result.elapsedMs, cpuMicros: result.cpuMicros, firstError: result.firstError, gc }
    } finally {
      session.disconnect()
    }
  },
  allocations: async (request: AllocationRequest): Promise<AllocationSample> => {
    // Every byte allocated in the window, reclaimed or not: what the collector pays for per operation.
    const session = new Session()
    session.connect()
    try {
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: request.samplingIntervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true
      })
      const result = await loop(request)
      const { profile } = await session.post('HeapProfiler.stopSampling')
      return { ops: result.ops, errors: result.errors, profile }
    } finally {
      session.disconnect()
    }
  },
  'round-trips': async (request: RoundTripRequest): Promise<RoundTrips> => {
    const { value: result, events } = await recordWire(async () => await loop(request))
    return analyseRoundTrips(events, result.ops, result.elapsedMs)
  },
  stream: async ({ rows }: { rows: number }): Promise<StreamSample> => {
    const client = current()
    collectGarbage()
    const baselineHeapBytes = process.memoryUsage().heapUsed
    const memory = sampleMemory(5)
    const cpuStart = process.cpuUsage()
    const started = performance.now()
    let received = 0
    let error: string | null = null
    try {
      received = await client.stream(rows)
      if (received !== rows) error = `expected ${rows} rows, got ${received}`
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure)
    }
    const elapsedMs = performance.now() - started
    const cpu = process.cpuUsage(cpuStart)
    const peaks = memory.stop()
    return {
      rows: received,
      elapsedMs,
      cpuMicros: cpu.user + cpu.system,
      baselineHeapBytes,
      peakHeapBytes: peaks.peakHeapBytes,
      maxRssBytes: maxRssBytes(),
      error
    }
  },
  'loop-start': async () => {
    const client = current()
    if (writeLoop !== null) throw new Error('the write loop is already running')
    writeLoop = new WriteLoop(async (seq) => await client.write(0, seq))
    writeLoop.start()
    return null
  },
  'await-acks': async ({ count, timeoutMs }: { count: number, timeoutMs: number }) => {
    if (writeLoop === null) throw new Error('the write loop is not running')
    return await writeLoop.waitForAcks(count, timeoutMs)
  },
  'await-recovery': async ({ stoppedAt, stoppedAddress, timeoutMs }: RecoveryRequest): Promise<RecoverySample> => {
    if (writeLoop === null) throw new Error('the write loop is not running')
    return await writeLoop.recovery(stoppedAt, stoppedAddress, timeoutMs)
  },
  'loop-stop': async ({ timeoutMs }: { timeoutMs: number }) => {
    const stopped = await writeLoop?.stop(timeoutMs) ?? true
    writeLoop = null
    return stopped
  },
  close: async () => {
    const client = contender
    contender = null
    await client?.close()
    return null
  }
}, async () => {
  await writeLoop?.stop(5_000)
  await contender?.close()
})
