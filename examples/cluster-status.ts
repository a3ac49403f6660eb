// The seed's "Check your Cluster Status": which member hosts and leads each
// database. Run: npm run example -- cluster-status
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
  const table = await driver.routingTable('neo4j')
  console.log(`\nrouting table for neo4j: writers ${JSON.stringify(table?.writers)}, readers ${JSON.stringify(table?.readers)}`)
} finally {
  await driver.close()
}
