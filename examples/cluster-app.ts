// The seed's ClusterApp: writes go to the leader, reads are spread over
// followers and secondaries. Run: npm run example -- cluster-app
import { driver as createDriver, type Driver, type ManagedTransaction } from 'neo4j-cluster-driver'
import { AUTH, URI } from './env.js'

class ClusterApp {
  private readonly driver: Driver

  constructor (uri: string, auth: typeof AUTH) {
    this.driver = createDriver(uri, auth)
  }

  async close (): Promise<void> {
    await this.driver.close()
  }

  // WRITES go to the Leader (Primary)
  async addCity (cityName: string): Promise<void> {
    const session = this.driver.session({ database: 'neo4j' })
    try {
      // executeWrite ensures the query hits the Leader
      await session.executeWrite(tx => ClusterApp.createCity(tx, cityName))
    } finally {
      await session.close()
    }
  }

  // READS are spread across Followers/Secondaries
  async getCities (): Promise<string[]> {
    const session = this.driver.session({ database: 'neo4j' })
    try {
      // executeRead load-balances across all available readers
      return await session.executeRead(tx => ClusterApp.retrieveCities(tx))
    } finally {
      await session.close()
    }
  }

  private static async createCity (tx: ManagedTransaction, name: string): Promise<void> {
    await tx.run('MERGE (:City {name: $name})', { name })
  }

  private static async retrieveCities (tx: ManagedTransaction): Promise<string[]> {
    const result = await tx.run('MATCH (c:City) RETURN c.name AS name')
    return result.records.map(record => record.get('name') as string)
  }
}

// Practical usage
const app = new ClusterApp(URI, AUTH)
try {
  await app.addCity('Singapore')
  console.log(`Cities in cluster: ${JSON.stringify(await app.getCities())}`)
} finally {
  await app.close()
}
