import NIOCore
import Synchronization
import Testing

@testable import HTTPX

@Suite("HTTP/1.1 transport", .timeLimit(.minutes(1)))
struct HTTPTransportTests {
    /// A well-behaved keep-alive server: `/echo` answers with the request it saw.
    static func wellBehaved() async throws -> ScriptedServer {
        try await ScriptedServer.start { connection in
            try await connection.serve { request in
                switch request.target {
                case "/close":
                    try await connection.respond(headers: ["Connection: close"], body: "bye")
                case "/chunked":
                    try await connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                case "/head":
                    try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                case "/204":
                    try await connection.write("HTTP/1.1 204 No Content\r\n\r\n")
                case "/304":
                    try await connection.write("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")
                case "/continue":
                    try await connection.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
                    try await connection.respond(body: "after 1xx")
                default:
                    let body = "\(request.method) \(request.target) \(request.body.count)\n\(request.head)"
                    try await connection.respond(headers: ["Content-Type: text/plain"], body: body)
                }
            }
        }
    }

    @Test func reusesKeepAliveConnections() async throws {
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        try await AsyncClient.withClient(.init(baseURL: server.baseURL)) { client throws in
            for index in 0..<5 {
                let r = try await client.get("/echo", params: ["i": String(index)])
                #expect(r.statusCode == 200)
                #expect(try r.text.hasPrefix("GET /echo?i=\(index) 0"))
                #expect(r.httpVersion == "HTTP/1.1")
            }
            #expect(server.connections == 1)
        }
    }

    @Test func sendsHttpxDefaultHeadersWithCasingAndOrder() async throws {
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        let r = try await AsyncClient().get("\(server.baseURL)/echo", headers: ["X-Custom-Case": "Value"])
        let lines = try r.text.split(separator: "\r\n").map(String.init)
        #expect(lines[1] == "Host: 127.0.0.1:\(server.port)")
        #expect(lines[2] == "Accept: */*")
        #expect(lines[3] == "Accept-Encoding: \(ContentDecoder.supportedEncodings)")
        #expect(lines[4] == "Connection: keep-alive")
        #expect(lines[5] == "User-Agent: swift-httpx/\(HTTPXVersion.current)")
        #expect(lines[6] == "X-Custom-Case: Value")
    }

    @Test func honoursConnectionClose() async throws {
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        try await AsyncClient.withClient(.init(baseURL: server.baseURL)) { client throws in
            #expect(try await client.get("/close").text == "bye")
            #expect(try await client.get("/echo").statusCode == 200)
            #expect(server.connections == 2)
        }
    }

    @Test func framingVariants() async throws {
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        try await AsyncClient.withClient(.init(baseURL: server.baseURL)) { client throws in
            #expect(try await client.get("/chunked").text == "hello world")
            #expect(server.connections == 1, "after chunked")
            let head = try await client.head("/head")
            #expect(head.headers["Content-Length"] == "1000")
            #expect(try head.content.isEmpty)
            #expect(server.connections == 1, "after HEAD")
            #expect(try await client.get("/204").statusCode == 204)
            #expect(server.connections == 1, "after 204")
            #expect(try await client.get("/304").content.isEmpty)
            #expect(server.connections == 1, "after 304")
            #expect(try await client.get("/continue").text == "after 1xx")
            // Everything above ran on the one kept-alive connection.
            #expect(server.connections == 1)
        }
    }

    @Test func sendsBodiesByLengthAndChunked() async throws {
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        try await AsyncClient.withClient(.init(baseURL: server.baseURL)) { client throws in
            let sized = try await client.post("/echo", content: .bytes(Array(repeating: 1, count: 300_000)))
            #expect(try sized.text.hasPrefix("POST /echo 300000"))
            #expect(try sized.text.contains("Content-Length: 300000"))
            let streamed = try await client.post("/echo", content: .stream(Chunks(["ab", "cde", "", "f"])))
            #expect(try streamed.text.hasPrefix("POST /echo 6"))
            #expect(try streamed.text.contains("Transfer-Encoding: chunked"))
            let empty = try await client.post("/echo")
            #expect(try empty.text.contains("Content-Length: 0"))
            var options = try client.buildRequest(.options, "/")
            options.target = "*"
            #expect(try await client.send(options).text.hasPrefix("OPTIONS * 0"))
        }
    }

    @Test func responsesDelimitedByCloseAndHTTP10() async throws {
        let server = try await ScriptedServer.start { connection in
            guard let request = try await connection.readRequest() else { return }
            if request.target == "/http10" {
                try await connection.write("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                try await Task.sleep(for: .seconds(5))
            } else {
                try await connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
            }
        }
        defer { Task { await server.stop() } }
        try await AsyncClient.withClient(.init(baseURL: server.baseURL)) { client throws in
            #expect(try await client.get("/eof").text == "until the end")
            let old = try await client.get("/http10")
            #expect(old.httpVersion == "HTTP/1.0")
            #expect(try old.text == "hello")
            #expect(try await client.get("/eof").text == "until the end")
            #expect(server.connections == 3, "an HTTP/1.0 connection without keep-alive is not reused")
        }
    }

    @Test func idleConnectionsExpire() async throws {
        // Two clients, so a loaded machine cannot stretch the "within the expiry" gap past it:
        // one keeps idle connections a minute, the other a quarter second.
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        let keeping = AsyncClient(.init(transport: HTTPTransport(limits: Limits(keepaliveExpiry: .seconds(60)))))
        _ = try await keeping.get("\(server.baseURL)/echo")
        try await Task.sleep(for: .milliseconds(50))
        _ = try await keeping.get("\(server.baseURL)/echo")
        #expect(server.connections == 1, "reused within the expiry")
        await keeping.close()

        let expiring = AsyncClient(.init(transport: HTTPTransport(limits: Limits(keepaliveExpiry: .milliseconds(250)))))
        _ = try await expiring.get("\(server.baseURL)/echo")
        #expect(server.connections == 2)
        try await Task.sleep(for: .milliseconds(2000))
        _ = try await expiring.get("\(server.baseURL)/echo")
        #expect(server.connections == 3, "a new connection after the expiry")
        await expiring.close()
    }

    @Test func unixDomainSocket() async throws {
        let path = "/tmp/httpx-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = try await ScriptedServer.start(unixSocketPath: path) { connection in
            try await connection.serve { request in
                try await connection.respond(body: "uds \(request.header("Host") ?? "")")
            }
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(transport: HTTPTransport(unixSocketPath: path)))
        #expect(try await client.get("http://docker/version").text == "uds docker")
        await client.close()
    }

    @Test func connectionRefusedIsAConnectError() async throws {
        let server = try await Self.wellBehaved()
        let port = server.port
        await server.stop()
        try await Task.sleep(for: .milliseconds(50))
        let error = await expectHTTPXError(.connectError) { _ = try await AsyncClient().get("http://127.0.0.1:\(port)/") }
        #expect(error?.message.contains("refused") == true)
        #expect(error?.request?.url.port == port)
    }

    @Test func unsupportedSchemes() async {
        await expectHTTPXError(.unsupportedProtocol) { _ = try await AsyncClient().get("ftp://127.0.0.1/") }
    }

    @Test func localAddressAndRetries() async throws {
        let server = try await Self.wellBehaved()
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(transport: HTTPTransport(retries: 2, localAddress: "127.0.0.1")))
        #expect(try await client.get("\(server.baseURL)/echo").statusCode == 200)
        let bad = AsyncClient(.init(transport: HTTPTransport(localAddress: "not-an-ip")))
        await expectHTTPXError(.connectError) { _ = try await bad.get("\(server.baseURL)/echo") }
    }
}
