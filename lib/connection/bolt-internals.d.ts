// Types for the neo4j-driver-bolt-connection 6.3.0 internals we reach by deep
// import (the package ships only a 4-name stub). Only the members we use are
// declared. spec/unit/connection/bolt-internals-contract.spec.ts fails loudly
// if any of them moves or changes shape in a new release.

declare module 'neo4j-driver-bolt-connection/lib/connection/index.js' {
  import type { Neo4jError, internal, ProtocolVersion } from 'neo4j-driver-core'
  type ServerAddress = internal.serverAddress.ServerAddress
  type ResultStreamObserver = internal.observer.ResultStreamObserver
  type Bookmarks = internal.bookmarks.Bookmarks
  type TxConfig = internal.txConfig.TxConfig
  type Logger = internal.logger.Logger

  export interface ChannelLike {
    close: () => Promise<void>
    setupReceiveTimeout: (ms: number) => void
    /** Called by the connection when requests become outstanding / when none are (unless idle). */
    startReceiveTimeout: () => void
    stopReceiveTimeout: () => void
    /** The receive timeout set by setupReceiveTimeout (ms), null when none. */
    _receiveTimeout?: number | null
    /** Set by the protocol after the handshake; called with every chunk of bytes read from the socket. */
    onmessage?: (buffer: unknown) => void
    _open: boolean
  }

  export interface LoadedClientCertificate { cert: unknown, key: unknown, passphrase?: string }

  export interface RouteRequest {
    routingContext: Record<string, unknown>
    databaseName: string | null
    impersonatedUser: string | null
    /** The procedure's auto-commit query (Bolt < 4.3) is run with these. */
    sessionContext: { bookmarks: Bookmarks, mode?: 'READ' | 'WRITE', database?: string }
    onCompleted: (raw: { ttl: unknown, db: unknown, servers: unknown, isNull: boolean }) => void
    onError: (error: Neo4jError) => void
  }

  /** Dispatches each decoded answer to the request waiting for it (the first in line). */
  export interface ResponseHandlerLike {
    handleResponse: (message: unknown) => void
    /** The request the next answer belongs to (undefined when none waits). */
    _currentObserver: { onError?: (error: Error) => void } | undefined
    /** Applied to every SUCCESS's metadata before its request sees it (the protocol's transformMetadata, bound). */
    _transformMetadata: (metadata: Record<string, unknown>) => Record<string, unknown>
  }

  /** One message's bytes whole (ChannelBuffer); a message split across chunks is a CombinedBuffer, which has no `_buffer`. */
  export interface ChannelBufferLike {
    /** The bytes; `position` indexes them directly. */
    _buffer: Buffer
    /** The read position. */
    position: number
    /** Where the bytes end (reads stop short of it). */
    length: number
  }

  /** bolt-connection's Chunker: packs requests into `_buffer`, framed as chunks; `flush()` hands the packed bytes to the channel. */
  export interface ChunkerLike {
    flush: () => unknown
    /** The buffer packed into; `position` is where the next byte goes. */
    _buffer: ChannelBufferLike
    /** Ends the message: closes the open chunk and writes the empty chunk (flushing first when no room is left for it). */
    messageBoundary: () => void
    /** Writes the open chunk's size into its header. */
    _closeChunkIfOpen: () => void
    _chunkOpen: boolean
    /** Where the open chunk's 2-byte size header lies in `_buffer`. */
    _currentChunkStart: number
    /** The channel flushes write to. */
    _ch: { write: (buffer: unknown) => void }
  }

  /** PackStream's decoder (one per connection's protocol). */
  export interface PackStreamUnpacker {
    /** Decode the next value of the buffer. */
    unpack: (buffer: unknown, hydrateStructure: unknown) => unknown
    /** Decode a map of `size` entries (its marker already read). */
    _unpackMapWithSize: (size: number, buffer: unknown, hydrateStructure: unknown) => Record<string, unknown>
  }

  export interface BoltProtocolLike {
    readonly version: ProtocolVersion
    _responseHandler: ResponseHandlerLike
    _unpacker: PackStreamUnpacker
    /** Decode one whole message (a ChannelBuffer or CombinedBuffer) with this protocol's structures. */
    unpack: (message: unknown) => unknown
    /** Packs one request into the output buffer and queues its observer; sends the buffer when `flush`. */
    write: (message: unknown, observer: unknown, flush: boolean) => void
    /** The signature of the last request written (isLastMessageLogon / isLastMessageReset read it). */
    _lastMessageSignature: number | null
    /** Queue the request's observer for its answer; false (the observer told) when the connection already broke. */
    queueObserverIfProtocolIsNotBroken: (observer: unknown) => boolean
    _log: { isDebugEnabled: () => boolean, debug: (message: string) => void, unredactDebugLogs?: boolean }
    /** The output buffer: `flush()` sends what it holds, and does nothing when empty. */
    _chunker: ChunkerLike
    requestRoutingInformation?: (request: RouteRequest) => unknown
    /** Forget a FAILURE still waiting for its RESET (so a fatal error reaches observers as given). */
    resetFailure: () => void
    /** Whether the last request written was HELLO or LOGON (nothing has run on the connection since it authenticated). */
    isLastMessageLogon: () => boolean
  }

  export interface TxRequest {
    bookmarks: Bookmarks
    txConfig: TxConfig
    mode?: 'READ' | 'WRITE'
    database?: string
    impersonatedUser?: string
    notificationFilter?: unknown
    /** TELEMETRY written before BEGIN/RUN when the server enabled it and the driver did not disable it. */
    apiTelemetryConfig?: { api: number, onTelemetrySuccess?: () => void }
    beforeError?: (error: Error) => void
    afterComplete?: (metadata: any) => void
  }

  export interface RunRequest extends TxRequest {
    fetchSize: number
    highRecordWatermark: number
    lowRecordWatermark: number
    /** Default false (the result pulls in batches as its consumer reads; true is the rx API's flow). */
    reactive?: boolean
    onDb?: (database: string) => void
    afterKeys?: (keys: string[]) => void
    beforeComplete?: (metadata: any) => unknown
    afterError?: (error: Error) => void
  }

  export class ChannelConnection {
    readonly id: number
    readonly address: ServerAddress
    readonly server: { address: string, version?: string, agent?: string, protocolVersion?: unknown }
    readonly version: string | undefined
    readonly creationTimestamp: number
    idleTimestamp: number
    _ch: ChannelLike
    /** The (transformed) fatal error, once the connection broke. */
    _error?: Neo4jError
    /** The token the connection logged on with (null once marked for a new logon, e.g. after AuthorizationExpired). */
    authToken: object | null | undefined
    /** Bolt 5.1+: LOGOFF/LOGON can switch the user of an open connection. */
    readonly supportsReAuth: boolean
    connect (userAgent: string, boltAgent: Record<string, string>, authToken: object, waitReAuth?: boolean): Promise<ChannelConnection>
    protocol (): BoltProtocolLike
    getProtocolVersion (): ProtocolVersion
    beginTransaction (config: TxRequest): ResultStreamObserver
    run (query: string, parameters: Record<string, unknown>, config: RunRequest): ResultStreamObserver
    commitTransaction (config: { beforeError?: (error: Error) => void, afterComplete?: (metadata: any) => void }): ResultStreamObserver
    rollbackTransaction (config: { beforeError?: (error: Error) => void, afterComplete?: (metadata: any) => void }): ResultStreamObserver
    resetAndFlush (): Promise<void>
    isOpen (): boolean
    hasOngoingObservableRequests (): boolean
    close (): Promise<void>
    /** Marks the connection broken and fails every request in flight with `error` (after the error handler saw it). */
    _handleFatalError (error: Neo4jError): void
    _setIdle (observer: { onError: (error: Error) => void, onCompleted?: () => void }): void
    _unsetIdle (): void
  }

  export interface ErrorHandlerCallbacks {
    errorCode: string
    handleUnavailability?: (error: Neo4jError, address: ServerAddress) => Neo4jError
    handleWriteFailure?: (error: Neo4jError, address: ServerAddress) => Neo4jError
    /** `connection`: the one the error came from (absent for errors not tied to one). */
    handleSecurityError?: (error: Neo4jError, address: ServerAddress, connection?: ChannelConnection) => Neo4jError
  }

  export class ConnectionErrorHandler {
    static create (callbacks: ErrorHandlerCallbacks): ConnectionErrorHandler
    errorCode (): string
    /** Called by the connection for every error it reports (FAILUREs and fatal errors). */
    handleAndTransformError (error: Neo4jError, address: ServerAddress, connection?: { isOpen: () => boolean }): Neo4jError
  }

  export interface ChannelConnectionConfig {
    encrypted: boolean
    trust?: string
    trustedCertificates: string[]
    connectionTimeout: number
    disableLosslessIntegers: boolean
    useBigInt: boolean
    notificationFilter?: unknown
    telemetryDisabled: boolean
  }

  export function createChannelConnection (
    address: ServerAddress,
    config: ChannelConnectionConfig,
    errorHandler: ConnectionErrorHandler,
    log: Logger,
    /** A loaded client certificate (node:tls `cert`, `key`, `passphrase`) for mutual TLS, or null. */
    clientCertificate: LoadedClientCertificate | null | undefined,
    serversideRouting: Record<string, unknown> | null,
    ssrCallback: ((enabled: boolean, action: 'OPEN' | 'CLOSE') => void) | undefined,
    createChannel: (channelConfig: unknown) => ChannelLike
  ): Promise<ChannelConnection>

  const wire: {
    createChannelConnection: typeof createChannelConnection
    ConnectionErrorHandler: typeof ConnectionErrorHandler
    ChannelConnection: typeof ChannelConnection
  }
  export default wire
}

declare module 'neo4j-driver-bolt-connection/lib/channel/index.js' {
  import type { ChannelLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
  import type { LoadedClientCertificate } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
  const channel: {
    /** `connect` opens the socket (default: bolt-connection's own, TCP or TLS by the config). */
    Channel: new (channelConfig: unknown, connect?: (channelConfig: unknown, onSuccess: () => void, onFailure: (error: Error) => void) => unknown) => ChannelLike
    /** Reads a ClientCertificate's files (certfile, keyfile, password) into what node:tls takes. */
    ClientCertificatesLoader: { load: (certificate: object) => Promise<LoadedClientCertificate> }
  }
  export default channel
}

declare module 'neo4j-driver-bolt-connection/lib/channel/chunking.js' {
  /** Joins the chunks of each message and hands the message to `onmessage`; a state machine over the bytes. */
  export class Dechunker {
    onmessage: (message: unknown) => void
    /** The current state: a method of its own, which reads from the buffer and returns the next state. */
    _state: (buffer: unknown) => Dechunker['_state']
    /** Between chunks (the state before a chunk's size is read). */
    AWAITING_CHUNK: Dechunker['_state']
    /** The chunks read of a message not yet ended. */
    _currentMessage: unknown[]
  }
  const framing: { Dechunker: typeof Dechunker }
  export default framing
}

declare module 'neo4j-driver-bolt-connection/lib/channel/channel-buf.js' {
  /** A Node Buffer as bolt-connection's decoders read it (see ChannelBufferLike). */
  class ChannelBuffer {
    constructor (bytes: Buffer)
  }
  /** The CommonJS module (its class is its `default` export). */
  const channelBuffers: { default: typeof ChannelBuffer }
  export default channelBuffers
}
