// The flags `cluster-fixture` parses and the usage text that documents them,
// side by side in one module (cli.ts runs on import; this does not), so that
// spec/fixture/cluster/cli-usage.spec.ts can check that every parsed flag is
// documented here and in the README's "Command line" section, and that
// neither documents a flag the parser would refuse.

import { CONTROL_PORT_OFFSET } from './control/index.js'

export const USAGE = `Usage:
  cluster-fixture start [options]        run a cluster in the foreground (Ctrl-C stops it)
      --primaries N          PRIMARY members (default 3)
      --secondaries N        SECONDARY members (default 2)
      --port P               Bolt port of server1; serverN gets P+N-1 (default 7687; 0 = free ports)
      --user U --password W  credentials clients must use (default neo4j / password123)
      --routing-ttl S        TTL of routing tables in seconds (default 300)
      --lag MS               replication lag of every secondary (default 0)
      --election-timeout A-B randomized election timeout window in ms (default 300-600)
      --heartbeat MS         Raft heartbeat (default 100)
      --seed N               seed of the fixture's pseudo-random generator, which draws the
                             randomized election timeouts (default: random; timers are real,
                             so two runs with one seed still differ)
      --failure-detection MS a member not heard from for this long leaves the others' routing
                             tables (default: the election timeout's upper bound)
      --bookmark-timeout MS  how long a member waits for a bookmark (default 30000)
      --grace MS             re-allocation grace period for stopped members (default 30000)
      --reads-on-leader      list the leader among readers too
      --legacy-handshake     always answer with the legacy 4-byte reply (default: the Manifest v1
                             handshake for clients that ask for it, as Neo4j 5.26)
      --manifest             that default, said explicitly (accepted for older scripts)
      --lenient              let requests a real server refuses through (experiments only;
                             default: refused as Neo4j refuses them)
      --no-server-side-routing
                             members answer NotALeader instead of routing a write to the leader
                             (default: server-side routing on, as Neo4j 5)
      --keep-alive MS        NOOP after MS without output during a request (default 60000; 0 = off)
      --tls-key FILE --tls-cert FILE
                             serve every member over TLS with this PEM key and certificate
                             (clients use neo4j+s:// or, for a self-signed one, neo4j+ssc://)
      --tls-client-ca FILE   with --tls-key/--tls-cert: require a client certificate signed by this
                             PEM CA (mutual TLS; clients set clientCertificate)
      --control-port P       control endpoint port (default: port + ${CONTROL_PORT_OFFSET}; free when --port 0)
  cluster-fixture status                 members, their state and each database's leader
  cluster-fixture stop|start|blackhole|partition|heal <member>
  cluster-fixture lag <member> <ms>
  cluster-fixture shutdown               stop the running cluster
  cluster-fixture help                   this text (also --help or -h)
The commands other than start find the running cluster through a state file in the
temp directory; --control-port P (or --port P, meaning P + ${CONTROL_PORT_OFFSET}) names it explicitly.`

export const OPTIONS = {
  primaries: { type: 'string' },
  secondaries: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'routing-ttl': { type: 'string' },
  lag: { type: 'string' },
  'election-timeout': { type: 'string' },
  heartbeat: { type: 'string' },
  'failure-detection': { type: 'string' },
  'bookmark-timeout': { type: 'string' },
  grace: { type: 'string' },
  'reads-on-leader': { type: 'boolean' },
  manifest: { type: 'boolean' },
  'legacy-handshake': { type: 'boolean' },
  lenient: { type: 'boolean' },
  'no-server-side-routing': { type: 'boolean' },
  'keep-alive': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'control-port': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const
