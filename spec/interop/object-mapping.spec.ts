// Record object mapping (neo4j-driver-core's rule, resultTransformers.hydrated,
// parameterRules) through our driver and the official one on the same
// fixture: the same values and the same errors. A rule that rejects a value
// fails that query with the rule's TypeError — it does not break the
// connection or make the member look faulty.

import { expect } from 'chai'
import official from 'neo4j-driver'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import ours from '../../lib/index.js'

const USER = 'neo4j'
const PASSWORD = 'password123'

interface Person { name: string, born: number }

type Lib = typeof ours | typeof official

/** What one scenario gives with each library, for side-by-side comparison. */
async function outcome (promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(value => ({ value }), (error: Error) => ({ error: `${error.name}: ${error.message}` }))
}

describe('interop: record object mapping, the same through both drivers', function () {
  this.timeout(60_000)
  let cluster: Cluster
  const drivers: Array<{ label: string, lib: Lib, driver: ReturnType<Lib['driver']> }> = []

  before(async () => {
    cluster = await startCluster({ primaries: 3, basePort: 0, auth: { user: USER, password: PASSWORD } })
    drivers.push({ label: 'ours', lib: ours, driver: ours.driver(cluster.uri, ours.auth.basic(USER, PASSWORD)) })
    drivers.push({ label: 'official', lib: official, driver: official.driver(cluster.uri, official.auth.basic(USER, PASSWORD)) })
  })
  after(async () => {
    await Promise.allSettled(drivers.map(async ({ driver }) => await driver.close()))
    await cluster?.close()
  })

  async function both (scenario: (lib: Lib, driver: ReturnType<Lib['driver']>) => Promise<unknown>): Promise<Record<string, unknown>> {
    const results: Record<string, unknown> = {}
    for (const { label, lib, driver } of drivers) results[label] = await outcome(scenario(lib, driver))
    return results
  }

  it('resultTransformers.hydrated maps records to objects by rules', async () => {
    const results = await both(async (lib, driver) => {
      const { records } = await driver.executeQuery('RETURN "Ada" AS name, 1815 AS born', {}, {
        resultTransformer: lib.resultTransformers.hydrated<Person>({ name: lib.rule.asString(), born: lib.rule.asNumber({ isInteger: true }) })
      })
      return records
    })
    expect(results.ours).to.deep.equal(results.official)
    expect(results.ours).to.deep.equal({ value: [{ name: 'Ada', born: 1815 }] })
  })

  it('parameterRules validate and convert parameters: executeQuery, session.run, transaction run, query objects', async () => {
    const results = await both(async (lib, driver) => {
      const rejected = await outcome(driver.executeQuery('RETURN $name AS name', { name: 5 }, {}, { name: lib.rule.asString() }))
      const session = driver.session()
      try {
        // parameterConversion runs before validation: the number becomes an Integer, which asInteger accepts.
        const converted = await session.run('RETURN $born AS born', { born: 1815 }, undefined, { born: lib.rule.asInteger({ parameterConversion: (n: number) => lib.int(n) }) })
        const inTx = await outcome(session.executeRead(async tx => await tx.run('RETURN $born AS born', { born: 'long ago' }, { born: lib.rule.asNumber() })))
        // Validation throws at run() itself, synchronously, in both drivers.
        const queryObject = await outcome((async () => await session.run({ text: 'RETURN $n AS n', parameters: { n: 'x' }, parameterRules: { n: lib.rule.asNumber() } }))())
        return { rejected, converted: String(converted.records[0]?.get('born')), inTx, queryObject }
      } finally {
        await session.close()
      }
    })
    expect(results.ours).to.deep.equal(results.official)
    expect(JSON.stringify(results.ours)).to.include('name should be a string but received number')
  })

  it('a rule that rejects a returned value fails that query with its TypeError; the connection and member stay healthy', async () => {
    const results = await both(async (lib, driver) => await driver.executeQuery('RETURN 1 AS n', {}, {
      resultTransformer: lib.resultTransformers.hydrated({ n: lib.rule.asString() })
    }))
    expect(results.ours).to.deep.equal(results.official)
    expect(results.ours).to.deep.equal({ error: 'TypeError: Object#n should be a string but received object' })
    const d = drivers[0]?.driver as ReturnType<typeof ours.driver>
    const before = d.routingTable('neo4j')
    const failing = d.executeQuery('UNWIND range(1, 5000) AS n RETURN n', {}, {
      routing: 'READ', resultTransformer: ours.resultTransformers.hydrated({ n: ours.rule.asString() })
    })
    expect(await failing.then(() => 'no error', (error: Error) => error.constructor.name)).to.equal('TypeError')
    expect(d.routingTable('neo4j')?.readers).to.deep.equal(before?.readers) // nobody forgotten
    expect(d.poolStats().inUse).to.equal(0)
    expect((await d.executeQuery('RETURN 2 AS n', {}, { routing: 'READ' })).records[0]?.get('n').toNumber()).to.equal(2)
  })

  it("an application's onNext that throws gets its own error, and the session goes on", async () => {
    const d = drivers[0]?.driver as ReturnType<typeof ours.driver>
    const session = d.session()
    try {
      const error = await new Promise<unknown>(resolve => {
        session.run('UNWIND range(1, 100) AS n RETURN n').subscribe({
          onNext: () => { throw new RangeError('application bug') },
          onCompleted: () => resolve('completed'),
          onError: resolve
        })
      })
      expect(error).to.be.instanceOf(RangeError)
      expect((await session.run('RETURN 3 AS n')).records[0]?.get('n').toNumber()).to.equal(3)
    } finally {
      await session.close()
    }
    expect(d.poolStats().inUse).to.equal(0)
  })
})
