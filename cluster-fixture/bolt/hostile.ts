// Hostile modes: a member that misbehaves on the wire, for the driver's chaos
// suite. Each is simple and deterministic; all apply live to every connection
// of the server (existing and new) while set. A connection that misbehaved is
// "tainted" and is destroyed when the mode is cleared (its byte stream can no
// longer be trusted by either side); untainted ones carry on.
//
// - 'garbage': the handshake is answered normally; every batch of answers is
//   replaced by GARBAGE_FRAME, a well-framed chunk whose PackStream starts with
//   reserved markers, so a client fails to decode at once. Requests are still
//   executed.
// - 'truncate': the next batch of answers is cut in the middle of its first
//   chunk (the header promises more than is sent), then the socket is ended.
// - 'absurd-size': the next answer is replaced by ABSURD_CHUNK_HEADER, a chunk
//   header announcing 65 535 bytes followed by 2 of them; nothing more is ever
//   sent on that connection (a client waits until its own timeout).
// - 'wrong-version': new handshakes are answered with WRONG_VERSION_REPLY
//   (9.9, which no client offered); nothing else is sent. Established
//   connections are not affected.
// - 'silent-after-handshake': the handshake is answered normally; answers are
//   then dropped (requests are still executed), like a hung server.

export type HostileMode = 'garbage' | 'truncate' | 'absurd-size' | 'wrong-version' | 'silent-after-handshake'

export const HOSTILE_MODES: readonly HostileMode[] = ['garbage', 'truncate', 'absurd-size', 'wrong-version', 'silent-after-handshake']

/** A chunk of 4 reserved PackStream markers, then the end-of-message marker. */
export const GARBAGE_FRAME = Buffer.from([0x00, 0x04, 0xC4, 0xC5, 0xC6, 0xC7, 0x00, 0x00])

/** Chunk size 65 535, then only the first two bytes of it (a SUCCESS structure header). */
export const ABSURD_CHUNK_HEADER = Buffer.from([0xFF, 0xFF, 0xB1, 0x70])

/** Version 9.9, in the legacy reply layout. */
export const WRONG_VERSION_REPLY = Buffer.from([0x00, 0x00, 0x09, 0x09])

/** The first bytes of `answer`, ending in the middle of its first chunk. */
export function truncatedAnswer (answer: Buffer): Buffer {
  if (answer.length < 3) return answer.subarray(0, Math.max(0, answer.length - 1))
  const firstChunkSize = answer.readUInt16BE(0)
  const cut = 2 + Math.max(1, Math.floor(firstChunkSize / 2))
  return answer.subarray(0, Math.min(cut, answer.length - 1))
}

/** What a hostile mode sends instead of a batch of answers, and what follows. */
export interface HostileAnswer {
  bytes: Buffer | null
  /** 'continue': the connection goes on; 'end': end it after the bytes; 'stall': never write again. */
  then: 'continue' | 'end' | 'stall'
}

export function hostileAnswer (mode: Exclude<HostileMode, 'wrong-version'>, answer: Buffer): HostileAnswer {
  switch (mode) {
    case 'garbage': return { bytes: GARBAGE_FRAME, then: 'continue' }
    case 'truncate': return { bytes: truncatedAnswer(answer), then: 'end' }
    case 'absurd-size': return { bytes: ABSURD_CHUNK_HEADER, then: 'stall' }
    case 'silent-after-handshake': return { bytes: null, then: 'continue' }
  }
}
