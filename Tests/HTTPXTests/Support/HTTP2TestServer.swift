import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Synchronization

/// An HTTP/2 server with prior knowledge on loopback, for what nginx will not do on demand:
/// a chosen SETTINGS_MAX_CONCURRENT_STREAMS (changed later if asked), and streams it resets.
///
/// Paths: `/reset` is answered with RST_STREAM (INTERNAL_ERROR), `/refuse` with RST_STREAM
/// (REFUSED_STREAM); `/slow` after 200 ms; anything else at once
/// with `ok <path>`. It records, per connection, the most streams that were open at once.
final class HTTP2TestServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let stats: Stats

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var connections: Int { stats.state.withLock { $0.maxOpen.count } }
    /// The most streams open at once on any one connection.
    var mostConcurrentStreams: Int { stats.state.withLock { $0.maxOpen.max() ?? 0 } }
    /// How many requests arrived for each path.
    func requests(to path: String) -> Int { stats.state.withLock { $0.paths[path, default: 0] } }
    /// The client's initial stream window (its SETTINGS_INITIAL_WINDOW_SIZE), as last seen.
    var clientStreamWindow: Int { stats.state.withLock { $0.clientStreamWindow } }
    /// The most the server was allowed to send on a connection at once (the client's
    /// connection window).
    var clientConnectionWindow: Int { stats.state.withLock { $0.clientConnectionWindow } }

    /// - Parameter laterMaxConcurrentStreams: sent in a second SETTINGS frame after the first
    ///   request of each connection starts.
    static func start(maxConcurrentStreams: Int?, laterMaxConcurrentStreams: Int? = nil) async throws -> HTTP2TestServer {
        let stats = Stats()
        var settings: HTTP2Settings = [HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20)]
        if let maxConcurrentStreams {
            settings.append(HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams))
        }
        let initialSettings = settings
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let connection = stats.newConnection()
                let resettled = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
                var configuration = NIOHTTP2Handler.ConnectionConfiguration()
                configuration.initialSettings = initialSettings
                return channel.configureHTTP2Pipeline(
                    mode: .server, connectionConfiguration: configuration, streamConfiguration: .init(),
                    inboundStreamInitializer: { stream in
                    if let later = laterMaxConcurrentStreams, !resettled.value {
                        resettled.value = true
                        let frame = HTTP2Frame(
                            streamID: .rootStream,
                            payload: .settings(.settings([HTTP2Setting(parameter: .maxConcurrentStreams, value: later)])))
                        channel.writeAndFlush(frame, promise: nil)
                    }
                    return stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(StreamHandler(stats: stats, connection: connection))
                    }
                }).flatMapThrowing { _ in
                    try channel.pipeline.syncOperations.addHandler(WindowRecorder(stats: stats), position: .first)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HTTP2TestServer(channel: channel, stats: stats)
    }

    private init(channel: any Channel, stats: Stats) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.stats = stats
    }

    func stop() async {
        try? await channel.close()
    }

    final class Stats: Sendable {
        struct State {
            var open: [Int] = []
            var maxOpen: [Int] = []
            var paths: [String: Int] = [:]
            var clientStreamWindow = 0
            var clientConnectionWindow = 0
        }
        let state = Mutex(State())

        func newConnection() -> Int {
            state.withLock {
                $0.open.append(0)
                $0.maxOpen.append(0)
                return $0.open.count - 1
            }
        }

        func opened(_ connection: Int) {
            state.withLock {
                $0.open[connection] += 1
                $0.maxOpen[connection] = max($0.maxOpen[connection], $0.open[connection])
            }
        }

        func closed(_ connection: Int) {
            state.withLock { $0.open[connection] -= 1 }
        }
    }

    /// Reads the client's first frames as they arrive (before the HTTP/2 handler, which keeps
    /// them to itself) to record its SETTINGS_INITIAL_WINDOW_SIZE and connection WINDOW_UPDATE.
    private final class WindowRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let stats: Stats
        private var seen = ByteBuffer()
        private var done = false
        init(stats: Stats) { self.stats = stats }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if !done {
                var copy = unwrapInboundIn(data)
                seen.writeBuffer(&copy)
                parse()
            }
            context.fireChannelRead(data)
        }

        private func parse() {
            var frames = seen
            guard frames.readableBytes >= 24 else { return }
            frames.moveReaderIndex(forwardBy: 24)  // the connection preface
            while let length = frames.getInteger(at: frames.readerIndex, as: UInt32.self).map({ Int($0 >> 8) }),
                frames.readableBytes >= 9 + length,
                let type = frames.getInteger(at: frames.readerIndex + 3, as: UInt8.self),
                let stream = frames.getInteger(at: frames.readerIndex + 5, as: UInt32.self)
            {
                frames.moveReaderIndex(forwardBy: 9)
                guard var payload = frames.readSlice(length: length) else { return }
                switch type {
                case 0x4:  // SETTINGS
                    while let id = payload.readInteger(as: UInt16.self), let value = payload.readInteger(as: UInt32.self) {
                        if id == 0x4 { stats.state.withLock { $0.clientStreamWindow = Int(value) } }
                    }
                case 0x8 where stream & 0x7FFF_FFFF == 0:  // WINDOW_UPDATE on the connection
                    if let increment = payload.readInteger(as: UInt32.self) {
                        stats.state.withLock { $0.clientConnectionWindow = 65_535 + Int(increment & 0x7FFF_FFFF) }
                    }
                case 0x1:  // HEADERS: the set-up is over
                    done = true
                    return
                default:
                    break
                }
            }
        }
    }

    private final class StreamHandler: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload

        let stats: Stats
        let connection: Int
        private var path = ""
        private var counted = false

        init(stats: Stats, connection: Int) {
            self.stats = stats
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .headers(let headers):
                if !counted {
                    counted = true
                    stats.opened(connection)
                }
                path = headers.headers.first(name: ":path") ?? ""
                let path = self.path
                stats.state.withLock { $0.paths[path, default: 0] += 1 }
                if headers.endStream { respond(context: context) }
            case .data(let data):
                if data.endStream { respond(context: context) }
            default:
                break
            }
        }

        private func respond(context: ChannelHandlerContext) {
            switch path {
            case "/reset":
                context.writeAndFlush(wrapOutboundOut(.rstStream(.internalError)), promise: nil)
            case "/refuse":
                context.writeAndFlush(wrapOutboundOut(.rstStream(.refusedStream)), promise: nil)
            case "/slow":
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(200)) {
                    let (handler, context) = bound.value
                    handler.send("slow", context: context)
                }
            default:
                send("ok \(path)", context: context)
            }
        }

        private func send(_ text: String, context: ChannelHandlerContext) {
            let head = HPACKHeaders([(":status", "200"), ("content-length", "\(text.utf8.count)")])
            context.write(wrapOutboundOut(.headers(.init(headers: head))), promise: nil)
            let body = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: true))
            context.writeAndFlush(wrapOutboundOut(body), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if counted { stats.closed(connection) }
            context.fireChannelInactive()
        }
    }
}
