// An in-process network for Raft members. Delivery is always asynchronous (a
// scheduler turn later, never re-entrant), and a link can be cut three ways:
//   - isolation of a member (stop, blackhole, partition-from-everyone): silent both ways;
//   - partitions: members in different partition groups cannot talk;
//   - faults for tests: random delay (which also reorders) and random loss.
// A message is checked when sent and again when delivered, so cutting a link
// also loses what was in flight on it. Observers see every delivery (the
// members' failure detectors: hearing anything from a member proves it is up).

import type { Scheduler } from './scheduler.js'
import { randomBetween, type RandomSource } from './random.js'

export interface Transport<M> {
  /**
   * Queues `message` for `to`. Returns false when the link is known to be down
   * at send time (the message never left this member); true otherwise, even if
   * it is later lost.
   */
  send: (to: string, message: M) => boolean
}

export type MessageHandler<M> = (from: string, message: M) => void

/** Told of every delivered message (any group): the members' failure detectors listen here. */
export type DeliveryObserver = (from: string, to: string, group: string) => void

export interface NetworkFaults {
  /** Delivery delay drawn uniformly from [min, max] ms (default [0, 0]). */
  delayMs?: readonly [number, number]
  /** Probability in [0, 1] that a sent message is silently lost (default 0). */
  dropRate?: number
}

interface Delivery { group: string, from: string, to: string, message: unknown }

export class InProcessNetwork {
  private readonly handlers = new Map<string, MessageHandler<unknown>>()
  private readonly observers = new Set<DeliveryObserver>()
  /** member → reasons it is isolated (e.g. 'stopped', 'blackhole', 'partition'). */
  private readonly isolation = new Map<string, Set<string>>()
  /** member → partition group number; members absent from the map are all in group 0. */
  private partitionOf = new Map<string, number>()
  private faults: Required<NetworkFaults> = { delayMs: [0, 0], dropRate: 0 }
  private sentCount = 0
  private deliveredCount = 0
  /**
   * Messages without a fault delay, delivered together by one zero-delay
   * scheduler callback: a committed write is ~16 messages, and one timer (an
   * immediate, a closure, a map entry) per message was measurable CPU.
   */
  private dueNow: Delivery[] = []
  private dueNowScheduled = false

  constructor (private readonly scheduler: Scheduler, private readonly random: RandomSource = Math.random) {}

  /** Connects `member`'s endpoint for Raft group `group` (one group per database). */
  attach<M> (group: string, member: string, handler: MessageHandler<M>): Transport<M> {
    this.handlers.set(key(group, member), handler as MessageHandler<unknown>)
    return {
      send: (to, message) => this.send(group, member, to, message)
    }
  }

  /** Calls `observer` after each delivery; returns the function that stops it. */
  observeDeliveries (observer: DeliveryObserver): () => void {
    this.observers.add(observer)
    return () => this.observers.delete(observer)
  }

  detach (group: string, member: string): void {
    this.handlers.delete(key(group, member))
  }

  /** Isolates (or un-isolates) a member for one reason; it stays isolated while any reason remains. */
  setIsolated (member: string, reason: string, isolated: boolean): void {
    const reasons = this.isolation.get(member) ?? new Set<string>()
    if (isolated) reasons.add(reason)
    else reasons.delete(reason)
    if (reasons.size === 0) this.isolation.delete(member)
    else this.isolation.set(member, reasons)
  }

  isIsolated (member: string): boolean {
    return this.isolation.has(member)
  }

  /** Splits members into groups that cannot reach each other; members not listed form one more group. `null` heals. */
  setPartitions (groups: ReadonlyArray<readonly string[]> | null): void {
    this.partitionOf = new Map()
    groups?.forEach((members, i) => { for (const member of members) this.partitionOf.set(member, i + 1) })
  }

  setFaults (faults: NetworkFaults): void {
    this.faults = { delayMs: faults.delayMs ?? [0, 0], dropRate: faults.dropRate ?? 0 }
  }

  canReach (from: string, to: string): boolean {
    if (from === to) return true
    if (this.isolation.has(from) || this.isolation.has(to)) return false
    return (this.partitionOf.get(from) ?? 0) === (this.partitionOf.get(to) ?? 0)
  }

  get stats (): { sent: number, delivered: number } {
    return { sent: this.sentCount, delivered: this.deliveredCount }
  }

  private send (group: string, from: string, to: string, message: unknown): boolean {
    if (!this.canReach(from, to)) return false
    this.sentCount++
    if (this.faults.dropRate > 0 && this.random() < this.faults.dropRate) return true
    const [min, max] = this.faults.delayMs
    const delay = max > 0 ? randomBetween(this.random, min, max) : 0
    const delivery: Delivery = { group, from, to, message }
    if (delay > 0) {
      this.scheduler.setTimeout(() => this.deliver(delivery), delay)
      return true
    }
    this.dueNow.push(delivery)
    if (!this.dueNowScheduled) {
      this.dueNowScheduled = true
      this.scheduler.setTimeout(() => this.deliverDueNow(), 0)
    }
    return true
  }

  /**
   * Delivers, in send order, what was due when this turn began; messages sent
   * meanwhile go in the next turn (as they would with one timer each), so a
   * busy exchange never starves the member's sockets.
   */
  private deliverDueNow (): void {
    const batch = this.dueNow
    this.dueNow = []
    this.dueNowScheduled = false
    let next = 0
    try {
      while (next < batch.length) this.deliver(batch[next++])
    } finally {
      // A handler that threw (a safety check) must not lose the messages behind it.
      if (next < batch.length) {
        this.dueNow = batch.slice(next).concat(this.dueNow)
        if (!this.dueNowScheduled) {
          this.dueNowScheduled = true
          this.scheduler.setTimeout(() => this.deliverDueNow(), 0)
        }
      }
    }
  }

  private deliver ({ group, from, to, message }: Delivery): void {
    const handler = this.handlers.get(key(group, to))
    if (handler === undefined || !this.canReach(from, to)) return
    this.deliveredCount++
    for (const observer of this.observers) observer(from, to, group)
    handler(from, message)
  }
}

function key (group: string, member: string): string {
  return `${group}\u0000${member}`
}
