// The tests StartTest skips, each with what is missing. This list is the
// backlog: it should only shrink. Patterns match testkit's test name (the
// unittest id without "tests."), `*` standing for any run of characters.
// Tests gated by a feature we do not declare are skipped by testkit itself;
// those gaps are listed in features.ts (NOT_DECLARED).

export interface SkipEntry {
  /** e.g. 'stub.routing.test_routing_v4x3.*' */
  readonly pattern: string
  /** What the driver (or backend) lacks; shown in testkit's report. */
  readonly reason: string
}

const LAZY_RUN_ERRORS = 'the JavaScript API reports a failed RUN on its result (at the first next() or consume()), not when run() ' +
  'returns; these tests expect the error from run() itself (or from session.close()), as eager drivers raise it. ' +
  'testkit expects the lazy behaviour from a javascript driver elsewhere (stub.disconnects: "after first next")'
const MANAGED_COMMIT = "the work function calls commit() on its managed transaction, which the JavaScript API's ManagedTransaction " +
  'does not have: a transaction function is committed by the driver when the work returns'

export const SKIPPED_TESTS: readonly SkipEntry[] = [
  // API semantics of the JavaScript driver that these routing tests (gated on Backend:RTFetch) do not expect.
  { pattern: 'stub.routing.*.test_should_fail_when_writing_on_unexpectedly_interrupting_writer_using_tx_run', reason: LAZY_RUN_ERRORS },
  { pattern: 'stub.routing.*.test_should_fail_when_writing_on_unexpectedly_interrupting_writer_on_run_using_tx_run', reason: LAZY_RUN_ERRORS },
  { pattern: 'stub.routing.*.test_should_fail_when_reading_from_unexpectedly_interrupting_reader_using_session_run', reason: LAZY_RUN_ERRORS },
  { pattern: 'stub.routing.*.test_should_fail_when_reading_from_unexpectedly_interrupting_readers_using_tx_function', reason: MANAGED_COMMIT },
  { pattern: 'stub.routing.*.test_should_fail_when_writing_to_unexpectedly_interrupting_writers_using_tx_function', reason: MANAGED_COMMIT },
  { pattern: 'stub.routing.*.test_should_fail_when_writing_to_unexpectedly_interrupting_writers_on_run_using_tx_function', reason: MANAGED_COMMIT },

  // A lost connection under routing is SessionExpired (another member can take over), as the official JavaScript,
  // Java and Python drivers report it; these tests expect ServiceUnavailable from a driver named javascript (the
  // official JavaScript backend never runs them: they need Backend:RTFetch, which it does not declare).
  ...['test_timeout', 'test_timeout_managed_tx_retry', 'test_timeout_unmanaged_tx', 'test_timeout_unmanaged_tx_should_fail_subsequent_usage_after_timeout'].map(test => ({
    pattern: `stub.configuration_hints.test_connection_recv_timeout_seconds.TestRoutingConnectionRecvTimeout.${test}`,
    reason: 'a connection lost under routing (here: the server\'s receive timeout) is reported as SessionExpired, as the official ' +
      'JavaScript, Java and Python drivers do; the test expects ServiceUnavailable'
  })),

  // Result values whose shape neo4j-driver-core (shared with the official JavaScript driver) decides.
  {
    pattern: 'stub.summary.test_summary.TestSummaryNotifications4x4.test_no_notifications',
    reason: "neo4j-driver-core's ResultSummary.notifications is an empty list when the server sent none (the official JavaScript driver's shape), not null"
  },
  ...['V3x0', 'V4x2', 'V4x3', 'V4x4'].map(version => ({
    pattern: `stub.types.test_temporal_types.TestTemporalTypes${version}.test_zoned_date_time`,
    reason: 'a DateTime with a time-zone id decoded from Bolt before 5.0 (no utc patch) carries no offset: neo4j-driver-core, as in the ' +
      'official JavaScript driver, computes none without a time-zone database (Bolt 5.0+ sends UTC times, and that test passes)'
  })),

  // Query ids (qid) in PULL/DISCARD.
  {
    pattern: 'stub.optimizations.test_optimizations.TestOptimizations.test_uses_implicit_default_arguments*',
    reason: 'PULL and DISCARD of a stream in an explicit transaction always name its query (qid), as neo4j-driver-bolt-connection ' +
      'sends them: always valid Bolt, and never the wrong stream when queries interleave; omitting it only saves a few bytes'
  },

  // No DNS resolution hook (NewDriver.domainNameResolverRegistered).
  { pattern: '*.test_should_successfully_acquire_rt_when_router_ip_changes', reason: 'the driver has no DNS resolver hook (config.resolver maps addresses, name resolution is the OS\'s)' },
  { pattern: '*.test_should_request_rt_from_all_initial_routers_until_successful*', reason: 'the driver has no DNS resolver hook (config.resolver maps addresses, name resolution is the OS\'s)' },

  // Acquisition timeout semantics chosen on purpose (see the README's options).
  { pattern: 'stub.driver_parameters.test_connection_acquisition_timeout_ms.*.test_does_not_encompass_router_*', reason: 'by design connectionAcquisitionTimeout covers rediscovery too; the official drivers exclude the router round trip' },
  { pattern: 'stub.driver_parameters.test_connection_acquisition_timeout_ms.*.test_router_handshake_has_own_timeout_*', reason: 'by design connectionAcquisitionTimeout covers rediscovery too; the official drivers exclude the router round trip' }
]

function toRegExp (pattern: string): RegExp {
  const escaped = pattern.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')
  return new RegExp(`^${escaped}$`)
}

const COMPILED = SKIPPED_TESTS.map(entry => ({ ...entry, regexp: toRegExp(entry.pattern) }))

/** Why `testName` is skipped, or undefined if it runs. */
export function skipReason (testName: string, entries: readonly SkipEntry[] = SKIPPED_TESTS): string | undefined {
  const compiled = entries === SKIPPED_TESTS ? COMPILED : entries.map(entry => ({ ...entry, regexp: toRegExp(entry.pattern) }))
  return compiled.find(entry => entry.regexp.test(testName))?.reason
}
