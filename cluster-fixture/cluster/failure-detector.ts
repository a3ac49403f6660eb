// One member's failure detector: when it last heard from each other member.
// Anything delivered to it counts (Raft traffic of any database, discovery
// heartbeats), as in Neo4j's discovery service, where a member that stops
// being heard from is marked unreachable and drops out of routing tables.
// It knows nothing of the controls: a stopped, black-holed or partitioned
// member simply falls silent, and leaves this member's view once `windowMs`
// have passed without a word from it.

export class FailureDetector {
  private readonly lastHeard = new Map<string, number>()

  constructor (
    /** The member that owns this detector: it always counts itself as reachable. */
    readonly self: string,
    readonly windowMs: number,
    private readonly now: () => number
  ) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`failure detection window must be positive, got ${windowMs}`)
  }

  /** Something arrived from `member` just now. */
  heard (member: string): void {
    this.lastHeard.set(member, this.now())
  }

  /** Heard from within the window (or this member itself). */
  isReachable (member: string): boolean {
    if (member === this.self) return true
    const at = this.lastHeard.get(member)
    return at !== undefined && this.now() - at <= this.windowMs
  }

  /** Milliseconds since `member` was last heard from; undefined if never. */
  silenceOf (member: string): number | undefined {
    const at = this.lastHeard.get(member)
    return at === undefined ? undefined : this.now() - at
  }
}
