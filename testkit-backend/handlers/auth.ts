// Auth requests: token managers whose callbacks testkit answers (custom,
// basic and bearer managers: the last two are the driver's own
// authTokenManagers.basic / .bearer around a provider that asks testkit),
// client certificate providers, VerifyAuthentication and
// CheckSessionAuthSupport.

import neo4j, { type AuthToken, type AuthTokenManager, type ClientCertificate, type ClientCertificateProvider } from '../../lib/index.js'
import type { Context } from '../context.js'
import { BackendProblem } from '../protocol/problems.js'
import { NO_REPLY, type HandlerResult } from '../replies/reply.js'
import { closeCallbackObject, completeCallback } from './callback-objects.js'
import type { Fields } from './data.js'
import { wrappedAuthToken } from './driver.js'

/** The token as testkit's AuthorizationToken (only the fields the token has, so testkit's equality holds). */
function authTokenJson (token: unknown): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  if (token !== null && typeof token === 'object') {
    for (const key of ['scheme', 'principal', 'credentials', 'realm', 'parameters']) {
      const value = (token as Record<string, unknown>)[key]
      if (value !== undefined) data[key] = value
    }
  }
  return { name: 'AuthorizationToken', data }
}

function tokenOf (answer: Record<string, unknown>, request: string): AuthToken {
  const auth = answer.auth
  if (auth === null || typeof auth !== 'object') throw new BackendProblem(`${request}.auth must be an AuthorizationToken`)
  return wrappedAuthToken(auth as Record<string, unknown>)
}

export async function NewAuthTokenManager (context: Context): Promise<HandlerResult> {
  const id = context.nextId()
  const manager: AuthTokenManager = {
    getToken: async () => tokenOf(await context.callBack('getAuth', 'AuthTokenManagerGetAuthRequest', { authTokenManagerId: id }), 'AuthTokenManagerGetAuthCompleted'),
    handleSecurityException: (auth, code) => {
      // The driver needs the answer now; testkit's comes later (see Context.securityDecisions).
      const decision = context.callBack('handleSecurityException', 'AuthTokenManagerHandleSecurityExceptionRequest', {
        authTokenManagerId: id, auth: authTokenJson(auth), errorCode: code
      }).then(answer => ({ code, handled: answer.handled === true }), () => ({ code, handled: true }))
      context.securityDecisions.push(decision)
      return true
    }
  }
  context.authTokenManagers.add(id, manager)
  return { name: 'AuthTokenManager', data: { id } }
}

export const AuthTokenManagerClose = closeCallbackObject('authTokenManagers', 'AuthTokenManager')

export const AuthTokenManagerGetAuthCompleted = completeCallback('getAuth', f => ({ auth: f.raw('auth') }))

export const AuthTokenManagerHandleSecurityExceptionCompleted = completeCallback('handleSecurityException', f => ({ handled: f.optionalBoolean('handled') ?? false }))

export async function NewBasicAuthTokenManager (context: Context): Promise<HandlerResult> {
  const id = context.nextId()
  const manager = neo4j.authTokenManagers.basic({
    tokenProvider: async () => tokenOf(await context.callBack('basicAuthTokenProvider', 'BasicAuthTokenProviderRequest', { basicAuthTokenManagerId: id }),
      'BasicAuthTokenProviderCompleted')
  })
  context.authTokenManagers.add(id, manager)
  return { name: 'BasicAuthTokenManager', data: { id } }
}

export const BasicAuthTokenProviderCompleted = completeCallback('basicAuthTokenProvider', f => ({ auth: f.raw('auth') }))

/**
 * An expiry on the backend's clock: the bearer manager compares it with
 * `new Date()`, so it converts itself into real time whenever it is read,
 * and FakeTime ticks expire tokens as they would on a real clock.
 */
function expiryOnClock (context: Context, expiresInMs: number): Date {
  const deadline = context.clock.now() + expiresInMs
  const expiry = new Date(Date.now() + expiresInMs)
  // Read at comparison time: a token is expired from its deadline on.
  expiry.valueOf = () => Date.now() + (deadline - context.clock.now()) - 1
  return expiry
}

export async function NewBearerAuthTokenManager (context: Context): Promise<HandlerResult> {
  const id = context.nextId()
  const manager = neo4j.authTokenManagers.bearer({
    tokenProvider: async () => {
      const answer = await context.callBack('bearerAuthTokenProvider', 'BearerAuthTokenProviderRequest', { bearerAuthTokenManagerId: id })
      const wrapped = answer.auth as { data?: { auth?: unknown, expiresInMs?: unknown } } | null
      const data = wrapped?.data
      if (data === undefined || data.auth === null || typeof data.auth !== 'object') throw new BackendProblem('BearerAuthTokenProviderCompleted.auth must be an AuthTokenAndExpiration')
      const token = wrappedAuthToken(data.auth as Record<string, unknown>)
      const expiresInMs = typeof data.expiresInMs === 'number' ? data.expiresInMs : undefined
      return expiresInMs === undefined ? { token } : { token, expiration: expiryOnClock(context, expiresInMs) }
    }
  })
  context.authTokenManagers.add(id, manager)
  return { name: 'BearerAuthTokenManager', data: { id } }
}

export const BearerAuthTokenProviderCompleted = completeCallback('bearerAuthTokenProvider', f => ({ auth: f.raw('auth') }))

/** testkit's ClientCertificate ({certfile, keyfile, password}) as the driver's. */
export function clientCertificateOf (wrapped: unknown): ClientCertificate {
  const data = (wrapped as { data?: Record<string, unknown> } | null)?.data
  if (data === undefined || typeof data.certfile !== 'string' || typeof data.keyfile !== 'string') {
    throw new BackendProblem('ClientCertificate needs certfile and keyfile strings')
  }
  return {
    certfile: data.certfile,
    keyfile: data.keyfile,
    ...(typeof data.password === 'string' ? { password: data.password } : {})
  }
}

/**
 * A provider whose every hasUpdate() asks testkit (which answers with the
 * certificate and whether it changed); getClientCertificate() returns the
 * last one it answered, asking only the first time.
 */
export async function NewClientCertificateProvider (context: Context): Promise<HandlerResult> {
  const id = context.nextId()
  let current: ClientCertificate | undefined
  const ask = async (): Promise<boolean> => {
    const answer = await context.callBack('clientCertificateProvider', 'ClientCertificateProviderRequest', { clientCertificateProviderId: id })
    current = clientCertificateOf(answer.clientCertificate)
    return answer.hasUpdate === true
  }
  const provider: ClientCertificateProvider = {
    hasUpdate: async () => await ask(),
    getClientCertificate: async () => {
      if (current === undefined) await ask()
      return current as ClientCertificate
    }
  }
  context.certificateProviders.add(id, provider)
  return { name: 'ClientCertificateProvider', data: { id } }
}

export const ClientCertificateProviderClose = closeCallbackObject('certificateProviders', 'ClientCertificateProvider')

export const ClientCertificateProviderCompleted = completeCallback('clientCertificateProvider', f => ({ clientCertificate: f.raw('clientCertificate'), hasUpdate: f.optionalBoolean('hasUpdate') ?? false }))

export async function VerifyAuthentication (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('driverId')
  const wrapped = f.optionalObject('authorizationToken')
  const auth = wrapped === undefined ? undefined : wrappedAuthToken(wrapped)
  const authenticated = await context.drivers.get(id).verifyAuthentication(auth === undefined ? {} : { auth })
  return { name: 'DriverIsAuthenticated', data: { id, authenticated } }
}

export async function CheckSessionAuthSupport (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('driverId')
  return { name: 'SessionAuthSupport', data: { id, available: await context.drivers.get(id).supportsSessionAuth() } }
}
