// Drop-in at compile time. `npm run build` compiles this file, so a missing
// type name, a generic that is gone or a type looser than the official one
// fails the build (and with it `npm test`). It uses every official type export
// through our package, checks the types both packages take from
// neo4j-driver-core are identical, that whatever the official API accepts ours
// accepts (configs, arguments), and that what ours returns is what the
// official returns (Result<R>, EagerResult<T>, Observables of typed records).
// Nothing here runs against a server: the checks are the compilation itself.

import { expect } from 'chai'
import type * as Official from 'neo4j-driver'
import type { Observable } from 'rxjs'
import neo4j, * as ours from '../../lib/index.js'
import type * as Ours from '../../lib/index.js'

/** true when A and B are the same type (not merely mutually assignable through any). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
/** true when every From is a To. */
type Assignable<From, To> = [From] extends [To] ? true : false
function check<T extends true> (): T | undefined { return undefined }

// Every type name the official package exports, through ours (a missing one does not compile).
export type OfficialTypeNames = [
  Ours.AuthToken, Ours.Config, Ours.EncryptionLevel, Ours.TrustStrategy, Ours.SessionMode, Ours.QueryResult, Ours.ResultObserver,
  Ours.NotificationPosition, Ours.AuthTokenManagers, Ours.BookmarkManager, Ours.BookmarkManagerConfig, Ours.SessionConfig,
  Ours.QueryConfig, Ours.RoutingControl, Ours.RecordShape, Ours.ResultTransformer<unknown>, Ours.NotificationCategory,
  Ours.NotificationClassification, Ours.NotificationSeverityLevel, Ours.NotificationFilter, Ours.NotificationFilterDisabledCategory,
  Ours.NotificationFilterDisabledClassification, Ours.NotificationFilterMinimumSeverityLevel, Ours.AuthTokenManager,
  Ours.AuthTokenAndExpiration, Ours.ClientCertificate, Ours.ClientCertificateProvider, Ours.ClientCertificateProviders,
  Ours.RotatingClientCertificateProvider, Ours.Rule, Ours.Rules, Ours.StandardCase, Ours.MappedQueryResult<unknown>, Ours.VectorType,
  Ours.EncryptionProfile, Ours.EncapsulatedKeyRecordRepository, Ours.EncapsulatedKeyRecord, Ours.EncapsulatedKey,
  Ours.KeyEncapsulationService, Ours.SecretKey, Ours.RxSession, Ours.RxTransaction, Ours.RxManagedTransaction, Ours.RxResult,
  Ours.Driver, Ours.Session, Ours.Transaction, Ours.ManagedTransaction, Ours.Result, Ours.EagerResult, Ours.Record, Ours.ResultSummary,
  Ours.ServerInfo, Ours.ProtocolVersion, Ours.UUID, Ours.UnsupportedType, Ours.Vector<Int8Array>, Ours.Integer, Ours.Neo4jError
]

// The same types, not look-alikes: what both take from neo4j-driver-core, and the official unions.
export const identical = [
  check<Equals<Ours.AuthToken, Official.AuthToken>>(), // credentials: string, as the official types it
  check<Equals<Ours.EncryptionLevel, Official.EncryptionLevel>>(),
  check<Equals<Ours.TrustStrategy, Official.TrustStrategy>>(),
  check<Equals<Ours.SessionMode, Official.SessionMode>>(),
  check<Equals<Ours.RoutingControl, Official.RoutingControl>>(),
  check<Equals<Ours.RecordShape, Official.RecordShape>>(),
  check<Equals<Ours.Rules, Official.Rules>>(),
  check<Equals<Ours.Rule, Official.Rule>>(),
  check<Equals<Ours.NotificationFilter, Official.NotificationFilter>>(),
  check<Equals<Ours.NotificationCategory, Official.NotificationCategory>>(),
  check<Equals<Ours.NotificationSeverityLevel, Official.NotificationSeverityLevel>>(),
  check<Equals<Ours.NotificationFilterMinimumSeverityLevel, Official.NotificationFilterMinimumSeverityLevel>>(),
  check<Equals<Ours.AuthTokenManager, Official.AuthTokenManager>>(),
  check<Equals<Ours.ClientCertificate, Official.ClientCertificate>>(),
  check<Equals<Ours.Result<{ n: Ours.Integer }>, Official.Result<{ n: Official.Integer }>>>(),
  check<Equals<Ours.EagerResult<{ n: number }>, Official.EagerResult<{ n: number }>>>(),
  check<Equals<Ours.Record<{ n: number }>, Official.Record<{ n: number }>>>(),
  check<Equals<typeof ours.types.Node, typeof neo4j.Node>>()
]

// Whatever the official API accepts, ours accepts.
export const accepts = [
  check<Assignable<Official.Config, Ours.Config>>(),
  check<Assignable<Official.SessionConfig, Ours.SessionConfig>>(),
  check<Assignable<Official.QueryConfig<Official.EagerResult>, Ours.QueryConfig<Ours.EagerResult>>>(),
  check<Assignable<Parameters<Official.Session['beginTransaction']>, Parameters<Ours.Session['beginTransaction']>>>(),
  check<Assignable<Parameters<Official.Driver['verifyConnectivity']>, Parameters<Ours.Driver['verifyConnectivity']>>>(),
  check<Assignable<Parameters<Official.Driver['verifyAuthentication']>, Parameters<Ours.Driver['verifyAuthentication']>>>(),
  check<Assignable<Parameters<Official.Driver['getServerInfo']>, Parameters<Ours.Driver['getServerInfo']>>>(),
  check<Assignable<Parameters<Official.Driver['rxSession']>, Parameters<Ours.Driver['rxSession']>>>(),
  check<Assignable<Parameters<typeof Official.driver>, Parameters<typeof ours.driver>>>(),
  check<Assignable<Parameters<typeof Official.hasReachableServer>, Parameters<typeof ours.hasReachableServer>>>(),
  check<Assignable<Official.BookmarkManager, Ours.BookmarkManager>>()
]

// What ours returns is what the official returns (or usable wherever the official one is).
export const returns = [
  check<Equals<ReturnType<Ours.Driver['getNegotiatedProtocolVersion']>, ReturnType<Official.Driver['getNegotiatedProtocolVersion']>>>(),
  check<Equals<ReturnType<Ours.Driver['getServerInfo']>, ReturnType<Official.Driver['getServerInfo']>>>(),
  check<Equals<ReturnType<Ours.Driver['verifyAuthentication']>, ReturnType<Official.Driver['verifyAuthentication']>>>(),
  check<Equals<ReturnType<Ours.Driver['supportsSessionAuth']>, ReturnType<Official.Driver['supportsSessionAuth']>>>(),
  check<Equals<ReturnType<typeof ours.hasReachableServer>, ReturnType<typeof Official.hasReachableServer>>>(),
  check<Assignable<ReturnType<Ours.Driver['rxSession']>, Official.RxSession>>(),
  check<Assignable<Ours.RxSession, Official.RxSession>>(),
  check<Assignable<Ours.RxTransaction, Official.RxTransaction>>(),
  check<Assignable<Ours.RxManagedTransaction, Official.RxManagedTransaction>>(),
  check<Assignable<Ours.RxResult, Official.RxResult>>(),
  check<Assignable<Ours.BookmarkManager, Official.BookmarkManager>>()
]

/** Official usage, compiled against our package (never called: it would need a server). */
export async function officialUsage (d: Ours.Driver, od: Official.Driver): Promise<void> {
  interface Person { name: string, age: Ours.Integer }
  const s = d.session({ database: 'neo4j', defaultAccessMode: neo4j.session.READ, bookmarks: ['bm'] })

  // run<R>() on Session, Transaction and ManagedTransaction: the records are typed.
  const result = s.run<Person>('MATCH (p:Person) RETURN p.name AS name, p.age AS age', { limit: 10 })
  check<Equals<typeof result, Ours.Result<Person>>>()
  const os = od.session()
  check<Equals<typeof result, ReturnType<typeof os.run<Person>>>>() // the official's own run<R>() type
  const { records } = await result
  const name: string = records[0]!.get('name')
  // @ts-expect-error a key the record shape does not have (this line must fail to compile: typing is not `any`)
  records[0]?.get('height')
  void name
  const tx = await s.beginTransaction({ timeout: 1000, metadata: { app: 'types' } })
  const inTx = tx.run<Person>('RETURN 1', {})
  check<Equals<typeof inTx, Ours.Result<Person>>>()
  await tx.commit()
  const names = await s.executeRead(async mtx => {
    const r = await mtx.run<Person>('MATCH (p:Person) RETURN p.name AS name')
    return r.records.map(rec => rec.get('name'))
  }, { timeout: ours.int(5) })
  check<Equals<typeof names, string[]>>()

  // executeQuery<T>: EagerResult<Shape> by default, the transformer's type otherwise.
  const eager = await d.executeQuery<Ours.EagerResult<Person>>('MATCH (p:Person) RETURN p', {}, { routing: neo4j.routing.READ, database: 'neo4j' })
  check<Equals<typeof eager, Ours.EagerResult<Person>>>()
  check<Equals<typeof eager, Awaited<ReturnType<typeof od.executeQuery<Official.EagerResult<Person>>>>>>()
  const plain = await d.executeQuery('RETURN 1 AS n')
  check<Equals<typeof plain, Ours.EagerResult>>()
  const first = await d.executeQuery('RETURN 1 AS n', {}, { resultTransformer: neo4j.resultTransformers.first<{ n: Ours.Integer }>() })
  check<Equals<typeof first, Ours.Record<{ n: Ours.Integer }> | undefined>>()
  const mapped = await d.executeQuery('RETURN 1 AS n', {}, {
    resultTransformer: neo4j.resultTransformers.mapped({ map: rec => rec.get('n') as number, collect: (ns: number[]) => ns.length })
  })
  check<Equals<typeof mapped, number>>()
  await d.executeQuery({ text: 'RETURN $p', parameters: { p: 1 } })
  await d.executeQuery('RETURN $name', { name: 'x' }, {}, { name: neo4j.rule.asString() })

  // Reactive API.
  const rx = d.rxSession({ database: 'neo4j' })
  const keys: Observable<string[]> = rx.run('RETURN 1 AS n').keys()
  const typedRecords = rx.run<Person>('MATCH (p) RETURN p.name AS name').records()
  check<Equals<typeof typedRecords, Observable<Ours.Record<Person>>>>()
  const summary: Observable<Ours.ResultSummary> = rx.run('RETURN 1').consume()
  const written = rx.executeWrite(rtx => rtx.run<Person>('CREATE (p:Person) RETURN p.name AS name').records())
  check<Equals<typeof written, Observable<Ours.Record<Person>>>>()
  const rtx: Observable<Ours.RxTransaction> = rx.beginTransaction({ timeout: 5 })
  const closed: Observable<unknown> = rx.close()
  void keys; void summary; void rtx; void closed
  const bms: string[] = rx.lastBookmarks()
  void bms

  // Driver extras of the official API.
  const version: Ours.ProtocolVersion = await d.getNegotiatedProtocolVersion()
  const sessionAuth: boolean = await d.supportsSessionAuth()
  const authOk: boolean = await d.verifyAuthentication()
  const reachable: true = await ours.hasReachableServer('neo4j://localhost', { logging: neo4j.logging.console('warn') })
  void version; void sessionAuth; void authOk; void reachable

  // Values and helpers.
  const id: Ours.UUID = neo4j.uuid('6a3a8d5c-8b8f-4a4e-9c2e-1f1c1d9e0b7a')
  void id
  const level: Ours.NotificationFilterMinimumSeverityLevel = neo4j.notificationFilterMinimumSeverityLevel.WARNING
  const category: Ours.NotificationFilterDisabledCategory = neo4j.notificationFilterDisabledCategory.HINT
  const classification: Ours.NotificationFilterDisabledClassification = neo4j.notificationFilterDisabledClassification.HINT
  d.session({ notificationFilter: { minimumSeverityLevel: level, disabledCategories: [category], disabledClassifications: [classification] } })
  const encryption: Ours.EncryptionLevel = 'ENCRYPTION_ON'
  const trust: Ours.TrustStrategy = 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES'
  const mode: Ours.SessionMode = neo4j.session.WRITE
  ours.driver('neo4j://localhost', neo4j.auth.basic('u', 'p'), { encrypted: encryption, trust, maxConnectionPoolSize: 10 })
  void mode
  ours.RecordObjectMapping.translateIdentifiers(ours.RecordObjectMapping.getCaseTranslator(ours.StandardCase.SnakeCase, ours.StandardCase.CamelCase))
  const token: Ours.AuthToken = neo4j.auth.basic('u', 'p')
  const credentials: string = token.credentials
  void credentials
}

describe('public API: types (checked when npm run build compiles this file)', () => {
  it('compiles: every official type name, identical core types, accepted configs, typed results', () => {
    // The assertions above are compile-time; a runtime glance keeps the compiled checks referenced.
    expect(identical.length + accepts.length + returns.length).to.be.greaterThan(30)
    expect(typeof officialUsage).to.equal('function')
  })
})
