// The chaos scenarios: what each does to the cluster while the workload
// runs. A scenario only injects faults and heals them (marking both on the
// timeline); the harness runs the workload around it and verifies afterwards.
// Every wait is bounded; `quick` shortens the holds for CI.

import official from 'neo4j-driver'
import type { ClusterOptions } from '../../cluster-fixture/index.js'
import { PASSWORD, USER } from './adapters.js'
import type { ClusterHandle } from './cluster-client.js'
import type { Mark } from './analysis.js'
import type { WorkloadPlan } from './workload.js'

export interface ScenarioContext {
  readonly cluster: ClusterHandle
  readonly database: string
  readonly quick: boolean
  /** The retry budget (maxTransactionRetryTime) both drivers run with. */
  readonly budgetMs: number
  mark: (kind: Mark['kind'], label: string) => void
  sleep: (ms: number) => Promise<void>
  /** Deterministic per scenario run, for choices like lag values. */
  random: () => number
}

export interface Scenario {
  /** Stable key for --scenario and the JSON. */
  readonly key: string
  /** Scenario number ('9a', '9b' are the two halves of 9). */
  readonly number: string
  readonly title: string
  readonly cluster?: ClusterOptions
  /** Database the workload uses (default neo4j). */
  readonly database?: string
  /** maxTransactionRetryTime for both drivers (default 30 000, the official default). */
  readonly budgetMs?: (quick: boolean) => number
  /**
   * Both drivers on their default configuration: no connectionTimeout and no
   * retry budget set (the other scenarios set connectionTimeout 2000 ms), so
   * the figure is what an application that configures nothing gets.
   */
  readonly driverDefaults?: boolean
  /** Runs per driver in a full run (default: --repeat, 3); a goal stated as a median of N runs needs N. */
  readonly fullRepeat?: number
  readonly plan?: Partial<WorkloadPlan>
  /** Runs once the cluster is up, before any driver under test connects. */
  readonly prepare?: (cluster: ClusterHandle, database: string) => Promise<void>
  /** Injects the faults and heals them; resolves once the cluster has been told to heal. */
  readonly inject: (ctx: ScenarioContext) => Promise<void>
}

/** How long a fault is held (full run / quick). */
const hold = (ctx: ScenarioContext, fullMs: number, quickMs: number): number => ctx.quick ? quickMs : fullMs

const LEADER_WAIT_MS = 20_000
const SETTLE_MS = 20_000
const MOVE_BOUND_MS = 20_000

async function primaries (ctx: ScenarioContext): Promise<{ leader: string, followers: string[], secondaries: string[] }> {
  const leader = await ctx.cluster.leader(ctx.database, LEADER_WAIT_MS)
  const status = await ctx.cluster.databaseStatus(ctx.database)
  return {
    leader,
    followers: status.filter(c => c.role === 'primary' && c.member !== leader && c.state === 'online').map(c => c.member),
    secondaries: status.filter(c => c.role === 'secondary' && c.state === 'online').map(c => c.member)
  }
}

const leaderStop: Scenario = {
  key: 'leader-stop',
  number: '1',
  title: 'Leader hard stop, then restart',
  inject: async (ctx) => {
    const { leader } = await primaries(ctx)
    ctx.mark('fault', `stop ${leader} (leader)`)
    await ctx.cluster.stop(leader)
    await ctx.sleep(hold(ctx, 4000, 2500))
    ctx.mark('heal', `start ${leader}`)
    await ctx.cluster.start(leader)
  }
}

const leaderBlackhole: Scenario = {
  key: 'leader-blackhole',
  number: '2',
  title: 'Leader black-holed, then healed',
  inject: async (ctx) => {
    const { leader } = await primaries(ctx)
    ctx.mark('fault', `blackhole ${leader} (leader)`)
    await ctx.cluster.blackhole(leader)
    await ctx.sleep(hold(ctx, 5000, 3500))
    ctx.mark('heal', `heal ${leader}`)
    await ctx.cluster.heal(leader)
  }
}

/**
 * Scenario 2 on default configuration: the same black hole, held long enough
 * (15 s; quick 12 s) that a driver relying on its default connectionTimeout
 * (30 s in both drivers) cannot be rescued by the heal before its own
 * detection shows. The goal is a write pause ≤ 1.5 s, median of 5 runs.
 */
const leaderBlackholeDefaults: Scenario = {
  key: 'leader-blackhole-defaults',
  number: '2d',
  title: 'Leader black-holed, then healed — both drivers on default configuration',
  driverDefaults: true,
  fullRepeat: 5,
  inject: async (ctx) => {
    const { leader } = await primaries(ctx)
    ctx.mark('fault', `blackhole ${leader} (leader)`)
    await ctx.cluster.blackhole(leader)
    await ctx.sleep(hold(ctx, BLACKHOLE_DEFAULTS_HOLD_MS, 12_000))
    ctx.mark('heal', `heal ${leader}`)
    await ctx.cluster.heal(leader)
  }
}

/** How long scenario 2d holds the black hole in a full run. */
export const BLACKHOLE_DEFAULTS_HOLD_MS = 15_000
/** Scenario 2d's goal: the write pause on default configuration, median of its runs. */
export const BLACKHOLE_DEFAULTS_GOAL_MS = 1500

const leaderPartition: Scenario = {
  key: 'leader-partition',
  number: '3',
  title: 'Leader partitioned from the other primaries, still serving clients',
  inject: async (ctx) => {
    const { leader } = await primaries(ctx)
    ctx.mark('fault', `partition ${leader} (leader)`)
    await ctx.cluster.partition(leader)
    await ctx.sleep(hold(ctx, 5000, 3500))
    ctx.mark('heal', `heal ${leader}`)
    await ctx.cluster.heal(leader)
  }
}

const followerThenSecondary: Scenario = {
  key: 'follower-secondary-stop',
  number: '4',
  title: 'A follower, then a secondary, stopped',
  inject: async (ctx) => {
    const { followers, secondaries } = await primaries(ctx)
    for (const member of [followers[0], secondaries[0]]) {
      if (member === undefined) throw new Error('the cluster has no follower or no secondary to stop')
      ctx.mark('fault', `stop ${member} (${member === followers[0] ? 'follower' : 'secondary'})`)
      await ctx.cluster.stop(member)
      await ctx.sleep(hold(ctx, 3000, 2000))
      ctx.mark('heal', `start ${member}`)
      await ctx.cluster.start(member)
      await ctx.cluster.settle(ctx.database, SETTLE_MS)
      await ctx.sleep(500)
    }
  }
}

const rollingRestart: Scenario = {
  key: 'rolling-restart',
  number: '5',
  title: 'Rolling restart of every member, one at a time',
  inject: async (ctx) => {
    const { leader, followers, secondaries } = await primaries(ctx)
    // The order operators use: secondaries, then followers, the leader last.
    for (const member of [...secondaries, ...followers, leader]) {
      ctx.mark('fault', `stop ${member}${member === leader ? ' (leader)' : ''}`)
      await ctx.cluster.stop(member)
      await ctx.sleep(hold(ctx, 1500, 800))
      ctx.mark('heal', `start ${member}`)
      await ctx.cluster.start(member)
      // The next member goes down only once this one has caught up.
      await ctx.cluster.settle(ctx.database, SETTLE_MS)
      await ctx.sleep(300)
    }
  }
}

const laggingSecondaries: Scenario = {
  key: 'lagging-secondaries',
  number: '6',
  title: 'Secondaries lagging 0-1000 ms, with readers on them',
  plan: { readers: 3 },
  inject: async (ctx) => {
    const { secondaries } = await primaries(ctx)
    ctx.mark('fault', `lag ${secondaries.join(', ')} 0-1000 ms`)
    const until = Date.now() + hold(ctx, 8000, 4000)
    while (Date.now() < until) {
      for (const member of secondaries) await ctx.cluster.setLag(member, Math.round(ctx.random() * 1000))
      await ctx.sleep(500)
    }
    ctx.mark('heal', 'lag 0')
    for (const member of secondaries) await ctx.cluster.setLag(member, 0)
  }
}

const majorityDown: Scenario = {
  key: 'majority-down',
  number: '7',
  title: 'Majority of primaries down for longer than the retry budget, then back',
  budgetMs: (quick) => quick ? 2000 : 4000,
  inject: async (ctx) => {
    const { leader, followers } = await primaries(ctx)
    const down = [leader, followers[0] as string]
    ctx.mark('fault', `stop ${down.join(' + ')} (2 of 3 primaries)`)
    for (const member of down) await ctx.cluster.stop(member)
    await ctx.sleep(ctx.budgetMs + hold(ctx, 3000, 2000))
    ctx.mark('heal', `start ${down.join(' + ')}`)
    for (const member of down) await ctx.cluster.start(member)
  }
}

const REALLOCATION_DB = 'chaos'

const reallocation: Scenario = {
  key: 'reallocation',
  number: '8',
  title: 'Database re-allocation after a member stays down past the grace period',
  cluster: { primaries: 4, secondaries: 2, reallocationGraceMs: 1000 },
  database: REALLOCATION_DB,
  prepare: async (cluster, database) => {
    const d = official.driver(cluster.uri, official.auth.basic(USER, PASSWORD))
    try {
      await d.executeQuery(`CREATE DATABASE ${database} TOPOLOGY 3 PRIMARIES 1 SECONDARY`, {}, { database: 'system' })
    } finally {
      await d.close()
    }
    await cluster.leader(database, LEADER_WAIT_MS)
    await cluster.settle(database, SETTLE_MS)
  },
  inject: async (ctx) => {
    const before = await ctx.cluster.databaseStatus(ctx.database)
    const hosts = new Set(before.filter(c => c.state === 'online').map(c => c.member))
    const leader = await ctx.cluster.leader(ctx.database, LEADER_WAIT_MS)
    ctx.mark('fault', `stop ${leader} (leader of ${ctx.database}) past the grace period`)
    await ctx.cluster.stop(leader)
    const until = Date.now() + MOVE_BOUND_MS
    let moved: string | undefined
    while (moved === undefined && Date.now() < until) {
      const now = await ctx.cluster.databaseStatus(ctx.database)
      const newLeader = now.find(c => c.raftRole === 'leader' && c.memberState === 'running')
      const newcomer = now.find(c => !hosts.has(c.member) && c.role === 'primary' && c.state === 'online')
      if (newcomer !== undefined && newLeader !== undefined && newLeader.voters.includes(newcomer.member) && !newLeader.voters.includes(leader)) moved = newcomer.member
      else await ctx.sleep(50)
    }
    ctx.mark('note', moved !== undefined ? `primary copy moved to ${moved}` : `no move within ${MOVE_BOUND_MS} ms`)
    await ctx.sleep(hold(ctx, 2000, 1000))
    ctx.mark('heal', `start ${leader}`)
    await ctx.cluster.start(leader)
  }
}

async function dropCommits (ctx: ScenarioContext): Promise<void> {
  const rounds = ctx.quick ? 4 : 8
  for (let i = 0; i < rounds; i++) {
    const leader = await ctx.cluster.leader(ctx.database, LEADER_WAIT_MS)
    ctx.mark('fault', `drop the next COMMIT answer on ${leader}`)
    await ctx.cluster.armCommitDrop(leader, 1)
    await ctx.sleep(600)
  }
  ctx.mark('heal', 'no more drops')
  // Disarm what no commit consumed (e.g. the leader changed meanwhile).
  for (const [name] of ctx.cluster.addresses) await ctx.cluster.armCommitDrop(name, 0)
}

const commitDropCreate: Scenario = {
  key: 'commit-drop-create',
  number: '9a',
  title: 'Connection dropped between COMMIT and its answer: CREATE',
  plan: { createWriters: 3, mergeWriters: 0, oneLiners: 1, oneLinerStatement: 'create' },
  inject: dropCommits
}

const commitDropMerge: Scenario = {
  key: 'commit-drop-merge',
  number: '9b',
  title: 'Connection dropped between COMMIT and its answer: MERGE, idempotent',
  plan: { createWriters: 0, mergeWriters: 3, oneLiners: 1, oneLinerStatement: 'merge' },
  inject: dropCommits
}

export const SCENARIOS: readonly Scenario[] = [
  leaderStop, leaderBlackhole, leaderPartition, followerThenSecondary, rollingRestart,
  laggingSecondaries, majorityDown, reallocation, commitDropCreate, commitDropMerge
]

/**
 * Every scenario `npm run chaos` runs: SCENARIOS (also the CI subset that
 * `npm test` runs quick with our driver, for the invariants) plus the variants
 * that only produce figures: 2d, scenario 2 on default configuration (its
 * invariants are those of 2; its long hold would add ~20 s to every `npm test`).
 */
export const ALL_SCENARIOS: readonly Scenario[] = [
  ...SCENARIOS.slice(0, SCENARIOS.indexOf(leaderBlackhole) + 1),
  leaderBlackholeDefaults,
  ...SCENARIOS.slice(SCENARIOS.indexOf(leaderBlackhole) + 1)
]

export function scenarioByKey (key: string): Scenario {
  const found = ALL_SCENARIOS.find(s => s.key === key || s.number === key)
  if (found === undefined) throw new Error(`unknown scenario ${JSON.stringify(key)}; scenarios: ${ALL_SCENARIOS.map(s => `${s.number} ${s.key}`).join(', ')}`)
  return found
}
