// The seed's topology statement: `shipping` gets 3 primaries (it survives
// losing one) and 2 secondaries (read-only copies for executeRead).
// Run: npm run example -- create-database
import { driver as createDriver } from 'neo4j-cluster-driver'
import { AUTH, URI } from './env.js'

const driver = createDriver(URI, AUTH)
try {
  await driver.executeQuery('CREATE DATABASE shipping IF NOT EXISTS TOPOLOGY 3 PRIMARIES 2 SECONDARIES', {}, { database: 'system' })
  const { records } = await driver.executeQuery(
    'SHOW DATABASE shipping YIELD name, role, address, currentStatus ORDER BY address', {}, { database: 'system', routing: 'READ' })
  for (const r of records) console.log(`${String(r.get('name'))}  ${String(r.get('role')).padEnd(10)} ${String(r.get('address'))}  ${String(r.get('currentStatus'))}`)
  // Writes to the new database go to its own leader.
  const { summary } = await driver.executeQuery('CREATE (:Parcel {id: 1})', {}, { database: 'shipping' })
  console.log(`first write to shipping landed on ${summary.server.address ?? '?'}`)
} finally {
  await driver.close()
}
