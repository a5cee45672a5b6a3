#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPX
import HTTPXHummingbird
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A Hummingbird app called in-process through `AppTransport`.
@Suite("Hummingbird in-process", .timeLimit(.minutes(2)))
struct HummingbirdAppTests {
    struct AppFailure: Error {}

    /// A context that records who called, as a server's would.
    struct TestContext: RequestContext, RemoteAddressRequestContext {
        var coreContext: CoreRequestContextStorage
        let remoteAddress: SocketAddress?

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            remoteAddress = source.channel.remoteAddress
        }
    }

    struct Greeting: ResponseCodable {
        let message: String
    }

    /// Chunks the `/large` route has written, to see that an early close stops it.
    static let largeChunksWritten = Atomic<Int>(0)

    static func router() -> Router<TestContext> {
        let router = Router(context: TestContext.self)
        router.get("/") { _, _ in "Hello World!" }
        router.get("/whoami") { request, context in
            "\(context.remoteAddress?.ipAddress ?? "?"):\(context.remoteAddress?.port ?? 0) \(request.uri.path)"
        }
        router.get("/json/:name") { _, context in
            Greeting(message: "Hello, \(context.parameters.get("name") ?? "?")")
        }
        router.get("/teapot") { _, _ -> String in throw HTTPError(.badRequest, message: "no coffee") }
        router.get("/fail") { _, _ -> String in throw AppFailure() }
        router.post("/echo") { request, _ in
            Response(status: .ok, body: ResponseBody(asyncSequence: request.body))
        }
        router.post("/count") { request, _ -> String in
            var total = 0
            for try await buffer in request.body { total += buffer.readableBytes }
            return "\(total)"
        }
        router.get("/large") { request, _ in
            let counted = request.uri.query == "counted"
            return Response(status: .ok, body: ResponseBody { writer in
                for _ in 0..<1024 {
                    try await writer.write(ByteBuffer(repeating: 1, count: 64 * 1024))
                    if counted { Self.largeChunksWritten.add(1, ordering: .relaxed) }
                }
                try await writer.finish(nil)
            })
        }
        router.get("/cookie") { request, _ -> Response in
            var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: request.headers[.cookie] ?? "none")))
            response.headers[.setCookie] = "visited=yes; Path=/"
            return response
        }
        router.get("/go") { _, _ in Response.redirect(to: "/json/redirected") }
        return router
    }

    @Test func helloWorldThroughAnApplication() async throws {
        let app = Application(router: Self.router())
        let client = AsyncClient(.init(baseURL: "http://example", transport: try await AppTransport(application: app)))
        let r = try await client.get("/")
        #expect(r.statusCode == 200)
        #expect(try r.text == "Hello World!")
        #expect(r.headers["Content-Length"] == "12")
        let json = try await client.get("/json/swift").json(as: [String: String].self)
        #expect(json == ["message": "Hello, swift"])
    }

    @Test func rootPathAndClientAddress() async throws {
        let transport = try AppTransport(router: Self.router(), rootPath: "/api", clientAddress: "1.2.3.4", clientPort: 4321)
        let client = AsyncClient(.init(baseURL: "http://example", transport: transport))
        #expect(try await client.get("/api/whoami").text == "1.2.3.4:4321 /whoami")
        #expect(try await client.get("/whoami").statusCode == 404, "outside the root path")
        let plain = AsyncClient(.init(transport: try AppTransport(router: Self.router())))
        #expect(try await plain.get("http://example/whoami").text == "127.0.0.1:123 /whoami")
    }

    @Test func errorsAsHummingbirdWouldAnswerThem() async throws {
        let client = AsyncClient(.init(baseURL: "http://example", transport: try AppTransport(router: Self.router())))
        #expect(try await client.get("/no/such/route").statusCode == 404)
        let teapot = try await client.get("/teapot")
        #expect(teapot.statusCode == 400)
        #expect(try teapot.text.contains("no coffee"))
        await #expect(throws: AppFailure.self) { _ = try await client.get("/fail") }
        let lenient = AsyncClient(.init(baseURL: "http://example", transport: try AppTransport(router: Self.router(), raiseAppExceptions: false)))
        #expect(try await lenient.get("/fail").statusCode == 500)
    }

    /// Their memory is measured in a process of its own (`httpx-memory-probe hummingbird`,
    /// in HTTPXTests' ConstantMemoryTests); here, that every byte arrives.
    @Test func largeBodiesStreamBothWays() async throws {
        let client = AsyncClient(.init(baseURL: "http://example", transport: try AppTransport(router: Self.router())))
        let upload = try await client.post("/count", content: .stream(Generated(chunks: 1024, size: 64 * 1024)))
        #expect(try upload.text == "\(64 << 20)")
        var echoed = 0
        try await client.stream(.post, "/echo", content: .stream(Generated(chunks: 1024, size: 64 * 1024))) { response in
            for try await chunk in response.bytes() { echoed += chunk.readableBytes }
        }
        #expect(echoed == 64 << 20)
        var downloaded = 0
        try await client.stream(.get, "/large") { response in
            for try await chunk in response.bytes() { downloaded += chunk.readableBytes }
        }
        #expect(downloaded == 64 << 20)
    }

    @Test func closingAStreamedResponseEarlyStopsTheAppsWriter() async throws {
        let client = AsyncClient(.init(baseURL: "http://example", transport: try AppTransport(router: Self.router())))
        try await client.stream(.get, "/large?counted") { response in
            for try await _ in response.bytes() { break }
        }
        try await Task.sleep(for: .milliseconds(300))
        let written = Self.largeChunksWritten.load(ordering: .relaxed)
        #expect(written < 64, "the writer stopped after \(written) of 1024 chunks")
    }

    @Test func cookiesAndRedirects() async throws {
        let client = AsyncClient(.init(
            baseURL: "http://example", followRedirects: true, transport: try AppTransport(router: Self.router())))
        #expect(try await client.get("/cookie").text == "none")
        #expect(try await client.get("/cookie").text == "visited=yes")
        let r = try await client.get("/go")
        #expect(r.statusCode == 200)
        #expect(r.history.count == 1)
        #expect(try r.text.contains("Hello, redirected"))
    }

    /// `chunks` buffers of `size` bytes, made as they are read.
    struct Generated: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let chunks: Int
        let size: Int

        struct AsyncIterator: AsyncIteratorProtocol {
            var left: Int
            let size: Int
            mutating func next() async throws -> ByteBuffer? {
                guard left > 0 else { return nil }
                left -= 1
                return ByteBuffer(repeating: 7, count: size)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(left: chunks, size: size) }
    }
}
