// What every bench mode sets up the same way: the fixture's settings and the
// data the read workloads expect.

import type { FixtureSettings, HostStatus } from './protocol.js'
import { RawBoltConnection } from './raw-bolt/connection.js'
import { RawBoltClient } from './raw-bolt/client.js'
import { MATCH_ROWS, QUERIES } from './workloads.js'

export const FIXTURE: Omit<FixtureSettings, 'serverSideRouting'> = {
  primaries: 3,
  secondaries: 2,
  routingTtlSeconds: 300,
  electionTimeoutMs: [300, 600],
  heartbeatMs: 100,
  secondaryLagMs: 0,
  // Fixed, so election timing draws the same way run after run.
  seed: 20_250_505
}

/** The 10 rows of the MATCH workload, written once and visible on every member before any trial. */
export async function seedData (status: HostStatus, database: string | null): Promise<void> {
  const credentials = { user: status.user, password: status.password }
  const seed = new URL(status.uri.replace(/^neo4j:/, 'http:')).host
  const client = new RawBoltClient(seed, credentials, database)
  try {
    await client.run(0, 'WRITE', QUERIES.seed)
  } finally {
    client.close()
  }
  const deadline = Date.now() + 20_000
  for (const member of status.members) {
    const connection = await RawBoltConnection.open(member.address, credentials)
    try {
      for (;;) {
        let count = -1
        await connection.run(QUERIES.seedCount, {}, { mode: 'r', ...(database === null ? {} : { db: database }) }, (values) => { count = Number(values[0]) })
        if (count === MATCH_ROWS) break
        if (Date.now() > deadline) throw new Error(`${member.name} still has ${count} seeded rows after 20 s`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    } finally {
      connection.close()
    }
  }
}

