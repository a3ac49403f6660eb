// neo4j-cluster-driver/cluster-fixture: a local, killable Neo4j-style causal
// cluster speaking real Bolt on 127.0.0.1.
//
//   import { startCluster } from 'neo4j-cluster-driver/cluster-fixture'
//   const cluster = await startCluster({ primaries: 3, secondaries: 2 })
//   cluster.uri                      // neo4j://127.0.0.1:<port of server1>
//   startCluster({ tls: { key, cert } }) → every member serves TLS; cluster.tlsUri is neo4j+ssc://…
//   Strict by default: requests Neo4j refuses are refused (bolt/strict-rules.ts); { lenient: true } for experiments
//   startCluster({ serverSideRouting: false }) → no ssr.enabled, followers answer NotALeader (client-side routing tests)
//   startCluster({ manifest: false })    → the legacy handshake reply only
//   await cluster.leader('neo4j')    // name of the leader, once ready for writes
//   await cluster.stop('server1') / start / blackhole / partition / heal
//   cluster.setLag('server4', 500)
//   await cluster.close()

export { startCluster, Cluster, ClusterOptionsError, type CopyStatus, DEFAULT_OPTIONS, type ClusterOptions, type ClusterTlsOptions, type MemberInfo, type MemberState, type MemberMode } from './cluster/index.js'
export { FixtureError, STATUS, type StatusName } from './errors.js'
export type { HostileMode } from './bolt/index.js'
export { STRICT_RULES, type StrictRule } from './bolt/strict-rules.js'
