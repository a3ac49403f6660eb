// The requests the runner sends its children, and what they answer: the
// fixture host (fixture-host.ts) and the workers (worker.ts).

import type { ContenderId, ContenderSetup } from './contenders/contender.js'
import type { GcSummary } from './gc-analysis.js'
import type { OpKind } from './workloads.js'

/** Fixture settings a run uses; recorded in the report so a figure can be reproduced. */
export interface FixtureSettings {
  primaries: number
  secondaries: number
  routingTtlSeconds: number
  electionTimeoutMs: [number, number]
  heartbeatMs: number
  secondaryLagMs: number
  seed: number
  /**
   * The fixture's serverSideRouting (default on, as Neo4j 5): members advertise `ssr.enabled`,
   * which lets the official driver cache the home database instead of sending a ROUTE per session.
   */
  serverSideRouting: boolean
}

export interface HostStatus {
  uri: string
  user: string
  password: string
  members: Array<{ name: string, address: string, mode: string, state: string }>
  /** Leader of the `neo4j` database, when one is ready for writes. */
  leader: { name: string, address: string } | null
}

export interface LeaderStop {
  name: string
  address: string
  /** epochNow() just before the stop began. */
  stoppedAt: number
}

/** Requests messages received, by type, summed over every member since the cluster started. */
export type MessageCounts = Record<string, number>

// --- worker ------------------------------------------------------------------

export interface OpenRequest { contender: ContenderId, setup: ContenderSetup }
/** A closed loop of one operation kind, or (profile mode's streaming) one caller streaming a query of `streamRows` rows, an operation per 1,000 rows (measure.ts streamLoop). */
export type ThroughputLoop = { op: OpKind, concurrency: number }
export type LoopShape = ThroughputLoop | { streamRows: number }
export type LoopRequest = LoopShape & { durationMs: number }

export type ProfileRequest = LoopRequest & {
  /** V8 sampling interval, µs. */
  intervalUs: number
  /** Where the worker writes the .cpuprofile (absolute path). */
  file: string
}

export interface ProfileSample {
  ops: number
  errors: number
  elapsedMs: number
  cpuMicros: number
  firstError: string | null
  /** Garbage collections during the window (node:v8 GCProfiler). */
  gc: GcSummary
}

export type AllocationRequest = LoopRequest & {
  /** The heap sampler's mean interval between samples, bytes. */
  samplingIntervalBytes: number
}

export interface AllocationSample {
  ops: number
  errors: number
  /** HeapProfiler.stopSampling's profile (a SamplingHeapProfile; allocation-analysis.ts reads it). */
  profile: unknown
}

export interface ThroughputSample {
  ops: number
  opsTotal: number
  errors: number
  elapsedMs: number
  cpuMicros: number
  peakHeapBytes: number
  /** Lifetime peak RSS of the worker process (one process per contender and workload). */
  maxRssBytes: number
  firstError: string | null
  drained: boolean
}

export interface StreamSample {
  rows: number
  elapsedMs: number
  cpuMicros: number
  /** heapUsed after a full GC just before the query. */
  baselineHeapBytes: number
  peakHeapBytes: number
  maxRssBytes: number
  error: string | null
}

export interface RecoveryRequest { stoppedAt: number, stoppedAddress: string, timeoutMs: number }
export interface RecoverySample { failoverMs: number | null, errorsAfterStop: number, firstErrorAfterStop: string | null }

/** One caller's loop with its socket traffic timestamped (round-trips.ts). */
export type RoundTripRequest = ThroughputLoop & { concurrency: 1, durationMs: number }
