// The seed's failover simulation, step B: a continuous ping writer. Stop the
// leader while it runs (`npx cluster-fixture stop server1` in another terminal;
// `npx cluster-fixture status` tells which member leads) and watch it keep going.
// Bounded: --count pings (default 30), one every --interval ms (default 1000, as in the seed).
// Run: npm run example -- failover-ping --count 30 --interval 1000
import { driver as createDriver } from 'neo4j-cluster-driver'
import { AUTH, URI, option } from './env.js'

const count = option('count', 30)
const interval = option('interval', 1000)
const driver = createDriver(URI, AUTH)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

let i = 0
let attempts = 0
let lastSuccess = Date.now()
let longestPause = 0
try {
  // Bounded whatever happens: at most count + 20 attempts.
  while (i < count && attempts < count + 20) {
    attempts++
    try {
      // executeQuery retries through a failover on its own.
      const { summary } = await driver.executeQuery('CREATE (:Ping {id: $i})', { i }, { database: 'neo4j' })
      const now = Date.now()
      longestPause = Math.max(longestPause, now - lastSuccess - interval)
      lastSuccess = now
      console.log(`Successfully wrote Ping #${i} on ${summary.server.address ?? '?'}`)
      i++
    } catch (error) {
      console.log(`Temporary Error: ${(error as Error).message}`)
    }
    await sleep(interval)
  }
  const { records } = await driver.executeQuery('MATCH (p:Ping) RETURN count(p) AS pings', {}, { database: 'neo4j', routing: 'READ' })
  console.log(`Pings written: ${i}; pings in the cluster: ${String(records[0]?.get('pings'))}; longest extra pause: ${longestPause} ms`)
} finally {
  await driver.close()
}
