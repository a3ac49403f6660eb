// `npm run demo`: the seed's story, end to end, on an embedded cluster.
// 1. start 3 primaries + 2 secondaries; 2. SHOW DATABASES; 3. write a city on
// the leader; 4. read it back on lagging readers thanks to bookmarks; 5. a ping
// loop while the leader is stopped; 6. the new leader and every ping accounted
// for; 7. the old leader restarts and catches up.
import { auth, driver as createDriver, type Driver } from 'neo4j-cluster-driver'
import { startCluster, type Cluster } from 'neo4j-cluster-driver/cluster-fixture'

const USER = 'neo4j'
const PASSWORD = 'password123'
const PINGS = 30
const PING_INTERVAL_MS = 100
const STOP_LEADER_AT_PING = 10
const SECONDARY_LAG_MS = 500

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const step = (title: string): void => { console.log(`\n== ${title}`) }

async function showDatabases (driver: Driver): Promise<void> {
  const { records } = await driver.executeQuery(
    'SHOW DATABASES YIELD name, currentStatus, role, address, writer ORDER BY name, address', {},
    { database: 'system', routing: 'READ' })
  for (const r of records) {
    const leader = r.get('writer') === true ? '  <- leader' : ''
    console.log(`   ${String(r.get('name')).padEnd(7)} ${String(r.get('address')).padEnd(16)} ${String(r.get('role')).padEnd(9)} ${String(r.get('currentStatus'))}${leader}`)
  }
}

function memberName (cluster: Cluster, address: string | undefined): string {
  return cluster.members().find(m => m.address === address)?.name ?? address ?? '?'
}

async function main (): Promise<void> {
  step('1. Start a local cluster: 3 primaries (Raft, majority commit) + 2 asynchronous secondaries')
  const cluster = await startCluster({ primaries: 3, secondaries: 2, basePort: 0, auth: { user: USER, password: PASSWORD } })
  const driver = createDriver(cluster.uri, auth.basic(USER, PASSWORD), { maxTransactionRetryTime: 60_000, connectionTimeout: 5_000 })
  try {
    for (const m of cluster.members()) console.log(`   ${m.name}  ${m.address}  ${m.mode}`)
    await driver.verifyConnectivity()
    const firstLeader = await cluster.leader('neo4j')
    console.log(`   driver connected to ${cluster.uri}; leader of neo4j: ${firstLeader}`)

    step('2. SHOW DATABASES YIELD name, currentStatus, role, address, writer ORDER BY name, address')
    await showDatabases(driver)

    step('3. Write: executeWrite goes to the leader')
    const session = driver.session({ database: 'neo4j' })
    try {
      const summary = await session.executeWrite(async tx => (await tx.run('MERGE (:City {name: $name})', { name: 'Singapore' })).summary)
      console.log(`   MERGE (:City {name: 'Singapore'}) ran on ${memberName(cluster, summary.server.address)} (the leader); bookmark ${JSON.stringify(session.lastBookmarks())}`)
    } finally {
      await session.close()
    }

    step(`4. Read your own write on lagging readers: secondaries now apply the log ${SECONDARY_LAG_MS} ms late`)
    for (const m of cluster.members().filter(m => m.mode === 'SECONDARY')) cluster.setLag(m.name, SECONDARY_LAG_MS)
    await driver.executeQuery('MERGE (:City {name: $name})', { name: 'Mumbai' }, { database: 'neo4j' })
    const secondary = cluster.members().find(m => m.mode === 'SECONDARY')
    if (secondary !== undefined) {
      const direct = createDriver(`bolt://${secondary.address}`, auth.basic(USER, PASSWORD))
      try {
        const { records } = await direct.executeQuery('MATCH (c:City) RETURN c.name AS name ORDER BY name', {}, { database: 'neo4j', routing: 'READ', bookmarkManager: null })
        const seen = records.map(r => r.get('name') as string)
        const verdict = seen.includes('Mumbai') ? '(it happened to have caught up already)' : '(stale: it has not applied the latest writes yet)'
        console.log(`   without bookmarks, ${secondary.name} answers ${JSON.stringify(seen)} ${verdict}`)
      } finally {
        await direct.close()
      }
    }
    for (let i = 0; i < 4; i++) {
      const { records, summary } = await driver.executeQuery('MATCH (c:City) RETURN c.name AS name ORDER BY name', {}, { database: 'neo4j', routing: 'READ' })
      console.log(`   executeQuery READ with the driver's bookmarks on ${(memberName(cluster, summary.server.address)).padEnd(7)} -> ${JSON.stringify(records.map(r => r.get('name')))}`)
    }
    for (const m of cluster.members().filter(m => m.mode === 'SECONDARY')) cluster.setLag(m.name, 0)

    step(`5. Failover: ${PINGS} pings, one every ${PING_INTERVAL_MS} ms; the leader is stopped at ping #${STOP_LEADER_AT_PING}`)
    const leader = await cluster.leader('neo4j')
    let lastAck = Date.now()
    let longestGap = 0
    let stoppedAt = 0
    for (let i = 0; i < PINGS; i++) {
      if (i === STOP_LEADER_AT_PING) {
        await cluster.stop(leader)
        stoppedAt = Date.now()
        console.log(`   >>> ${leader} (leader) stopped: listener closed, connections dropped, Raft silent`)
      }
      const { summary } = await driver.executeQuery('CREATE (:Ping {id: $i, time: datetime()})', { i }, { database: 'neo4j' })
      const now = Date.now()
      longestGap = Math.max(longestGap, now - lastAck)
      lastAck = now
      const note = stoppedAt > 0 && now - stoppedAt < 5_000 && i === STOP_LEADER_AT_PING ? `  (${now - stoppedAt} ms after the stop)` : ''
      console.log(`   Successfully wrote Ping #${i} on ${memberName(cluster, summary.server.address)}${note}`)
      await sleep(PING_INTERVAL_MS)
    }
    console.log(`   longest time between two acknowledged pings: ${longestGap} ms (the loop itself waits ${PING_INTERVAL_MS} ms)`)

    step('6. The new leader, and every ping accounted for')
    console.log(`   new leader of neo4j: ${await cluster.leader('neo4j')}`)
    await showDatabases(driver)
    const { records } = await driver.executeQuery(
      'MATCH (p:Ping) RETURN count(p) AS pings, count(DISTINCT p.id) AS distinctIds', {}, { database: 'neo4j', routing: 'READ' })
    console.log(`   pings in the cluster: ${String(records[0]?.get('pings'))} (distinct ids: ${String(records[0]?.get('distinctIds'))}, written: ${PINGS})`)

    step(`7. docker start ${leader}: the old leader rejoins as a follower and catches up`)
    await cluster.start(leader)
    const restarted = cluster.members().find(m => m.name === leader)
    if (restarted !== undefined) {
      const direct = createDriver(`bolt://${restarted.address}`, auth.basic(USER, PASSWORD))
      try {
        // The driver's bookmarks make the restarted member wait until it has caught up.
        const { records } = await direct.executeQuery('MATCH (p:Ping) RETURN count(p) AS pings', {}, { database: 'neo4j', routing: 'READ', bookmarkManager: driver.executeQueryBookmarkManager })
        console.log(`   ${leader} now holds ${String(records[0]?.get('pings'))} pings`)
      } finally {
        await direct.close()
      }
    }
    await showDatabases(driver)
  } finally {
    await driver.close()
    await cluster.close()
  }
  console.log('\nDone. Next: `npx cluster-fixture start` runs the same cluster in the foreground for your own app.')
}

main().catch(error => {
  console.error(error)
  process.exitCode = 1
})
