// What every application-side callback object of the protocol (bookmark
// managers, auth token managers, client certificate providers) shares:
// testkit closes it by id and gets that id back under the object's kind.

import type { CallbackKind, Context } from '../context.js'
import { NO_REPLY, type HandlerResult } from '../replies/reply.js'
import type { Fields } from './data.js'

type CallbackObjects = 'bookmarkManagers' | 'authTokenManagers' | 'certificateProviders'

/** Close<Kind>: forget the object; the reply names the kind, as testkit's protocol does. */
export function closeCallbackObject (registry: CallbackObjects, kind: string): (context: Context, f: Fields) => Promise<HandlerResult> {
  return async (context, f) => {
    const id = f.id('id')
    context[registry].get(id) // an unknown id is the caller's mistake: say so rather than reply as if closed
    context[registry].delete(id)
    return { name: kind, data: { id } }
  }
}

/**
 * <Kind>Completed: testkit's answer to a callback the driver is waiting on
 * (context.callBack); `answer` picks the fields that callback reads.
 */
export function completeCallback (kind: CallbackKind, answer: (f: Fields) => Record<string, unknown>): (context: Context, f: Fields) => Promise<HandlerResult> {
  return async (context, f) => {
    context.complete(kind, f.id('requestId'), answer(f))
    return NO_REPLY
  }
}
