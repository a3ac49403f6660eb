// neo4j-cluster-driver/cluster-fixture: a local, killable Neo4j-style causal
// cluster speaking real Bolt on 127.0.0.1.
//
//   import { startCluster } from 'neo4j-cluster-driver/cluster-fixture'
//   const cluster = await startCluster({ primaries: 3, secondaries: 2 })
//   cluster.uri                      // neo4j://127.0.0.1:<port of server1>
//   startCluster({ tls: { key, cert } }) → every member serves TLS; cluster.tlsUri is neo4j+ssc://…
//   startCluster({ manifest: true })     → members answer Manifest v1 handshake requests
//   await cluster.leader('neo4j')    // name of the leader, once ready for writes
//   await cluster.stop('server1') / start / blackhole / partition / heal
//   cluster.setLag('server4', 500)
//   await cluster.close()

export { startCluster, Cluster, ClusterOptionsError, type CopyStatus, DEFAULT_OPTIONS, type ClusterOptions, type ClusterTlsOptions, type MemberInfo, type MemberState, type MemberMode } from './cluster/index.js'
export { FixtureError, STATUS, type StatusName } from './errors.js'
export type { HostileMode } from './bolt/index.js'
