// The requests of a Bolt connection outside transactions: HELLO (with its
// hints), LOGON's credentials, TELEMETRY and ROUTE — their checks and the
// SUCCESS metadata the clients expect (neo4j/docs-bolt `bolt/message.adoc`,
// `appendix/connection-hints.adoc`). The session owns the state; these
// functions only read requests and build answers.

import type { CypherMap } from '../values.js'
import type { AuthRequest, LoggedOn } from './backend.js'
import { isPackMap, mapField, optionalMap, optionalString, stringList } from './messages.js'
import { type PackMap, type Structure } from './packstream.js'
import { invalidInput, wrongType } from './request-errors.js'
import type { SessionContext } from './session-contract.js'
import type { UnitOfWork } from './unit-of-work.js'
import { type CodecOptions, toCypherMap } from './value-codec.js'
import { features, versionName } from './versions.js'

const BOLT_AGENT_OPTIONAL = ['platform', 'language', 'language_details'] as const

/** HELLO's checks and SUCCESS metadata; also switches `codec` to UTC DateTime when 4.4's patch is asked for. */
export function hello (ctx: SessionContext, request: Structure, codec: CodecOptions): { metadata: CypherMap, routing: CypherMap | null, extra: PackMap } {
  const extra = mapField(request, 0, 'HELLO extra')
  const routing = optionalMap(extra, 'routing')
  optionalString(extra, 'user_agent')
  if (features.boltAgent(ctx.version)) checkBoltAgent(ctx, extra.bolt_agent)
  const metadata: CypherMap = {
    server: ctx.backend.serverAgent,
    connection_id: ctx.connectionId
  }
  const hints: CypherMap = {}
  const { recvTimeoutSeconds, telemetryEnabled, ssrEnabled } = ctx.hints
  if (recvTimeoutSeconds !== undefined && features.recvTimeoutHint(ctx.version)) {
    hints['connection.recv_timeout_seconds'] = BigInt(Math.max(0, Math.floor(recvTimeoutSeconds)))
  }
  if (features.telemetry(ctx.version)) hints['telemetry.enabled'] = telemetryEnabled === true
  if (features.reportsResolvedDatabase(ctx.version)) hints['ssr.enabled'] = ssrEnabled === true
  metadata.hints = hints
  if (ctx.negotiatedByManifest) metadata.protocol_version = versionName(ctx.version)
  if (features.utcPatchable(ctx.version) && stringList(extra.patch_bolt, "'patch_bolt'").includes('utc')) {
    codec.utcDateTime = true
    metadata.patch_bolt = ['utc']
  }
  return { metadata, routing: routing === null ? null : toCypherMap(routing, codec), extra }
}

/** bolt_agent is mandatory from 5.3, and so is its product; the other entries are Strings or absent. */
function checkBoltAgent (ctx: SessionContext, agent: PackMap[string] | undefined): void {
  if (!isPackMap(agent)) {
    ctx.judge.breach('hello-bolt-agent', () => wrongType('bolt_agent', agent, 'MAP', { fatal: true }))
    return
  }
  if (typeof agent.product !== 'string') {
    ctx.judge.breach('hello-bolt-agent', () => wrongType('bolt_agent.product', agent.product, 'STRING', { fatal: true }))
  }
  for (const key of BOLT_AGENT_OPTIONAL) {
    const value = agent[key]
    if (value !== undefined && value !== null && typeof value !== 'string') {
      ctx.judge.breach('hello-bolt-agent', () => wrongType(`bolt_agent.${key}`, value, 'STRING', { fatal: true }))
    }
  }
}

/** The credentials go to the backend and nowhere else (never logged, never echoed). */
export function authenticate (ctx: SessionContext, token: PackMap): LoggedOn {
  const auth: AuthRequest = { scheme: optionalString(token, 'scheme') ?? 'none' }
  if (typeof token.principal === 'string') auth.principal = token.principal
  if (typeof token.credentials === 'string') auth.credentials = token.credentials
  const result = ctx.backend.authenticate(auth)
  return typeof result === 'string' ? { user: result } : result
}

const TELEMETRY_APIS = [0n, 1n, 2n, 3n]

/** TELEMETRY api: an Integer naming the driver API used (0 managed tx, 1 explicit tx, 2 implicit tx, 3 executeQuery). */
export function telemetry (ctx: SessionContext, request: Structure): void {
  const api = request.fields[0]
  if (typeof api === 'number') {
    ctx.judge.breach('integer-fields', () => wrongType('api', api, 'INTEGER'))
    if (!Number.isInteger(api)) throw wrongType('api', api, 'INTEGER')
  } else if (typeof api !== 'bigint') {
    throw wrongType('api', api, 'INTEGER')
  }
  if (!TELEMETRY_APIS.includes(BigInt(api))) {
    ctx.judge.breach('telemetry-api', () => invalidInput('api', api, TELEMETRY_APIS.map(String)))
  }
}

/** ROUTE routing::Dictionary, bookmarks::List<String>, extra::Dictionary(db, imp_user) → `{rt: {ttl, db, servers}}`. */
export async function route (ctx: SessionContext, request: Structure, codec: CodecOptions, user: string, work: UnitOfWork): Promise<CypherMap> {
  const routing = toCypherMap(mapField(request, 0, 'ROUTE routing context'), codec)
  const bookmarks = stringList(request.fields[1], 'ROUTE bookmarks')
  const third = request.fields[2]
  let database: string | null = null
  let impersonatedUser: string | null = null
  if (isPackMap(third)) {
    database = optionalString(third, 'db')
    impersonatedUser = optionalString(third, 'imp_user')
  } else if (typeof third === 'string') {
    // Bolt 4.3 sent the database name itself; 4.4 and 5.x send a Dictionary.
    ctx.judge.breach('route-extra-dictionary', () => wrongType('extra', third, 'MAP'))
    database = third
  } else if (third !== null) {
    throw wrongType('extra', third, 'MAP')
  }
  const table = await work.wait(ctx.backend.route({
    routing,
    bookmarks,
    database: database === '' ? null : database,
    impersonatedUser,
    user
  }, work))
  return {
    rt: {
      ttl: BigInt(Math.max(0, Math.floor(table.ttlSeconds))),
      db: table.db,
      servers: table.servers.map(server => ({ addresses: [...server.addresses], role: server.role }))
    }
  }
}
