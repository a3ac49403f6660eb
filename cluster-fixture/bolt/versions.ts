// Bolt protocol versions the fixture speaks, and the features each one adds
// (neo4j/docs-bolt `bolt/message.adoc`, "changes across versions").
//
// A version is held as one number, major * 100 + minor (5.8 → 508), so that
// "this feature exists from 5.1 on" is a plain comparison.

export type BoltVersionName = '5.8' | '5.7' | '5.6' | '5.4' | '5.3' | '5.2' | '5.1' | '5.0' | '4.4'

/** major * 100 + minor. */
export type BoltVersion = number

/**
 * Every version we implement, highest first. Not 5.5: "only ever released in
 * some drivers ... No Neo4j server will negotiate this protocol version"
 * (docs-bolt message.adoc, Version 5.5), and the official JS driver has no 5.5.
 */
export const SUPPORTED_VERSIONS: readonly BoltVersion[] = [508, 507, 506, 504, 503, 502, 501, 500, 404]

export function versionCode (major: number, minor: number): BoltVersion {
  return major * 100 + minor
}

export function majorOf (version: BoltVersion): number {
  return Math.floor(version / 100)
}

export function minorOf (version: BoltVersion): number {
  return version % 100
}

export function versionName (version: BoltVersion): string {
  return `${majorOf(version)}.${minorOf(version)}`
}

export function parseVersionName (name: BoltVersionName): BoltVersion {
  const match = /^(\d)\.(\d)$/.exec(name)
  const version = match === null ? NaN : versionCode(Number(match[1]), Number(match[2]))
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new RangeError(`maxVersion must be one of ${SUPPORTED_VERSIONS.map(versionName).join(', ')}; got ${String(name)}`)
  }
  return version
}

/** The versions offered when pretending to be a server no newer than `max`. */
export function versionsUpTo (max: BoltVersion): BoltVersion[] {
  return SUPPORTED_VERSIONS.filter(v => v <= max)
}

/** What changes with the negotiated version, in one place. */
export const features = {
  /** Node/Relationship carry element ids; DateTime is UTC-based (0x49/0x69). */
  elementIds: (v: BoltVersion) => v >= 500,
  utcDateTime: (v: BoltVersion) => v >= 500,
  /** Authentication moves from HELLO to LOGON / LOGOFF. */
  logon: (v: BoltVersion) => v >= 501,
  telemetry: (v: BoltVersion) => v >= 504,
  /** The final PULL/DISCARD SUCCESS carries `statuses` (GQL status objects) instead of `notifications`. */
  gqlStatuses: (v: BoltVersion) => v >= 506,
  /** FAILURE carries neo4j_code, gql_status, description, diagnostic_record. */
  gqlErrors: (v: BoltVersion) => v >= 507,
  /** RUN/BEGIN SUCCESS name the resolved database when the client sent none; hint ssr.enabled. */
  reportsResolvedDatabase: (v: BoltVersion) => v >= 508,
  /** HELLO carries the mandatory `bolt_agent` dictionary. */
  boltAgent: (v: BoltVersion) => v >= 503,
  /** The `connection.recv_timeout_seconds` hint exists (connection-hints appendix: since 4.3). */
  recvTimeoutHint: (v: BoltVersion) => v >= 403,
  /** The 4.3/4.4 "utc" patch (HELLO patch_bolt) exists. */
  utcPatchable: (v: BoltVersion) => v >= 403 && v < 500
}
