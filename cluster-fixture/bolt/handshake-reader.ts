// The server side of the handshake as a small state machine over incoming
// bytes (which may arrive split anywhere): it says what to answer and when
// the Bolt session starts, and hands back the bytes that follow the handshake
// (clients pipeline HELLO behind a manifest choice).

import {
  HANDSHAKE_LENGTH, NO_VERSION_REPLY, hasMagic, isMagicPrefix, legacyReply, manifestReply, negotiate, parseManifestChoice,
  parseProposals
} from './handshake.js'
import type { BoltVersion } from './versions.js'

export type HandshakeStep =
  /** Keep reading. */
  | { kind: 'need-more' }
  /** Not Bolt (wrong magic) or a manifest choice we never offered: close without answering. */
  | { kind: 'reject', reason: string }
  /** Answer `reply` (00 00 00 00) and close: no common version. */
  | { kind: 'no-version', reply: Buffer }
  /** Answer `reply` (the manifest) and wait for the client's choice. */
  | { kind: 'manifest', reply: Buffer }
  /** Answer `reply` (legacy reply, or nothing after a manifest) and start the session; `rest` follows the handshake. */
  | { kind: 'agreed', reply: Buffer | null, version: BoltVersion, byManifest: boolean, rest: Buffer }

export class HandshakeReader {
  private pending: Buffer = Buffer.alloc(0)
  private awaitingManifestChoice = false

  constructor (private readonly versions: readonly BoltVersion[], private readonly offerManifest: boolean) {}

  feed (data: Buffer): HandshakeStep {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data])
    return this.awaitingManifestChoice ? this.readManifestChoice() : this.readProposals()
  }

  private readProposals (): HandshakeStep {
    const bytes = this.pending
    if (!hasMagic(bytes) && !isMagicPrefix(bytes)) return { kind: 'reject', reason: 'wrong magic' }
    if (bytes.length < HANDSHAKE_LENGTH) return { kind: 'need-more' }
    this.pending = bytes.subarray(HANDSHAKE_LENGTH)
    const negotiation = negotiate(parseProposals(bytes), this.versions, this.offerManifest)
    if (negotiation.kind === 'none') return { kind: 'no-version', reply: NO_VERSION_REPLY }
    if (negotiation.kind === 'manifest') {
      this.awaitingManifestChoice = true
      return { kind: 'manifest', reply: manifestReply(this.versions) }
    }
    return this.agreed(legacyReply(negotiation.version), negotiation.version, false, 0)
  }

  private readManifestChoice (): HandshakeStep {
    const choice = parseManifestChoice(this.pending, this.versions)
    if (choice.kind === 'incomplete') return { kind: 'need-more' }
    if (choice.kind === 'invalid') return { kind: 'reject', reason: choice.reason }
    return this.agreed(null, choice.version, true, choice.consumed)
  }

  private agreed (reply: Buffer | null, version: BoltVersion, byManifest: boolean, consumed: number): HandshakeStep {
    const rest = this.pending.subarray(consumed)
    this.pending = Buffer.alloc(0)
    return { kind: 'agreed', reply, version, byManifest, rest }
  }
}
