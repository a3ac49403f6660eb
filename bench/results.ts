// The raw record of a bench run (written as JSON beside the markdown), from
// which every figure of the report is computed.

import type { BenchArgs } from './args.js'
import type { ContenderId } from './contenders/contender.js'
import type { MachineInfo } from './machine.js'
import type { FixtureSettings, MessageCounts, StreamSample, ThroughputSample } from './protocol.js'
import type { Workload } from './workloads.js'

export interface TrialRecord {
  workload: string
  round: number
  contender: ContenderId
  throughput?: ThroughputSample
  stream?: StreamSample
  /** Requests the fixture received during the measurement, by type (all members). */
  messages: MessageCounts
}

export interface FailoverRecord {
  stop: number
  contender: ContenderId
  stoppedMember: string
  /** null: no write succeeded on a new leader within the bound. */
  failoverMs: number | null
  errorsAfterStop: number
}

export interface BenchResults {
  startedAt: string
  finishedAt: string
  args: BenchArgs
  machine: MachineInfo
  fixture: FixtureSettings
  workloads: Workload[]
  /** Whether the failover workload was part of the run. */
  failover: boolean
  trials: TrialRecord[]
  failovers: FailoverRecord[]
  /** What went wrong (a trial that failed, a worker that died); an empty list means every figure is there. */
  problems: string[]
}
