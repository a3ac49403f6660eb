// Failover, worker side: a write loop (one caller, executeWrite MERGE back to
// back) that records when each write was acknowledged and by which server.
// The fixture host records when it stopped the leader; the failover time is
// from that instant to the first write acknowledged by another server —
// i.e. by the new leader (only a leader acknowledges writes). Acks from the
// old leader right after the stop were answers already on their way.

import { boundedWait, epochNow } from './measure.js'

export interface Ack {
  /** epochNow() when the write resolved. */
  at: number
  /** Address of the server that acknowledged it. */
  server: string
}

/** The first acknowledgement after `stoppedAt` from a server other than `stoppedAddress`, or null. */
export function firstRecovery (acks: readonly Ack[], stoppedAt: number, stoppedAddress: string): Ack | null {
  for (const ack of acks) {
    if (ack.at > stoppedAt && ack.server !== stoppedAddress) return ack
  }
  return null
}

export interface Recovery {
  /** null: no other server acknowledged a write within the bound. */
  failoverMs: number | null
  /** Writes that failed (after the driver's own retries) between the stop and the recovery. */
  errorsAfterStop: number
  /** The first of those failures' messages. */
  firstErrorAfterStop: string | null
}

/** Acks kept at most; a failover cycle needs a few seconds' worth. */
const MAX_ACKS = 100_000

export class WriteLoop {
  private acks: Ack[] = []
  private failures: Array<{ at: number, message: string }> = []
  private running: Promise<void> | null = null
  private stopping = false
  private wake: (() => void) | null = null

  constructor (private readonly write: (seq: number) => Promise<string>) {}

  get ackCount (): number {
    return this.acks.length
  }

  start (): void {
    if (this.running !== null) return
    this.acks = []
    this.failures = []
    this.stopping = false
    this.running = this.loop()
  }

  /** Waits (at most `timeoutMs`) until `count` writes have been acknowledged since start. */
  async waitForAcks (count: number, timeoutMs: number): Promise<boolean> {
    return await this.waitUntil(() => this.acks.length >= count, timeoutMs)
  }

  /** Waits (at most `timeoutMs`) for the first write acknowledged by another server after the stop. */
  async recovery (stoppedAt: number, stoppedAddress: string, timeoutMs: number): Promise<Recovery> {
    let found: Ack | null = null
    await this.waitUntil(() => (found = firstRecovery(this.acks, stoppedAt, stoppedAddress)) !== null, timeoutMs)
    const until = (found as Ack | null)?.at ?? Infinity
    const failed = this.failures.filter((f) => f.at > stoppedAt && f.at <= until)
    return { failoverMs: found === null ? null : until - stoppedAt, errorsAfterStop: failed.length, firstErrorAfterStop: failed[0]?.message ?? null }
  }

  /** Stops the loop; resolves false if the write in flight did not finish within `timeoutMs`. */
  async stop (timeoutMs: number): Promise<boolean> {
    if (this.running === null) return true
    this.stopping = true
    const finished = await boundedWait(this.running, timeoutMs)
    this.running = null
    return finished
  }

  private async loop (): Promise<void> {
    for (let seq = 0; !this.stopping; seq++) {
      try {
        const server = await this.write(seq)
        if (this.acks.length < MAX_ACKS) this.acks.push({ at: epochNow(), server })
      } catch (error) {
        const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)
        this.failures.push({ at: epochNow(), message })
        // A driver gives up only after its retry budget: no need to hurry the next attempt.
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      this.notify()
    }
  }

  private notify (): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }

  private async waitUntil (condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100))
        this.wake = () => { clearTimeout(timer); resolve() }
      })
    }
    return true
  }
}
