// PackStream maps as plain fast objects. bolt-connection's unpacker builds
// every map (each SUCCESS's metadata, every map and node/relationship
// property set in a record) with one Object.defineProperty per key, which
// guards against a key named `__proto__` but also turns the object into a
// slow, dictionary-mode one: about twice the decoding time of a plain
// assignment, on every answer, and slower reads of the metadata after. Here
// keys are assigned, and only a key that an assignment would not make an own
// data property of a fresh object (`__proto__`, or any name Object.prototype
// has, which a frozen Object.prototype would refuse) takes defineProperty.
// The objects are the same: own, enumerable, writable, configurable
// properties in the order received.

import type { PackStreamUnpacker } from 'neo4j-driver-bolt-connection/lib/connection/index.js'

const OBJECT_PROTOTYPE: object = Object.prototype

/** Give this unpacker (one connection's) the fast map decoding; others are left as they are. */
export function decodeMapsAsPlainObjects (unpacker: PackStreamUnpacker): void {
  unpacker._unpackMapWithSize = unpackMapWithSize
}

function unpackMapWithSize (this: PackStreamUnpacker, size: number, buffer: unknown, hydrateStructure: unknown): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (let i = 0; i < size; i++) {
    const key = this.unpack(buffer, hydrateStructure) as string
    setOwn(value, key, this.unpack(buffer, hydrateStructure))
  }
  return value
}

/** `target[key] = value` as an own data property, whatever the key (`__proto__` included). */
export function setOwn (target: Record<string, unknown>, key: string, value: unknown): void {
  if (typeof key === 'string' && !(key in OBJECT_PROTOTYPE)) {
    target[key] = value
  } else {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  }
}
