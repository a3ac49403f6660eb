// What GetFeatures answers. Every name must exist in testkit's
// nutkit/protocol/feature.py of the branch run against us (5.0): an unknown
// name makes every test fail in setUp. A declared feature turns on tests and
// script variants that expect that exact behaviour on the wire, so each entry
// says where the driver does it; the names we leave out, and why, follow.

export const FEATURES: readonly string[] = [
  // --- API (lib/index.ts) ---------------------------------------------------
  'Feature:API:BookmarkManager', // bookmarkManager({ initialBookmarks, bookmarksSupplier, bookmarksConsumer })
  'Feature:API:ConnectionAcquisitionTimeout', // config.connectionAcquisitionTimeout
  'Feature:API:Driver.ExecuteQuery', // driver.executeQuery(query, params, { routing, database, impersonatedUser, bookmarkManager })
  'Feature:API:Driver:GetServerInfo', // driver.getServerInfo()
  'Feature:API:Driver.IsEncrypted', // driver.isEncrypted()
  'Detail:ClosedDriverIsEncrypted', // isEncrypted() reads the config, so it works after close()
  'Feature:API:Driver.VerifyConnectivity', // driver.verifyConnectivity()
  'Feature:API:Liveness.Check', // config.connectionLivenessCheckTimeout (RESET on acquire after that idle time)
  'Feature:API:Result.List', // results are awaitable: (await result).records
  'Feature:API:Result.Peek', // result[Symbol.asyncIterator]().peek()
  'Feature:API:RetryableExceptions', // isRetryableError(error)
  'Feature:API:SSLConfig', // config.encrypted / trust / trustedCertificates
  'Feature:API:SSLSchemes', // neo4j+s, neo4j+ssc, bolt+s, bolt+ssc
  'Feature:API:Summary:GqlStatusObjects', // core's ResultSummary.gqlStatusObjects
  'Feature:API:Type.Temporal', // core's temporal types, both directions
  'Feature:Auth:Bearer', // auth.bearer
  'Feature:Auth:Custom', // auth.custom
  'Feature:Auth:Kerberos', // auth.kerberos
  'Feature:Impersonation', // session / executeQuery impersonatedUser
  // --- Auth (lib/auth/auth.ts, lib/connection/connection-pools.ts) ----------------------
  'Feature:Auth:Managed', // driver(url, authTokenManager): authTokenManagers.basic / .bearer, or custom { getToken, handleSecurityException }
  'Feature:API:Session:AuthConfig', // session({ auth }): LOGOFF + LOGON on a pooled connection (Bolt 5.1+), and back for the next session
  'Feature:API:Driver.SupportsSessionAuth', // driver.supportsSessionAuth()
  'Feature:API:Driver.VerifyAuthentication', // driver.verifyAuthentication({ auth, database })
  'Feature:API:Driver.ExecuteQuery:WithAuth', // executeQuery(query, params, { auth })
  // AuthorizationExpired marks every connection of that member's pool for a new logon and closes the failed one (connection-pools.ts securityError)
  'AuthorizationExpiredTreatment',
  // config.clientCertificate: { certfile, keyfile, password } or a provider (connection/client-certificate.ts). The tests it
  // turns on are in testkit's tests/tls (they need its Go TLS server); ours: spec/integration/mtls.spec.ts, spec/interop.
  'Feature:API:SSLClientCertificate',
  // Driver filter in HELLO, a session's own filter in its BEGIN/RUN, nothing extra otherwise (session.ts)
  'Feature:API:Driver:NotificationsConfig',
  'Feature:API:Session:NotificationsConfig',

  // --- Bolt: the versions neo4j-driver-bolt-connection 6.3.0 negotiates and testkit 5.0 knows.
  // Not 4.1 (bolt-connection dropped it) nor 5.5 (never offered); 5.8 / 6.x are unknown to branch 5.0.
  // Not 4.2: bolt-connection offers it only inside the range 4.4–4.2, and ranges came with 4.3 servers (a 4.2 server
  // reads that offer as 4.4 and refuses it; testkit's 4.2 scripts do the same).
  // Routing works on each: ROUTE on 4.3+, the routing procedure before (lib/connection/wire.ts requestRoute).
  'Feature:Bolt:3.0',
  'Feature:Bolt:4.3',
  'Feature:Bolt:4.4',
  'Feature:Bolt:5.0',
  'Feature:Bolt:5.1',
  'Feature:Bolt:5.2',
  'Feature:Bolt:5.3',
  'Feature:Bolt:5.4',
  'Feature:Bolt:5.6',
  'Feature:Bolt:5.7',
  'Feature:Bolt:Patch:UTC', // bolt-connection asks for patch_bolt ["utc"] on 4.3/4.4
  'Feature:TLS:1.2', // Node's default TLS range (bolt-connection's channel uses node:tls)
  'Feature:TLS:1.3',

  // --- Wire optimizations that come from bolt-connection's protocol layer, which our connections use as is.
  'Optimization:PullPipelining', // RUN and PULL leave together (session.run / tx.run)
  'Optimization:ImplicitDefaultArguments', // default mode/db/bookmarks/tx config are omitted from messages
  'Optimization:AuthPipelining', // HELLO and LOGON are pipelined on Bolt 5.1+
  // --- Wire optimizations of our own session and pool layers.
  // A connection goes back to its pool without RESET when its work ended cleanly; after a FAILURE, exactly one
  // RESET (bolt-connection's own); a dirty release (open stream or transaction) sends one (lib/connection/pooled-connection.ts release).
  'Optimization:MinimalResets',
  // beginTransaction() and transaction functions wait for BEGIN's answer: a transaction function is only called once
  // BEGIN succeeded (lib/session/session.ts executeManaged); executeQuery alone pipelines BEGIN with its query.
  'Optimization:EagerTransactionBegin',
  // executeQuery sends BEGIN, RUN and PULL in one write (and COMMIT with them when it pulls everything at once,
  // fetchSize -1): lib/session/transaction.ts.
  'Optimization:ExecuteQueryPipelining',
  // A session's consecutive transactions, and ROUTE followed by the work, reuse one pooled connection when it is free
  // (the pools hand back the most recently released idle connection first).
  'Optimization:ConnectionReuse',

  // --- Configuration hints and backend requests.
  'ConfHint:connection.recv_timeout_seconds', // bolt-connection honours the hint; a timed-out member is forgotten (lib/errors.ts routingReaction)
  'Backend:RTFetch', // GetRoutingTable → driver.routingTable(database?); no database = the resolved home database, empty before
  // ForcedRoutingTableUpdate → driver.refreshRoutingTable(database?, { bookmarks }): ROUTE now, even when the table is
  // fresh; no database = ROUTE without "db" (home database), as RoutingV5x0's update_routing_table() scripts expect.
  'Backend:RTForceUpdate',
  // FakeTimeInstall/Tick/Uninstall drive the connection's clock (clock.ts), config.clock of every driver: frozen while
  // installed, moved only by ticks (pool idle times, liveness checks, lifetimes, routing-table expiry, retry budget).
  // The 5.0 tests it turns on are test_liveness_check's; the ones that fail for other reasons are in skipped-tests.ts.
  'Backend:MockTime'
]

/**
 * Feature names testkit knows that we do not declare, with what is missing.
 * Not sent anywhere: kept here so the gap list lives beside the declared one.
 */
export const NOT_DECLARED: Readonly<Record<string, string>> = {
  'Feature:API:Result.Single': 'core Result has no single()',
  'Feature:API:Result.SingleOptional': 'core Result has no singleOptional()',
  'Feature:Bolt:4.1': 'bolt-connection 6.3.0 does not negotiate 4.1',
  'Feature:Bolt:4.2': 'bolt-connection 6.3.0 offers 4.2 only within a version range, which 4.2 servers do not read',
  'Optimization:MinimalBookmarksSet': 'unverified against the official bookmark-manager traffic',
  'Optimization:ResultListFetchAll': 'Result.List iterates with the configured fetch size'
}
