// Fails loudly if neo4j-driver-bolt-connection moves or reshapes the internals
// lib/connection/wire.ts reaches by deep import (see bolt-internals.d.ts).
import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import wire from 'neo4j-driver-bolt-connection/lib/connection/index.js'
import channelModule from 'neo4j-driver-bolt-connection/lib/channel/index.js'
import * as core from 'neo4j-driver-core'

const require = createRequire(import.meta.url)

describe('connection: bolt-connection internals contract', () => {
  it('is version 6.3.0 and uses the very same neo4j-driver-core copy as we do', () => {
    expect(require('neo4j-driver-bolt-connection/package.json').version).to.equal('6.3.0')
    const theirCore = require(require.resolve('neo4j-driver-core', { paths: [require.resolve('neo4j-driver-bolt-connection')] }))
    expect(theirCore.Neo4jError).to.equal(core.Neo4jError)
  })

  it('exports createChannelConnection (8 parameters), ConnectionErrorHandler.create, ChannelConnection', () => {
    expect(wire.createChannelConnection).to.be.a('function')
    expect(wire.createChannelConnection.length).to.equal(8)
    expect(wire.ConnectionErrorHandler.create).to.be.a('function')
    const handler = wire.ConnectionErrorHandler.create({ errorCode: 'SessionExpired' })
    expect(handler.errorCode()).to.equal('SessionExpired')
    expect(handler.handleAndTransformError).to.be.a('function')
    // the connection routes every error through its handler under this name
    expect((wire.ChannelConnection.prototype as unknown as Record<string, unknown>).handleAndTransformError).to.be.a('function')
  })

  it('ChannelConnection has every method the adapter calls', () => {
    const proto = wire.ChannelConnection.prototype as unknown as Record<string, unknown>
    for (const method of ['connect', 'protocol', 'getProtocolVersion', 'beginTransaction', 'run', 'commitTransaction', 'rollbackTransaction',
      'resetAndFlush', 'isOpen', 'hasOngoingObservableRequests', 'close', '_setIdle', '_unsetIdle', '_handleFatalError']) {
      expect(proto[method], method).to.be.a('function')
    }
    for (const getter of ['id', 'address', 'server', 'version', 'creationTimestamp']) {
      expect(Object.getOwnPropertyDescriptor(proto, getter)?.get, getter).to.be.a('function')
    }
  })

  it('the channel module builds node channels with setupReceiveTimeout', () => {
    expect(channelModule.Channel).to.be.a('function')
    const proto = channelModule.Channel.prototype as unknown as Record<string, unknown>
    for (const method of ['close', 'setupReceiveTimeout', 'write']) expect(proto[method], method).to.be.a('function')
    // The unresponsive-member detector hooks these: the connection calls them exactly when requests
    // become outstanding / none are, and the protocol sets onmessage for every chunk read.
    for (const method of ['startReceiveTimeout', 'stopReceiveTimeout']) expect(proto[method], method).to.be.a('function')
    // receiveTimeoutOf reads the timeout in force (the server's hint) where setupReceiveTimeout keeps it.
    expect(String(proto.setupReceiveTimeout)).to.include('this._receiveTimeout = receiveTimeout')
  })

  it('the connection starts/stops the receive timer on request-count changes and notifies observers of fatal errors', () => {
    const proto = wire.ChannelConnection.prototype as unknown as Record<string, (...args: unknown[]) => unknown>
    const counting = String(proto._handleOngoingRequestsNumberChange)
    expect(counting).to.include('stopReceiveTimeout').and.to.include('startReceiveTimeout').and.to.include('_idle')
    expect(String(proto._handleFatalError)).to.include('notifyFatalError')
    const protocol = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v1.js').default as { prototype: Record<string, unknown> }
    expect(protocol.prototype.resetFailure).to.be.a('function')
    expect(protocol.prototype.notifyFatalError).to.be.a('function')
  })

  it('answers are dispatched through the response handler instance, which moves on in a finally (failOrphanedRequests relies on both)', () => {
    const handler = require('neo4j-driver-bolt-connection/lib/bolt/response-handler.js').default as { prototype: Record<string, unknown> }
    expect(handler.prototype.handleResponse).to.be.a('function')
    expect(String(handler.prototype.handleResponse)).to.include('finally').and.to.include('_updateCurrentObserver').and.to.include('_currentObserver')
    // The protocol keeps its handler as _responseHandler, and the dechunker looks handleResponse up on it for every message.
    const create = String(require('neo4j-driver-bolt-connection/lib/bolt/create.js').default)
    expect(create).to.include('responseHandler.handleResponse(')
    const protocol = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v1.js').default
    expect(String(protocol)).to.include('this._responseHandler = createResponseHandler(this)')
    // A fatal error is kept as _error (what the orphaned request is handed).
    expect(String((wire.ChannelConnection.prototype as unknown as Record<string, unknown>)._handleFatalError)).to.include('this._error =')
  })

  it('BEGIN is written through the protocol\'s own write(message, observer, flush), and an empty output buffer flushes nothing (writeUnflushed)', () => {
    const v1 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v1.js').default as { prototype: Record<string, unknown> }
    expect(v1.prototype.write).to.be.a('function')
    expect((v1.prototype.write as (...a: unknown[]) => unknown).length).to.equal(3)
    expect(String(v1.prototype.write)).to.include('this._chunker.flush()')
    expect(String(v1)).to.include('this._chunker = chunker') // the safety flush reaches the buffer as protocol._chunker
    // Every protocol version we negotiate (4.4 … 6.x) begins through this.write, flushing.
    for (const file of ['bolt-protocol-v4x4', 'bolt-protocol-v5x0', 'bolt-protocol-v5x5', 'bolt-protocol-v5x8', 'bolt-protocol-v6x0']) {
      let proto = require(`neo4j-driver-bolt-connection/lib/bolt/${file}.js`).default.prototype as Record<string, unknown>
      while (!Object.prototype.hasOwnProperty.call(proto, 'beginTransaction')) proto = Object.getPrototypeOf(proto) as Record<string, unknown>
      expect(String(proto.beginTransaction), file).to.match(/this\.write\([^;]*observer, true\)/)
    }
    // RUN and its PULL go through this.write too, the PULL with the caller's flush (executeQuery's RUN rides with its COMMIT).
    for (const file of ['bolt-protocol-v4x4', 'bolt-protocol-v5x0', 'bolt-protocol-v5x8', 'bolt-protocol-v6x0']) {
      let proto = require(`neo4j-driver-bolt-connection/lib/bolt/${file}.js`).default.prototype as Record<string, unknown>
      while (!Object.prototype.hasOwnProperty.call(proto, 'run')) proto = Object.getPrototypeOf(proto) as Record<string, unknown>
      expect(String(proto.run), file).to.match(/this\.write\(/).and.to.match(/flush/)
    }
    const { Chunker } = require('neo4j-driver-bolt-connection/lib/channel/chunking.js') as { Chunker: new (channel: unknown) => { flush: () => unknown } }
    const written: unknown[] = []
    new Chunker({ write: (b: unknown) => written.push(b) }).flush()
    expect(written).to.deep.equal([])
  })

  it('the protocol decodes through its own _unpacker, whose maps go through this._unpackMapWithSize, over ChannelBuffers it reads at `position` (decodeMapsAsPlainObjects)', () => {
    const protocol = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v1.js').default
    expect(String(protocol)).to.include('this._unpacker = this._createUnpacker(')
    expect(String(protocol.prototype.unpack)).to.include('this._unpacker.unpack(')
    const { v1, v2 } = require('neo4j-driver-bolt-connection/lib/packstream/index.js')
    expect(String(v1.Unpacker.prototype._unpackMap).match(/this\._unpackMapWithSize\(/g)).to.have.length(4) // tiny, 8-, 16- and 32-bit sizes
    expect((v1.Unpacker.prototype._unpackMapWithSize as (...a: unknown[]) => unknown).length).to.equal(3)
    for (const method of ['_unpackMap', '_unpackMapWithSize']) expect(Object.prototype.hasOwnProperty.call(v2.Unpacker.prototype, method), method).to.equal(false)
    // Remembered keys: a whole message is a ChannelBuffer whose `position` indexes its own `_buffer`; a split one has none.
    const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf.js').default
    const CombinedBuffer = require('neo4j-driver-bolt-connection/lib/channel/combined-buf.js').default
    const whole = new ChannelBuffer(Buffer.from([0x82, 0x68, 0x69]))
    expect(whole._buffer).to.be.instanceOf(Buffer)
    expect([whole.position, whole.length]).to.deep.equal([0, 3])
    expect(new v2.Unpacker().unpack(whole)).to.equal('hi')
    expect(whole.position).to.equal(3)
    expect(new CombinedBuffer([whole])._buffer).to.equal(undefined)
    expect(String(require('neo4j-driver-bolt-connection/lib/channel/utf8.js').default.decode)).to.include("hasOwnProperty.call(buffer, '_buffer')")
  })

  it('bytes read reach channel.onmessage, framed by a Dechunker whose messages bolt-connection unpacks and handles, a throw breaking the connection (frameMessagesInPlace)', () => {
    const create = String(require('neo4j-driver-bolt-connection/lib/bolt/create.js').default)
    expect(create).to.include('channel.onmessage = function (buf) { return dechunker.write(buf); }')
    expect(create.replace(/\s+/g, ' ')).to.include('responseHandler.handleResponse(protocol.unpack(buf)); } catch (e) { return observer.onError(e); }')
    expect(String(require('neo4j-driver-bolt-connection/lib/connection/connection-channel.js').createChannelConnection)).to.include('onError: conn._handleFatalError.bind(conn)')
    expect(String(require('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js').default)).to.include('self.onmessage(new channel_buf_1.default(buffer))')
    const { Dechunker } = require('neo4j-driver-bolt-connection/lib/channel/chunking.js')
    const dechunker = new Dechunker()
    expect(dechunker._state).to.equal(dechunker.AWAITING_CHUNK)
    expect(dechunker._currentMessage).to.deep.equal([])
    expect(String(Dechunker.prototype.write)).to.include('this._state = this._state(buf)')
    expect(String(Dechunker.prototype._onHeader)).to.include('this._currentMessage = [];')
  })

  it('a node channel opens its socket with the connect function it is given, and on connect listens for data and end (openChannel)', () => {
    const NodeChannel = require('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js').default
    expect(NodeChannel.length).to.equal(2)
    const source = String(NodeChannel)
    expect(source).to.include('if (connect === void 0) { connect = _connect; }')
    expect(source).to.include('this._conn = connect(config, function () {')
    expect(source).to.include("self._conn.on('data', function (buffer) {")
    expect(source).to.include("self._conn.on('end', self._handleConnectionTerminated);")
    // bolt-connection's own plain socket and encryption rule, which openChannel's match
    const moduleSource = readFileSync(require.resolve('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js'), 'utf8')
    expect(moduleSource).to.include('net_1.default.connect(config.address.port(), config.address.resolvedHost(), onSuccess)')
    expect(moduleSource).to.include('return socket.setNoDelay(true).setKeepAlive(true);')
    expect(moduleSource).to.include("return config.encrypted === true || config.encrypted === ENCRYPTION_ON;")
    expect((core.internal.util as unknown as Record<string, unknown>).ENCRYPTION_ON).to.equal('ENCRYPTION_ON')
  })

  it('the channel\'s receive timeout is its socket\'s timeout, armed and disarmed per request, breaking the connection with its error (keepReceiveTimerSet)', () => {
    const NodeChannel = require('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js').default
    const setup = String(NodeChannel.prototype.setupReceiveTimeout)
    expect(setup).to.include('this._removeConnectionTimeoutListeners()')
    expect(setup).to.include("this._conn.on('timeout', function () {")
    expect(setup).to.include('_this._conn.destroy((0, neo4j_driver_core_1.newError)("Connection lost. Server didn\'t respond in ".concat(receiveTimeout, "ms"), _this._connectionErrorCode));')
    expect(String(NodeChannel.prototype.startReceiveTimeout)).to.include('this._conn.setTimeout(this._receiveTimeout)')
    expect(String(NodeChannel.prototype.stopReceiveTimeout)).to.include('this._conn.setTimeout(0)')
    const created = String(require('neo4j-driver-bolt-connection/lib/connection/connection-channel.js').default.prototype._handleOngoingRequestsNumberChange)
    expect(created).to.include('this._ch.startReceiveTimeout()').and.to.include('this._ch.stopReceiveTimeout()')
  })

  it('the Chunker sends on flush what it packed into _buffer since the last flush, chunk headers closed by _closeChunkIfOpen (flushWithoutReallocating)', () => {
    const { Chunker } = require('neo4j-driver-bolt-connection/lib/channel/chunking.js')
    const flush = String(Chunker.prototype.flush)
    expect(flush).to.include('this._closeChunkIfOpen();')
    expect(flush).to.include('this._ch.write(out.getSlice(0, out.position));')
    expect(flush).to.include('this._chunkOpen = false;')
    expect(String(Chunker.prototype._closeChunkIfOpen)).to.include('this._buffer.putUInt16(this._currentChunkStart, chunkSize)')
    const chunker = new Chunker({ write: () => {} })
    expect(chunker._buffer.position).to.equal(0)
    expect(chunker._chunkOpen).to.equal(false)
    const created = String(require('neo4j-driver-bolt-connection/lib/connection/connection-channel.js').createChannelConnection)
    expect(created).to.include('new channel_1.Chunker(channel)')
  })

  it('every SUCCESS\'s metadata goes through the response handler\'s _transformMetadata, Bolt 3\'s renaming in every version we speak (renameForSummaryWithoutDelete)', () => {
    const handler = require('neo4j-driver-bolt-connection/lib/bolt/response-handler.js').default as { prototype: Record<string, unknown>, toString: () => string }
    expect(String(handler)).to.include('this._transformMetadata = transformMetadata')
    expect(String(handler.prototype.handleResponse)).to.include('this._transformMetadata(payload)')
    expect(String(require('neo4j-driver-bolt-connection/lib/bolt/create.js').default)).to.include('transformMetadata: protocol.transformMetadata.bind(protocol)')
    const v3 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v3.js').default.prototype.transformMetadata
    for (const file of ['bolt-protocol-v4x4', 'bolt-protocol-v5x0', 'bolt-protocol-v5x5', 'bolt-protocol-v5x8', 'bolt-protocol-v6x0']) {
      expect(require(`neo4j-driver-bolt-connection/lib/bolt/${file}.js`).default.prototype.transformMetadata, file).to.equal(v3)
    }
  })

  it('a result can be told to buffer the rest of its stream (bufferRemainingRecords): the fields it sets are read where it expects', () => {
    const observers = require('neo4j-driver-bolt-connection/lib/bolt/stream-observers.js') as { ResultStreamObserver: { prototype: Record<string, unknown> } }
    const observer = String(observers.ResultStreamObserver)
    for (const field of ['_fetchSize', '_highRecordWatermark', '_lowRecordWatermark']) expect(observer, field).to.include(`this.${field}`)
    expect(String(observers.ResultStreamObserver.prototype._more)).to.include('this._fetchSize')
    expect(observers.ResultStreamObserver.prototype.resume).to.be.a('function')
    const result = readFileSync(require.resolve('neo4j-driver-core/lib/result.js'), 'utf8')
    expect(result).to.include('this._watermarks = watermarks').and.to.include('_this._watermarks.high')
    // createResult's lazy call site replaces the stack core captures eagerly, and core reads it only for an error.
    expect(result).to.include('this._stack = captureStacktrace()').and.to.include('replaceStacktrace(error, _this._stack)')
  })

  it('the record iterator (record-iterator.ts) finds the Result internals it subscribes through', () => {
    const result = readFileSync(require.resolve('neo4j-driver-core/lib/result.js'), 'utf8')
    // A paused subscription whose promise gives the stream's pause/resume/cancel, and the record mapper of Result.as().
    expect(result).to.include('GenericResult.prototype._subscribe = function (observer, paused, skipOnCompleted)')
    expect(result).to.include('o.pause();').and.to.include('return o;')
    expect(result).to.include('this._mapper = function (r) { return r.as(constructorOrRules, rules); }')
    expect(core.Result.prototype.isOpen).to.be.a('function')
  })

  it('core still provides the internals sessions use', () => {
    expect(core.internal.bookmarks.Bookmarks).to.be.a('function')
    expect(core.internal.txConfig.TxConfig.empty).to.be.a('function')
    expect(core.internal.observer.FailedObserver).to.be.a('function')
    expect(core.internal.util.validateQueryAndParameters).to.be.a('function')
    expect(core.internal.serverAddress.ServerAddress).to.be.a('function')
  })
})
