// The backend on a free port in front of a fixture cluster, for specs that
// drive it over TCP as testkit would: cluster and backend for the whole
// describe, a fresh TestkitClient connection (so a fresh backend context) per
// test, and NewDriver with the fixture's URI and credentials filled in.

import { startCluster, type Cluster, type ClusterOptions } from '../../cluster-fixture/index.js'
import { startBackend, type RunningBackend } from '../../testkit-backend/server.js'
import { basicAuth, TestkitClient } from './client.js'

export interface ClusterRig {
  readonly cluster: Cluster
  readonly backend: RunningBackend
  readonly client: TestkitClient
  /** host:port of a member by name. */
  address: (name: string) => string
  /** NewDriver against the cluster; `extra` overrides the defaults. Returns the driver's id. */
  newDriver: (extra?: Record<string, unknown>) => Promise<unknown>
}

/** Registers before/after hooks in the calling describe; `driverDefaults` go into every NewDriver. */
export function backendAgainstCluster (clusterOptions: ClusterOptions, driverDefaults: Record<string, unknown> = {}): ClusterRig {
  let cluster: Cluster | undefined
  let backend: RunningBackend | undefined
  let client: TestkitClient | undefined
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: the rig is used outside a test`)
    return value
  }

  before(async () => {
    cluster = await startCluster(clusterOptions)
    await cluster.leader('neo4j')
    backend = await startBackend({ port: 0 })
  })
  after(async () => {
    await backend?.close()
    await cluster?.close()
  })
  beforeEach(async () => { client = await TestkitClient.connect(started(backend, 'backend').port) })
  afterEach(async () => { await client?.close() })

  const rig: ClusterRig = {
    get cluster () { return started(cluster, 'cluster') },
    get backend () { return started(backend, 'backend') },
    get client () { return started(client, 'client') },
    address: (name) => rig.cluster.members().find(m => m.name === name)?.address ?? '',
    newDriver: async (extra = {}) => {
      const { id } = await rig.client.expect('Driver', 'NewDriver', {
        uri: rig.cluster.uri, authorizationToken: basicAuth('neo4j', 'password123'), userAgent: 'testkit-spec/1.0', resolverRegistered: false,
        ...driverDefaults, ...extra
      })
      return id
    }
  }
  return rig
}
