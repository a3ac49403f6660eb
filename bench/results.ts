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
  /** Whether the stopped member was the seed router (the member the driver URI names). */
  stoppedSeed: boolean
  /** null: no write succeeded on a new leader within `boundMs`. */
  failoverMs: number | null
  /** When the fixture had a new leader ready for writes, ms after the stop: the floor of failoverMs (null: unknown). */
  electionMs: number | null
  /** How long the run waited for a recovery. */
  boundMs: number
  errorsAfterStop: number
  /** The first failed write's error between the stop and the recovery. */
  firstError: string | null
}

export interface BenchResults {
  startedAt: string
  finishedAt: string
  /** 1-minute load average when the run ended (with machine.loadAverage: how busy the machine was). */
  loadAverageEnd: number
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
