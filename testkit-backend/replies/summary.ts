// Records and result summaries in testkit's shape. Summary is built by
// testkit as `Summary(**data)`, so its top-level keys are exactly the ones
// nutkit knows; nested objects are plain dicts compared field by field.

import { FEATURES } from '../features.js'
import type { Record as DriverRecord, ResultSummary } from '../../lib/index.js'
import { toCypher } from '../protocol/cypher-values.js'

/** A summary number (Integer, bigint or number) as a JS number; null stays null. */
function num (v: unknown): number | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  const n = Number((v as { toString: () => string }).toString())
  return Number.isNaN(n) ? null : n
}

export function recordJson (record: DriverRecord): { values: unknown[] } {
  return { values: [...record.values()].map(toCypher) }
}

function cypherMap (map: Record<string, unknown> | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(map ?? {})) out[key] = toCypher(value)
  return out
}

interface PlanLike { operatorType: string, identifiers: string[], arguments: Record<string, unknown>, children: PlanLike[] }
interface ProfileLike extends PlanLike {
  dbHits: unknown, rows: unknown, pageCacheMisses?: unknown, pageCacheHits?: unknown, pageCacheHitRatio?: unknown, time?: unknown, children: ProfileLike[]
}

/** Plan arguments are plain values in testkit's summary (not Cypher-wrapped). */
function plainArguments (args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(args ?? {})) out[key] = typeof value === 'bigint' ? Number(value) : value
  return out
}

function planJson (plan: PlanLike | false): Record<string, unknown> | null {
  if (plan === false || plan === null || plan === undefined) return null
  return {
    args: plainArguments(plan.arguments),
    operatorType: plan.operatorType,
    identifiers: plan.identifiers,
    children: (plan.children ?? []).map(child => planJson(child))
  }
}

function profileJson (profile: ProfileLike | false, isChild = false): Record<string, unknown> | null {
  if (profile === false || profile === null || profile === undefined) return null
  const json: Record<string, unknown> = {
    args: plainArguments(profile.arguments),
    dbHits: num(profile.dbHits),
    identifiers: profile.identifiers,
    operatorType: profile.operatorType,
    rows: num(profile.rows),
    children: (profile.children ?? []).map(child => profileJson(child, true))
  }
  // Page-cache statistics and time are reported for child operators only (as the official backends do).
  if (isChild) {
    json.pageCacheHitRatio = num(profile.pageCacheHitRatio)
    json.pageCacheHits = num(profile.pageCacheHits)
    json.pageCacheMisses = num(profile.pageCacheMisses)
    json.time = num(profile.time)
  }
  return json
}

function position (p: unknown): Record<string, number> | null {
  if (p === null || p === undefined || typeof p !== 'object' || Object.keys(p).length === 0) return null
  const { offset, line, column } = p as Record<string, unknown>
  return { offset: num(offset) ?? 0, line: num(line) ?? 0, column: num(column) ?? 0 }
}

/**
 * testkit expects the severity level and category fields from a driver with
 * notification filters, and from Bolt 5.2 on (which brought categories) always.
 */
const FULL_NOTIFICATIONS = FEATURES.includes('Feature:API:Driver:NotificationsConfig')

function notificationJson (n: ResultSummary['notifications'][number], full: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    code: n.code,
    title: n.title,
    description: n.description,
    severity: n.rawSeverityLevel,
    ...(full
      ? { severityLevel: n.severityLevel, rawSeverityLevel: n.rawSeverityLevel, category: n.category, rawCategory: n.rawCategory ?? '' }
      : {})
  }
  const at = position(n.position)
  if (at !== null) json.position = at
  return json
}

function gqlStatusObjectJson (s: ResultSummary['gqlStatusObjects'][number]): Record<string, unknown> {
  return {
    gqlStatus: s.gqlStatus,
    statusDescription: s.statusDescription,
    position: position(s.position),
    classification: s.classification,
    rawClassification: s.rawClassification ?? null,
    severity: s.severity,
    rawSeverity: s.rawSeverity ?? null,
    diagnosticRecord: cypherMap(s.diagnosticRecord as Record<string, unknown>),
    isNotification: s.isNotification
  }
}

function countersJson (summary: ResultSummary): Record<string, unknown> {
  const counters = summary.counters
  const updates = counters.updates() as unknown as Record<string, unknown>
  const n = (key: string): number => num(updates[key]) ?? 0
  return {
    constraintsAdded: n('constraintsAdded'),
    constraintsRemoved: n('constraintsRemoved'),
    containsSystemUpdates: counters.containsSystemUpdates(),
    containsUpdates: counters.containsUpdates(),
    indexesAdded: n('indexesAdded'),
    indexesRemoved: n('indexesRemoved'),
    labelsAdded: n('labelsAdded'),
    labelsRemoved: n('labelsRemoved'),
    nodesCreated: n('nodesCreated'),
    nodesDeleted: n('nodesDeleted'),
    propertiesSet: n('propertiesSet'),
    relationshipsCreated: n('relationshipsCreated'),
    relationshipsDeleted: n('relationshipsDeleted'),
    systemUpdates: num(counters.systemUpdates()) ?? 0
  }
}

/**
 * "5.0" for a negotiated Bolt version. toString() reads the fields: neo4j-driver-core
 * 6.3.0's ProtocolVersion.getMinor() returns the major version (5.0 would read "5.5").
 */
export function protocolText (protocol: { toString: () => string } | undefined): string | null {
  return protocol === undefined ? null : protocol.toString()
}

function isAtLeast (protocol: { toString: () => string } | undefined, major: number, minor: number): boolean {
  const [actualMajor = 0, actualMinor = 0] = (protocol?.toString() ?? '0.0').split('.').map(Number)
  return actualMajor > major || (actualMajor === major && actualMinor >= minor)
}

export function summaryJson (summary: ResultSummary): Record<string, unknown> {
  return {
    serverInfo: {
      address: summary.server.address ?? null,
      agent: summary.server.agent ?? null,
      protocolVersion: protocolText(summary.server.protocolVersion)
    },
    counters: countersJson(summary),
    database: summary.database?.name ?? null,
    notifications: summary.notifications.map(n => notificationJson(n, FULL_NOTIFICATIONS || isAtLeast(summary.server.protocolVersion, 5, 2))),
    gqlStatusObjects: summary.gqlStatusObjects.map(gqlStatusObjectJson),
    plan: planJson(summary.plan as PlanLike | false),
    profile: profileJson(summary.profile as ProfileLike | false),
    query: { text: summary.query.text, parameters: cypherMap(summary.query.parameters) },
    queryType: summary.queryType ?? null,
    resultAvailableAfter: num(summary.resultAvailableAfter),
    resultConsumedAfter: num(summary.resultConsumedAfter)
  }
}
