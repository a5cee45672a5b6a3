import NIOCore
import Testing

@testable import HTTPX

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Servers that misbehave on purpose: every failure must end in the right error, promptly,
/// with the connection released.
@Suite("Fault injection", .timeLimit(.minutes(1)))
struct FaultInjectionTests {
    func client(_ server: ScriptedServer, timeout: Timeout = Timeout(2), limits: Limits = .default) -> AsyncClient {
        AsyncClient(.init(baseURL: server.baseURL, timeout: timeout, limits: limits))
    }

    @Test func connectRetriesBackOffThenFail() async throws {
        let server = try await ScriptedServer.start { _ in }
        let port = server.port
        await server.stop()
        try await Task.sleep(for: .milliseconds(50))
        let client = AsyncClient(.init(transport: HTTPTransport(retries: 2)))
        let start = ContinuousClock.now
        await expectHTTPXError(.connectError) { _ = try await client.get("http://127.0.0.1:\(port)/") }
        // Two retries after 0.5 s and 1 s.
        #expect(ContinuousClock.now - start >= .milliseconds(1400))
    }

    @Test func connectTimeoutWhenTheServerNeverAccepts() async throws {
        #if os(Linux)
        let blackHole = try await BlackHoleListener.start()
        defer { blackHole.close() }
        let port = blackHole.port
        var timeout = Timeout(60)
        timeout.connect = .milliseconds(300)
        let start = ContinuousClock.now
        let error = await expectHTTPXError(.connectTimeout) {
            _ = try await AsyncClient(.init(timeout: timeout)).get("http://127.0.0.1:\(port)/")
        }
        #expect(ContinuousClock.now - start < .seconds(20), "not the 60 s of the other timeouts")
        #expect(error?.message.contains("0.3 s") == true)
        #endif
    }

    @Test func closeMidBody() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        }
        defer { Task { await server.stop() } }
        let error = await expectHTTPXError(.remoteProtocol) { _ = try await client(server).get("/x") }
        #expect(error?.request?.url.path == "/x")
    }

    @Test func closeMidChunkedBodyWhileStreaming() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            try await connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nsome\r\n")
        }
        defer { Task { await server.stop() } }
        let client = client(server)
        await expectHTTPXError(.remoteProtocol) {
            try await client.stream(.get, "/x") { response in
                for try await _ in response.bytes() {}
            }
        }
    }

    @Test func neverAnswersIsAReadTimeout() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let start = ContinuousClock.now
        let error = await expectHTTPXError(.readTimeout) {
            _ = try await client(server, timeout: Timeout(60, read: 0.3)).get("/slow")
        }
        #expect(ContinuousClock.now - start < .seconds(20), "not the 60 s of the other timeouts")
        #expect(error?.message.contains("/slow") == true)
    }

    @Test func stallsMidBodyIsAReadTimeout() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart")
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        await expectHTTPXError(.readTimeout) { _ = try await client(server, timeout: Timeout(10, read: 0.3)).get("/x") }
    }

    @Test func stopsReadingTheUploadIsAWriteTimeout() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let big = [UInt8](repeating: 0x61, count: 64 << 20)
        let error = await expectHTTPXError(.writeTimeout) {
            _ = try await client(server, timeout: Timeout(10, write: 0.5)).post("/upload", content: .bytes(big))
        }
        #expect(error?.request?.url.path == "/upload")
    }

    @Test(arguments: [
        "HTTP/1.1 OK-ish\r\n\r\n",
        "garbage that is not HTTP\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
    ])
    func malformedResponsesAreRemoteProtocolErrors(_ reply: String) async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            try await connection.write(reply)
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        await expectHTTPXError(.remoteProtocol) { _ = try await client(server).get("/x") }
    }

    @Test func oversizedHeadersAreRefused() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            let huge = String(repeating: "x", count: 200_000)
            try await connection.write("HTTP/1.1 200 OK\r\nX-Huge: \(huge)\r\nContent-Length: 0\r\n\r\n")
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let error = await expectHTTPXError(.remoteProtocol) { _ = try await client(server).get("/x") }
        #expect(error?.message.contains("too large") == true)
    }

    @Test func closedWithoutAnyResponse() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
        }
        defer { Task { await server.stop() } }
        let error = await expectHTTPXError(.remoteProtocol) { _ = try await client(server).get("/x") }
        #expect(error?.message.contains("without sending a response") == true)
    }

    /// Answers the first request of each connection and keeps it alive, then reads the next
    /// one and closes without answering: a server that dropped an idle connection just as the
    /// client reused it. `seen` records every request the server read.
    static func closesAfterOneRequest(_ seen: SeenRequests) async throws -> ScriptedServer {
        try await ScriptedServer.start { connection in
            guard let first = try await connection.readRequest() else { return }
            seen.append("\(first.method) \(first.target)")
            try await connection.respond(body: "answered \(first.target)")
            guard let second = try await connection.readRequest() else { return }
            seen.append("\(second.method) \(second.target)")
        }
    }

    @Test func staleKeepAliveConnectionIsRetriedOnce() async throws {
        let seen = SeenRequests()
        let server = try await Self.closesAfterOneRequest(seen)
        defer { Task { await server.stop() } }
        let client = client(server)
        #expect(try await client.get("/1").text == "answered /1")
        // Reuses the kept-alive connection, which the server closes on reading the request:
        // the request goes again on a new connection.
        #expect(try await client.get("/2").text == "answered /2")
        #expect(seen.all == ["GET /1", "GET /2", "GET /2"])
        #expect(server.connections == 2)
    }

    @Test func aPOSTOnAStaleConnectionIsNotSentAgain() async throws {
        let seen = SeenRequests()
        let server = try await Self.closesAfterOneRequest(seen)
        defer { Task { await server.stop() } }
        let client = client(server)
        #expect(try await client.get("/1").text == "answered /1")
        // The server may have acted on it: not idempotent, so it fails rather than repeats.
        let error = await expectHTTPXError(.remoteProtocol) {
            _ = try await client.post("/order", content: .bytes(Array("one pizza".utf8)))
        }
        #expect(error?.message.contains("without sending a response") == true)
        #expect(seen.all == ["GET /1", "POST /order"])
    }

    @Test func poolTimeoutWhenEveryConnectionIsBusy() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { _ in
                try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
                try await Task.sleep(for: .milliseconds(800))
                try await connection.write("-half!")
            }
        }
        defer { Task { await server.stop() } }
        var timeout = Timeout(5)
        timeout.pool = .milliseconds(200)
        let client = client(server, timeout: timeout, limits: Limits(maxConnections: 1))
        try await client.stream(.get, "/held") { held throws in
            let error = await expectHTTPXError(.poolTimeout) { _ = try await client.get("/waiting") }
            #expect(error?.message.contains("/waiting") == true)
            #expect(try await held.bytes().collect().readableBytes == 10)
        }
        // The connection came back and serves again.
        #expect(try await client.get("/after").content.count == 10)
        #expect(server.connections == 1)
    }

    @Test func waitersAreServedInOrderWithinTheLimit() async throws {
        let seen = SeenRequests()
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                seen.append(request.target)
                try await Task.sleep(for: .milliseconds(20))
                try await connection.respond(body: request.target)
            }
        }
        defer { Task { await server.stop() } }
        let client = client(server, timeout: Timeout(30), limits: Limits(maxConnections: 1))
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<10 {
                group.addTask { try await client.get("/\(index)").text }
                // Each request joins the line before the next one starts.
                try await Task.sleep(for: .milliseconds(5))
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results) == Set((0..<10).map { "/\($0)" }))
        #expect(seen.all == (0..<10).map { "/\($0)" }, "first come, first served")
        #expect(server.connections == 1)
    }

    @Test func thousandCancelledRequestsLeakNothing() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                if request.target == "/slow" {
                    try await Task.sleep(for: .seconds(30))
                }
                try await connection.respond(body: "ok")
            }
        }
        defer { Task { await server.stop() } }
        let client = client(server, timeout: Timeout(10), limits: Limits(maxConnections: 20))
        #expect(try await client.get("/warm").text == "ok")
        #if os(Linux)
        #expect(clientSockets(to: server.port) >= 1, "the kept-alive connection is seen")
        #endif
        for _ in 0..<20 {
            let tasks = (0..<50).map { _ in Task { try await client.get("/slow") } }
            try await Task.sleep(for: .milliseconds(5))
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
        }
        #expect(try await client.get("/fast").text == "ok", "the pool still serves")
        #expect(clientSockets(to: server.port) <= 20)
        await client.close()
        // Closes run on the event loops, which a loaded machine (other suites run in parallel)
        // may reach late: wait for them, within bounds.
        let deadline = ContinuousClock.now + .seconds(5)
        while clientSockets(to: server.port) > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(clientSockets(to: server.port) == 0, "every socket of the client was closed")
    }

    @Test func closingTheClientMidResponseClosesThatConnectionAfterIt() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { _ in
                try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhalf")
                try await Task.sleep(for: .milliseconds(200))
                try await connection.write("!!")
            }
        }
        defer { Task { await server.stop() } }
        let client = client(server)
        try await client.stream(.get, "/x") { response throws in
            await client.close()
            #expect(try await response.bytes().collect().readableBytes == 6, "a response in flight completes")
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(clientSockets(to: server.port) == 0)
        await expectHTTPXError(.clientClosed) { _ = try await client.get("/y") }
    }

    @Test func cancellingWhileReadingTheBodyReleasesTheConnection() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                if request.target == "/endless" {
                    try await connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    while true {
                        try await connection.write("5\r\nchunk\r\n")
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                try await connection.respond(body: "ok")
            }
        }
        defer { Task { await server.stop() } }
        let client = client(server, limits: Limits(maxConnections: 1))
        let reader = Task {
            try await client.stream(.get, "/endless") { response in
                for try await _ in response.bytes() {}
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        reader.cancel()
        _ = await reader.result
        #expect(try await client.get("/next").text == "ok", "the only connection slot was freed")
    }

    /// The open sockets of this process connected to `port` on loopback (Linux only).
    /// This process's sockets connected to `port`, only those from `localAddress` (IPv4, as
    /// /proc/net/tcp writes it: `0300007F` for 127.0.0.3) when given.
    func clientSockets(to port: Int, fromLocalHex localAddress: String? = nil) -> Int {
        #if os(Linux)
        var inodes = Set<String>()
        if let dir = opendir("/proc/self/fd") {
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                var target = [CChar](repeating: 0, count: 256)
                let count = readlink("/proc/self/fd/\(name)", &target, 255)
                guard count > 0 else { continue }
                let link = String(decoding: target.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if link.hasPrefix("socket:[") { inodes.insert(String(link.dropFirst(8).dropLast())) }
            }
        }
        var matches = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let file = fopen(table, "r") else { continue }
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 512)
            while fgets(&line, 512, file) != nil {
                let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    .split(separator: " ")
                guard fields.count > 9, let remotePort = fields[2].split(separator: ":").last,
                      Int(remotePort, radix: 16) == port, inodes.contains(String(fields[9])),
                      localAddress.map({ fields[1].hasPrefix($0 + ":") }) ?? true
                else { continue }
                matches += 1
            }
        }
        return matches
        #else
        return 0
        #endif
    }
}
