// Shared by the integration tests: which server to use and small bounded helpers.
//
// With NEO4J_URI set (plus NEO4J_USER / NEO4J_PASSWORD), tests run against that
// server and every test that needs fixture controls (stop, blackhole, lag, a
// fake backend) skips itself through `needsFixture(this)`.

import type { Context } from 'mocha'

export const EXTERNAL_URI: string | undefined = process.env.NEO4J_URI !== undefined && process.env.NEO4J_URI !== '' ? process.env.NEO4J_URI : undefined
export const USER = process.env.NEO4J_USER ?? 'neo4j'
export const PASSWORD = process.env.NEO4J_PASSWORD ?? 'password123'

/** Call first in a test (or a before hook) that cannot run against an external server. */
export function needsFixture (context: Context): void {
  if (EXTERNAL_URI !== undefined) context.skip()
}

export const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** Poll `check` until it returns true, at most `timeoutMs`; throws with `what` if it never does. */
export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await sleep(everyMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Run `task` for each item with at most `concurrency` at a time. */
export async function inParallel<T> (items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      await task(items[index] as T, index)
    }
  })
  await Promise.all(workers)
}
