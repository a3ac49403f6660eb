// The two kinds of failure that are not the driver's own errors:
// - BackendProblem: the backend cannot do what was asked (unknown request, an
//   id it never issued, a request the driver has no API for, malformed data).
//   Testkit shows it as BackendError — never silence, never a fake DriverError.
// - FrontendProblem: the "user code" (testkit) failed inside a transaction
//   function (RetryableNegative without an error id). Testkit expects it back
//   as FrontendError once the driver gives up on the function.

export class BackendProblem extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'BackendProblem'
  }
}

/** A request the driver has no API for; `missing` says what the driver lacks. */
export function unsupported (request: string, missing: string): BackendProblem {
  return new BackendProblem(`${request} is not supported by neo4j-cluster-driver: ${missing}`)
}

export class FrontendProblem extends Error {
  constructor (message = 'TestKit FrontendError: the client code of the transaction function failed') {
    super(message)
    this.name = 'FrontendProblem'
  }
}

/** The FrontendProblem behind `error` (itself or a cause), if the driver surfaced one. */
export function frontendProblemIn (error: unknown): FrontendProblem | undefined {
  let current: unknown = error
  // Bounded walk: cause chains are short, and a cycle must not hang the backend.
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth++) {
    if (current instanceof FrontendProblem) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
