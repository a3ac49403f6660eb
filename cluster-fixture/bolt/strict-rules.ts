// The rules by which the fixture refuses what Neo4j refuses, each checked
// against the references (neo4j/docs-bolt, testkit's stub scripts, Neo4j's own
// Bolt decoders). A member is strict by default: a request that breaks a rule
// gets the FAILURE a real server sends. With `lenient` it is let through as
// older versions of the fixture did, for experiments; either way the breach
// is counted (BoltServer.stats().violations), so a lenient run still shows
// which client bugs it let pass.

import type { FixtureError } from '../errors.js'

export const STRICT_RULES = {
  /** docs-bolt message.adoc, RUN: "An Explicit Transaction (BEGIN+RUN) does not carry any data in the extra field"; testkit scripts send `RUN "…" {} {}` inside BEGIN. */
  'run-in-transaction-extra': 'RUN inside an explicit transaction carries an empty extra dictionary',
  /** docs-bolt server-state.adoc: TX_STREAMING has no COMMIT / ROLLBACK transition ("must be fully consumed or discarded"). */
  'finish-with-open-result': 'COMMIT and ROLLBACK wait until every result of the transaction is consumed or discarded',
  /** docs-bolt message.adoc types tx_timeout, n, qid and TELEMETRY api as Integer; Neo4j's decoders take only a PackStream Integer ("Expected long"). */
  'integer-fields': 'tx_timeout, PULL/DISCARD n and qid, and TELEMETRY api are Integers, never Floats',
  /** docs-bolt message.adoc, ROUTE (4.4+): extra::Dictionary(db, imp_user); the bare database-name String was Bolt 4.3's form. */
  'route-extra-dictionary': 'ROUTE names its database in an extra Dictionary, not as a String',
  /** docs-bolt message.adoc, TELEMETRY: api is 0–3; "an invalid value for the api field ... results in a FAILURE". */
  'telemetry-api': 'TELEMETRY api is 0, 1, 2 or 3',
  /** docs-bolt message.adoc, RESET: "received before the server enters a READY state, it should trigger a FAILURE followed by immediate closure". */
  'reset-before-ready': 'RESET before the connection is authenticated is refused and the connection closed',
  /** docs-bolt message.adoc, HELLO (5.3+): bolt_agent "This field is mandatory", and so is its product. */
  'hello-bolt-agent': 'HELLO on Bolt 5.3+ carries bolt_agent with a product',
  /** docs-bolt message.adoc: mode is "w" or "r"; Neo4j: "Expecting access mode value to be 'r' or 'w'". */
  'access-mode': 'mode is "r" or "w"'
} as const

export type StrictRule = keyof typeof STRICT_RULES

/** Applies the rules on one connection: refuses a breach, or lets it pass when lenient; counts it either way. */
export class StrictJudge {
  constructor (
    readonly lenient: boolean,
    private readonly noteBreach: (rule: StrictRule) => void = () => {}
  ) {}

  /** A breach of `rule`: throws the real server's refusal unless lenient. */
  breach (rule: StrictRule, refusal: () => FixtureError): void {
    this.noteBreach(rule)
    if (!this.lenient) throw refusal()
  }
}

/** A judge that lets everything through (for unit tests of the parsing helpers). */
export const LENIENT_JUDGE = new StrictJudge(true)
