// The reactive API (rxjs), as in the official driver: driver.rxSession().
// A transaction function that emits what it wrote (retried like executeWrite
// if the leader changes), then a stream of records read at the subscriber's
// pace. Run: npm run example -- reactive
import { driver as createDriver } from 'neo4j-cluster-driver'
import { lastValueFrom, map, toArray } from 'rxjs'
import { AUTH, URI } from './env.js'

const driver = createDriver(URI, AUTH)
const session = driver.rxSession({ database: 'neo4j' })
try {
  // Values reach the subscriber once the transaction has committed.
  const written = await lastValueFrom(session.executeWrite(tx =>
    tx.run('UNWIND $names AS name MERGE (c:City {name: name}) RETURN c.name AS name', { names: ['Lagos', 'Lima', 'Oslo'] })
      .records().pipe(map(record => record.get('name') as string))
  ).pipe(toArray()))
  console.log(`written: ${written.join(', ')}`)

  // A stream the subscriber can hold: pause() stops the server sending, resume() goes on.
  const result = session.run('MATCH (c:City) RETURN c.name AS name ORDER BY name')
  const names: string[] = []
  await new Promise<void>((resolve, reject) => {
    result.records().subscribe({
      next: record => {
        names.push(record.get('name') as string)
        if (names.length === 1) {
          result.pause()
          setTimeout(() => { void result.resume() }, 100) // a slow consumer catching up
        }
      },
      error: reject,
      complete: resolve
    })
  })
  console.log(`read back: ${names.join(', ')}`)
  console.log(`bookmarks: ${session.lastBookmarks().length}`)
} finally {
  await lastValueFrom(session.close(), { defaultValue: undefined })
  await driver.close()
}
