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
                    mode: .server, connectionConfiguration: configuration, streamConfiguration: .init()
                ) { stream in
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
                }.map { _ in }
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
