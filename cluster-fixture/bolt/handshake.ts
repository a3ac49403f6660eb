// The Bolt handshake (neo4j/docs-bolt `bolt/handshake.adoc`), as pure functions
// over bytes so every case can be tested without a socket.
//
// Client: magic 60 60 B0 17 + exactly four big-endian u32 proposals
// [00][range][minor][major] meaning major.minor down to major.(minor − range).
// `00 00 01 FF` asks for Manifest v1; `00 00 00 00` is filler.
//
// Legacy reply: the chosen version as `00 00 minor major`, or `00 00 00 00` and
// close when nothing matches. Manifest v1 reply: `00 00 01 FF`, a varint count,
// that many ranges, a varint capability mask; the client answers with its
// chosen version (4 bytes) and its own capability varint.

import { type BoltVersion, majorOf, minorOf, versionCode } from './versions.js'

export const MAGIC = Buffer.from([0x60, 0x60, 0xB0, 0x17])
export const HANDSHAKE_LENGTH = 20
export const NO_VERSION_REPLY = Buffer.from([0, 0, 0, 0])
const MANIFEST_V1_MARKER = 0x000001FF

export type Proposal =
  | { kind: 'manifest', manifestVersion: number }
  | { kind: 'range', major: number, minor: number, range: number }
  | { kind: 'filler' }

export type Negotiation =
  | { kind: 'version', version: BoltVersion }
  | { kind: 'manifest' }
  | { kind: 'none' }

export function hasMagic (handshake: Uint8Array): boolean {
  return handshake.length >= 4 &&
    handshake[0] === MAGIC[0] && handshake[1] === MAGIC[1] && handshake[2] === MAGIC[2] && handshake[3] === MAGIC[3]
}

/** True while the bytes so far could still become the magic (a handshake split across reads). */
export function isMagicPrefix (bytes: Uint8Array): boolean {
  if (bytes.length >= 4) return false
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== MAGIC[i]) return false
  return true
}

/** The four proposals after the magic (the caller checked the length and the magic). */
export function parseProposals (handshake: Uint8Array): Proposal[] {
  const proposals: Proposal[] = []
  for (let offset = 4; offset < HANDSHAKE_LENGTH; offset += 4) {
    const range = handshake[offset + 1]
    const minor = handshake[offset + 2]
    const major = handshake[offset + 3]
    const word = ((handshake[offset] << 24) | (range << 16) | (minor << 8) | major) >>> 0
    if (word === 0) proposals.push({ kind: 'filler' })
    else if (major === 0xFF) proposals.push({ kind: 'manifest', manifestVersion: word === MANIFEST_V1_MARKER ? 1 : minor })
    else proposals.push({ kind: 'range', major, minor, range })
  }
  return proposals
}

/** The highest version of `supported` inside a proposal range, or null. */
export function bestInRange (proposal: { major: number, minor: number, range: number }, supported: readonly BoltVersion[]): BoltVersion | null {
  const lowestMinor = Math.max(0, proposal.minor - proposal.range)
  const matches = supported
    .filter(v => majorOf(v) === proposal.major && minorOf(v) <= proposal.minor && minorOf(v) >= lowestMinor)
    .sort((a, b) => b - a)
  return matches.length === 0 ? null : matches[0]
}

/** Walks the proposals in the client's order; the first that we can serve wins. */
export function negotiate (proposals: readonly Proposal[], supported: readonly BoltVersion[], offerManifest: boolean): Negotiation {
  for (const proposal of proposals) {
    if (proposal.kind === 'manifest') {
      if (offerManifest && proposal.manifestVersion === 1 && supported.length > 0) return { kind: 'manifest' }
      continue
    }
    if (proposal.kind !== 'range') continue
    const version = bestInRange(proposal, supported)
    if (version !== null) return { kind: 'version', version }
  }
  return { kind: 'none' }
}

export function legacyReply (version: BoltVersion): Buffer {
  return Buffer.from([0, 0, minorOf(version), majorOf(version)])
}

export function writeVarInt (value: number, out: number[]): void {
  let rest = value
  do {
    const group = rest & 0x7F
    rest = Math.floor(rest / 128)
    out.push(rest > 0 ? group | 0x80 : group)
  } while (rest > 0)
}

/** Groups versions (highest first) into ranges of one major with consecutive minors. */
export function versionRanges (versions: readonly BoltVersion[]): Array<{ major: number, minor: number, range: number }> {
  const sorted = [...versions].sort((a, b) => b - a)
  const ranges: Array<{ major: number, minor: number, range: number }> = []
  for (const v of sorted) {
    const last = ranges[ranges.length - 1]
    if (last !== undefined && last.major === majorOf(v) && last.minor - last.range - 1 === minorOf(v)) {
      last.range += 1
    } else {
      ranges.push({ major: majorOf(v), minor: minorOf(v), range: 0 })
    }
  }
  return ranges
}

/** `00 00 01 FF`, varint N, N ranges `00 RR mm MM`, varint capabilities (0). One write: clients read it as one message. */
export function manifestReply (versions: readonly BoltVersion[]): Buffer {
  const bytes: number[] = [0x00, 0x00, 0x01, 0xFF]
  const ranges = versionRanges(versions)
  writeVarInt(ranges.length, bytes)
  for (const r of ranges) bytes.push(0x00, r.range, r.minor, r.major)
  writeVarInt(0, bytes)
  return Buffer.from(bytes)
}

export type ManifestChoice =
  | { kind: 'incomplete' }
  | { kind: 'chosen', version: BoltVersion, consumed: number }
  | { kind: 'invalid', reason: string }

const MAX_VARINT_BYTES = 5

/** Parses the client's manifest answer: 4-byte version + capability varint. */
export function parseManifestChoice (bytes: Uint8Array, offered: readonly BoltVersion[]): ManifestChoice {
  if (bytes.length < 5) return { kind: 'incomplete' }
  let consumed = 4
  for (;;) {
    if (consumed >= bytes.length) return { kind: 'incomplete' }
    const byte = bytes[consumed++]
    if ((byte & 0x80) === 0) break
    if (consumed - 4 >= MAX_VARINT_BYTES) return { kind: 'invalid', reason: 'capability varint longer than 5 bytes' }
  }
  const version = versionCode(bytes[3], bytes[2])
  if (bytes[0] !== 0 || bytes[1] !== 0 || !offered.includes(version)) {
    return { kind: 'invalid', reason: `client chose version bytes ${Buffer.from(bytes.subarray(0, 4)).toString('hex')}, which we did not offer` }
  }
  return { kind: 'chosen', version, consumed }
}
