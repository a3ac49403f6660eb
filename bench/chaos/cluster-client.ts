// The harness's handle on a fixture cluster running in a child process
// (cluster-host.ts). Every call is bounded: a host that does not answer in
// time is reported, and close() kills the child if it does not exit by itself.

import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ClusterOptions, CopyStatus, HostileMode, MemberInfo } from '../../cluster-fixture/index.js'
import type { HostCallName, HostCalls, HostReply, HostRequest } from './cluster-protocol.js'

const HOST_SCRIPT = fileURLToPath(new URL('./cluster-host.js', import.meta.url))
const READY_TIMEOUT_MS = 15_000
const CALL_TIMEOUT_MS = 60_000
const EXIT_TIMEOUT_MS = 10_000

/** What a scenario may do to the cluster. Member names are server1, server2, … */
export interface ClusterHandle {
  readonly uri: string
  /** 'host:port' of each member, by name. */
  readonly addresses: ReadonlyMap<string, string>
  stop: (name: string) => Promise<void>
  start: (name: string) => Promise<void>
  blackhole: (name: string) => Promise<void>
  partition: (name: string) => Promise<void>
  heal: (name: string) => Promise<void>
  setLag: (name: string, ms: number) => Promise<void>
  armCommitDrop: (name: string, count: number) => Promise<void>
  setHostile: (name: string, mode: HostileMode | null) => Promise<void>
  leader: (database: string, timeoutMs?: number) => Promise<string>
  members: () => Promise<MemberInfo[]>
  databaseStatus: (database: string) => Promise<CopyStatus[]>
  settle: (database: string, timeoutMs: number) => Promise<{ settled: boolean, copies: CopyStatus[] }>
  close: () => Promise<void>
}

export interface ForkOptions {
  /** Extra environment for the child (e.g. DEBUG). */
  env?: NodeJS.ProcessEnv
  /** Receives the child's stdout and stderr (default: inherited). */
  output?: (chunk: string) => void
}

class HostConnection {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (error: Error) => void, timer: NodeJS.Timeout }>()
  private exited: Error | null = null

  constructor (readonly child: ChildProcess) {
    child.on('message', (reply: HostReply) => this.settle(reply))
    child.on('exit', (code, signal) => {
      this.exited = new Error(`the cluster host exited (code ${String(code)}, signal ${String(signal)})`)
      for (const [id, waiter] of this.pending) {
        clearTimeout(waiter.timer)
        waiter.reject(this.exited)
        this.pending.delete(id)
      }
    })
  }

  async call<K extends HostCallName>(call: K, ...args: HostCalls[K]['args']): Promise<HostCalls[K]['result']> {
    if (this.exited !== null) throw this.exited
    const id = this.nextId++
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`the cluster host did not answer ${call} within ${CALL_TIMEOUT_MS} ms`))
      }, CALL_TIMEOUT_MS)
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer })
      const request: HostRequest<K> = { id, call, args }
      this.child.send(request)
    })
  }

  private settle (reply: HostReply): void {
    const waiter = this.pending.get(reply.id)
    if (waiter === undefined) return
    this.pending.delete(reply.id)
    clearTimeout(waiter.timer)
    if (reply.ok) waiter.resolve(reply.value)
    else waiter.reject(new Error(reply.error))
  }
}

async function waitForReady (child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`the cluster host was not ready within ${READY_TIMEOUT_MS} ms`)) }, READY_TIMEOUT_MS)
    const onMessage = (reply: HostReply): void => { if (reply.id === 0) { cleanup(); resolve() } }
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`the cluster host exited before it was ready (code ${String(code)})`)) }
    const cleanup = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  if (child.connected) child.disconnect()
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/** Starts a cluster in a new child process and returns its handle. */
export async function forkCluster (options: ClusterOptions, fork_: ForkOptions = {}): Promise<ClusterHandle> {
  const capture = fork_.output !== undefined
  const child = fork(HOST_SCRIPT, [], {
    env: { ...process.env, ...fork_.env },
    stdio: capture ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced'
  })
  if (capture) {
    child.stdout?.setEncoding('utf8').on('data', fork_.output as (chunk: string) => void)
    child.stderr?.setEncoding('utf8').on('data', fork_.output as (chunk: string) => void)
  }
  try {
    await waitForReady(child)
    const host = new HostConnection(child)
    const { uri, members } = await host.call('start', options)
    return {
      uri,
      addresses: new Map(members.map(m => [m.name, m.address])),
      stop: async (name) => { await host.call('stopMember', name) },
      start: async (name) => { await host.call('startMember', name) },
      blackhole: async (name) => { await host.call('blackhole', name) },
      partition: async (name) => { await host.call('partition', name) },
      heal: async (name) => { await host.call('heal', name) },
      setLag: async (name, ms) => { await host.call('setLag', name, ms) },
      armCommitDrop: async (name, count) => { await host.call('armCommitDrop', name, count) },
      setHostile: async (name, mode) => { await host.call('setHostile', name, mode) },
      leader: async (database, timeoutMs = 20_000) => await host.call('leader', database, timeoutMs),
      members: async () => await host.call('members'),
      databaseStatus: async (database) => await host.call('databaseStatus', database),
      settle: async (database, timeoutMs) => await host.call('settle', database, timeoutMs),
      close: async () => {
        await host.call('close').catch(() => undefined)
        await stopChild(child)
      }
    }
  } catch (error) {
    await stopChild(child)
    throw error
  }
}
