// The seed's safe write: a 60 s retry budget, a 5 s connection timeout and a
// pool of up to 100 connections per member. Retries are logged with
// DEBUG=neo4j-cluster:retry. Run: npm run example -- safe-write
import { driver as createDriver } from 'neo4j-cluster-driver'
import { AUTH, URI } from './env.js'

const driver = createDriver(URI, AUTH, {
  // If the Leader is down, keep retrying for 60 seconds
  maxTransactionRetryTime: 60_000,
  // Fail the connection attempt if the server doesn't respond in 5s
  connectionTimeout: 5_000,
  // Keep up to 100 connections ready to use
  maxConnectionPoolSize: 100
})

async function performSafeWrite (name: string): Promise<void> {
  try {
    // executeQuery is the modern, high-level way to run queries with built-in retries
    await driver.executeQuery('MERGE (c:City {name: $name}) RETURN c', { name }, { database: 'neo4j' })
    console.log(`Successfully wrote: ${name}`)
  } catch (error) {
    console.log(`Write failed after 60 seconds of retries: ${(error as Error).message}`)
  }
}

// Simulate a write
await performSafeWrite('Mumbai')
await driver.close()
