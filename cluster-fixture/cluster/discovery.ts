// Discovery heartbeats: every running member pings every other member each
// heartbeat, over the same in-process network as Raft. Raft alone is not
// enough for failure detection, because followers only ever talk to their
// leader; Neo4j's discovery service likewise has its own heartbeats between
// all members. A member that (re)starts sends a "join" ping that is answered
// at once, so its view fills within a network turn instead of a heartbeat.

import type { InProcessNetwork, Scheduler, TimerHandle, Transport } from '../raft/index.js'

/** The network group discovery uses; database groups are always `name#incarnation`. */
export const DISCOVERY_GROUP = 'discovery'

interface Ping { join: boolean }

export class DiscoveryHeartbeat {
  private readonly transport: Transport<Ping>
  private timer: TimerHandle | null = null
  private running = false

  constructor (
    private readonly member: string,
    private readonly peers: readonly string[],
    network: InProcessNetwork,
    private readonly scheduler: Scheduler,
    private readonly periodMs: number
  ) {
    this.transport = network.attach<Ping>(DISCOVERY_GROUP, member, (from, ping) => {
      if (this.running && ping.join) this.transport.send(from, { join: false })
    })
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.pingAll(true)
  }

  stop (): void {
    this.running = false
    this.scheduler.clearTimeout(this.timer)
    this.timer = null
  }

  private pingAll (join: boolean): void {
    for (const peer of this.peers) if (peer !== this.member) this.transport.send(peer, { join })
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null
      if (this.running) this.pingAll(false)
    }, this.periodMs)
  }
}
