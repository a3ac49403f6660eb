// The seed's "Check your Cluster Status": which member hosts and leads each
// database, then the routing table the driver uses for `neo4j`.
// Run: npm run example -- cluster-status
import { driver as createDriver } from 'neo4j-cluster-driver'
import { AUTH, URI } from './env.js'

const driver = createDriver(URI, AUTH)
try {
  const { records } = await driver.executeQuery(
    'SHOW DATABASES YIELD name, currentStatus, role, address, writer ORDER BY name',
    {}, { database: 'system', routing: 'READ' })
  console.log('name       currentStatus  role        address           writer')
  for (const r of records) {
    console.log(`${String(r.get('name')).padEnd(10)} ${String(r.get('currentStatus')).padEnd(14)} ${String(r.get('role')).padEnd(11)} ${String(r.get('address')).padEnd(17)} ${r.get('writer') === true ? 'LEADER' : ''}`)
  }
  if (URI.startsWith('neo4j')) {
    // Nothing has used `neo4j` through this driver yet, so no table is cached
    // for it (routingTable('neo4j') would be undefined): ask a router now.
    const table = await driver.refreshRoutingTable('neo4j')
    console.log(`\nrouting table for neo4j (ttl ${table.ttl} s): writers ${JSON.stringify(table.writers)}, ` +
      `readers ${JSON.stringify(table.readers)}, routers ${JSON.stringify(table.routers)}`)
  } else {
    console.log(`\n${URI} talks to one member and does not route: use neo4j:// to see a routing table`)
  }
} finally {
  await driver.close()
}
