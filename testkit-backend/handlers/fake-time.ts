// Backend:MockTime: FakeTimeInstall / FakeTimeTick{incrementMs} /
// FakeTimeUninstall, each answered with FakeTimeAck. They drive the
// connection's BackendClock (clock.ts), which every driver of the connection
// reads, whether it was created before or after the install.

import type { Context } from '../context.js'
import { BackendProblem } from '../protocol/problems.js'
import type { HandlerResult } from '../replies/reply.js'
import type { Fields } from './data.js'

const ACK: HandlerResult = { name: 'FakeTimeAck', data: {} }

export async function FakeTimeInstall (context: Context): Promise<HandlerResult> {
  context.clock.install()
  return ACK
}

export async function FakeTimeTick (context: Context, f: Fields): Promise<HandlerResult> {
  const increment = f.optionalNumber('incrementMs')
  if (increment === undefined) throw new BackendProblem('FakeTimeTick: incrementMs is missing')
  context.clock.tick(increment)
  return ACK
}

export async function FakeTimeUninstall (context: Context): Promise<HandlerResult> {
  context.clock.uninstall()
  return ACK
}
