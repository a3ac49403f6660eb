// What a request handler answers: one response, or nothing (the "…Completed"
// callback answers and RetryablePositive/Negative get no response of their own).

export interface Reply {
  readonly name: string
  readonly data: Record<string, unknown> | null
}

export const NO_REPLY = Symbol('no reply')

export type HandlerResult = Reply | typeof NO_REPLY
