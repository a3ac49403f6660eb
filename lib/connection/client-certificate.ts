// Mutual TLS: the client certificate each new connection presents. A static
// ClientCertificate ({ certfile, keyfile, password }) or a provider (core's
// clientCertificateProviders.rotating, or the application's own object with
// hasUpdate() and getClientCertificate()). Files are read once and again only
// when the provider says it has an update, so rotation reaches new
// connections; open connections keep the certificate they shook hands with.

import { resolveCertificateProvider, type ClientCertificate, type ClientCertificateProvider } from 'neo4j-driver-core'
import { ConfigurationError } from '../errors.js'
import { loadClientCertificate, type LoadedClientCertificate } from './wire.js'

export class ClientCertificateSource {
  private readonly provider: ClientCertificateProvider
  private loaded: Promise<LoadedClientCertificate> | undefined

  constructor (provider: ClientCertificateProvider) {
    this.provider = provider
  }

  /** The certificate for the next connection, files loaded. */
  async get (): Promise<LoadedClientCertificate> {
    if (this.loaded === undefined || await this.provider.hasUpdate()) {
      const loading = (async () => await this.load(await this.provider.getClientCertificate()))()
      this.loaded = loading
      // A failed load is not remembered: the next connection tries again.
      loading.catch(() => { if (this.loaded === loading) this.loaded = undefined })
    }
    return await this.loaded
  }

  private async load (certificate: ClientCertificate): Promise<LoadedClientCertificate> {
    try {
      return await loadClientCertificate(certificate)
    } catch (error) {
      throw new ConfigurationError('clientCertificate', `the client certificate could not be read (${(error as Error).message}); ` +
        "check 'certfile' and 'keyfile' (paths of PEM files) and 'password'")
    }
  }
}

/** The source for the `clientCertificate` option (undefined: no mutual TLS). Throws a TypeError for a value of the wrong shape. */
export function clientCertificateSource (option: unknown): ClientCertificateSource | undefined {
  const provider = resolveCertificateProvider(option)
  return provider === undefined ? undefined : new ClientCertificateSource(provider)
}
