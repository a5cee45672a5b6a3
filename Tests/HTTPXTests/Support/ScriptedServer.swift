import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

@testable import HTTPX

/// A raw HTTP server on loopback whose every connection runs a script of the test's: it can
/// answer correctly, or do what real servers will not do on demand (close mid-body, never
/// answer, stop reading, send garbage).
final class ScriptedServer: Sendable {
    typealias Script = @Sendable (ServerConnection) async throws -> Void

    let port: Int
    let unixSocketPath: String?
    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, unixSocketPath: String?,
                 script: @escaping Script) {
        self.channel = channel
        self.port = channel.channel.localAddress?.port ?? 0
        self.unixSocketPath = unixSocketPath
        let counter = Counter()
        self.task = Task {
            try? await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        counter.increment()
                        group.addTask {
                            try? await connection.executeThenClose { input, output in
                                let conn = ServerConnection(input: input.makeAsyncIterator(), output: output)
                                try await script(conn)
                            }
                        }
                    }
                }
            }
        }
        self.counterBox = counter
    }

    private let counterBox: Counter

    /// Connections accepted so far.
    var connections: Int { counterBox.value }

    static func start(
        unixSocketPath: String? = nil, tls: NIOSSLContext? = nil, _ script: @escaping Script
    ) async throws -> ScriptedServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        if let unixSocketPath {
            channel = try await bootstrap.bind(unixDomainSocketPath: unixSocketPath, cleanupExistingSocketFile: true,
                                               childChannelInitializer: initializer)
        } else {
            channel = try await bootstrap.bind(host: "127.0.0.1", port: 0, childChannelInitializer: initializer)
        }
        return ScriptedServer(channel: channel, unixSocketPath: unixSocketPath, script: script)
    }

    /// Stops accepting. The accept loop is not cancelled: it ends when the listening socket's
    /// stream does, so a connection accepted while stopping is still run (a cancelled loop
    /// would drop it unclosed, which SwiftNIO traps on). Scripts still running end on their own.
    func stop() async {
        try? await channel.channel.close()
    }
}

final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// One accepted connection, as a script sees it.
final class ServerConnection: @unchecked Sendable {
    // Only the script's task uses it.
    private var input: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let output: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending = ByteBuffer()

    init(input: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, output: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.input = input
        self.output = output
    }

    struct ReceivedRequest {
        let head: String
        let body: [UInt8]
        var requestLine: String { String(head.split(separator: "\r\n").first ?? "") }
        var method: String { String(requestLine.split(separator: " ").first ?? "") }
        var target: String { String(requestLine.split(separator: " ").dropFirst().first ?? "") }
        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return String(parts[1].drop { $0 == " " })
                }
            }
            return nil
        }
    }

    /// Reads one request (head and body, by Content-Length or chunked); `nil` at EOF.
    func readRequest(readBody: Bool = true) async throws -> ReceivedRequest? {
        guard let headEnd = try await fill(until: { $0.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound }) else {
            return nil
        }
        let headBytes = pending.readBytes(length: headEnd) ?? []
        let head = String(decoding: headBytes, as: UTF8.self)
        var request = ReceivedRequest(head: head, body: [])
        guard readBody else { return request }
        if let length = request.header("Content-Length").flatMap({ Int($0) }) {
            guard try await fill(until: { $0.count >= length ? length : nil }) != nil else { return request }
            request = ReceivedRequest(head: head, body: pending.readBytes(length: length) ?? [])
        } else if request.header("Transfer-Encoding")?.lowercased() == "chunked" {
            var body: [UInt8] = []
            while true {
                guard let lineEnd = try await fill(until: { $0.firstRange(of: Array("\r\n".utf8))?.upperBound }) else { break }
                let line = String(decoding: pending.readBytes(length: lineEnd) ?? [], as: UTF8.self)
                let size = Int(line.split(whereSeparator: { $0 == ";" || $0.isNewline }).first ?? "", radix: 16) ?? 0
                guard try await fill(until: { $0.count >= size + 2 ? size + 2 : nil }) != nil else { break }
                body += (pending.readBytes(length: size + 2) ?? []).dropLast(2)
                if size == 0 { break }
            }
            request = ReceivedRequest(head: head, body: body)
        }
        return request
    }

    /// Reads exactly `count` bytes; `nil` at EOF before them.
    func readBytes(_ count: Int) async throws -> [UInt8]? {
        guard try await fill(until: { $0.count >= count ? count : nil }) != nil else { return nil }
        return pending.readBytes(length: count)
    }

    /// Reads and throws away everything until EOF, counting the bytes.
    func drain() async throws -> Int {
        var total = pending.readableBytes
        pending.clear()
        while let chunk = try await input.next() { total += chunk.readableBytes }
        return total
    }

    private func fill(until complete: ([UInt8]) -> Int?) async throws -> Int? {
        while true {
            if let end = complete(Array(pending.readableBytesView)) { return end }
            guard var chunk = try await input.next() else { return nil }
            pending.writeBuffer(&chunk)
        }
    }

    func write(_ text: String) async throws {
        try await output.write(ByteBuffer(string: text))
    }

    func write(_ bytes: [UInt8]) async throws {
        try await output.write(ByteBuffer(bytes: bytes))
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await output.write(buffer)
    }

    /// Writes a complete response with a Content-Length body.
    func respond(status: String = "200 OK", headers: [String] = [], body: String = "") async throws {
        var text = "HTTP/1.1 \(status)\r\n"
        for header in headers { text += header + "\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        try await write(text)
    }

    /// Serves requests on this connection with `answer` until the client closes it.
    func serve(_ answer: (ReceivedRequest) async throws -> Void) async throws {
        while let request = try await readRequest() {
            try await answer(request)
        }
    }

    /// Waits until the client closes, without reading what it sends.
    func hang() async {
        try? await Task.sleep(for: .seconds(30))
    }
}
