import Dispatch
import NIOCore
import Synchronization
import Testing

@testable import HTTPX

/// In-process apps through `AppTransport`, with every client feature on top.
@Suite("AppTransport", .timeLimit(.minutes(1)))
struct AppTransportTests {
    struct AppFailure: Error, Equatable {
        let reason: String
    }

    /// A small app: routes by the path below its root.
    static let app: AppTransport.App = { request, context in
        switch context.path {
        case "/":
            return Response(200, text: "Hello World!")
        case "/whoami":
            return Response(200, text: "\(context.clientAddress):\(context.clientPort) root=\(context.rootPath)")
        case "/fail":
            throw AppFailure(reason: "boom")
        case "/set-cookie":
            return Response(200, headers: ["Set-Cookie": "session=abc; Path=/"])
        case "/cookie":
            return Response(200, text: request.headers["Cookie"] ?? "none")
        case "/redirect":
            return Response(302, headers: ["Location": "/whoami"])
        case "/count":
            var total = 0
            var chunks = 0
            for try await chunk in request.body.stream {
                total += chunk.readableBytes
                chunks += 1
            }
            return Response(200, text: "\(total) bytes in \(chunks > 1 ? "several chunks" : "one chunk")")
        case "/large":
            return Response(200, body: ResponseBody(stream: Generated(chunks: 1024, size: 64 * 1024)))
        case "/slow":
            try await Task.sleep(for: .seconds(60))
            return Response(200)
        case "/a b":
            return Response(200, text: "decoded")
        default:
            return Response(404, text: "no route for \(context.path)")
        }
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

    func client(_ transport: AppTransport = AppTransport(app: Self.app), followRedirects: Bool = false) -> AsyncClient {
        AsyncClient(.init(baseURL: "http://testserver", followRedirects: followRedirects, transport: transport))
    }

    @Test func helloWorld() async throws {
        let r = try await client().get("/")
        #expect(r.statusCode == 200)
        #expect(try r.text == "Hello World!")
        #expect(r.request.url.description == "http://testserver/")
        let simple = AsyncClient(.init(transport: AppTransport { request in Response(200, text: request.method.rawValue) }))
        #expect(try await simple.post("http://example/").text == "POST")
    }

    @Test func clientAddressAndRootPath() async throws {
        #expect(try await client().get("/whoami").text == "127.0.0.1:123 root=")
        let mounted = client(AppTransport(rootPath: "/api/", clientAddress: "1.2.3.4", clientPort: 5678, app: Self.app))
        #expect(try await mounted.get("/api/whoami").text == "1.2.3.4:5678 root=/api")
        #expect(try await mounted.get("/api").text == "Hello World!", "the root itself is the app's /")
        let outside = try await mounted.get("/apiary/whoami")
        #expect(outside.statusCode == 404, "outside the root path the app is not called")
        #expect(try await client().get("/a%20b").text == "decoded", "the app sees the decoded path")
    }

    @Test func appErrorsAreRaisedOrBecome500() async throws {
        do {
            _ = try await client().get("/fail")
            Issue.record("the app's error must reach the caller")
        } catch let error as AppFailure {
            #expect(error == AppFailure(reason: "boom"))
        }
        let lenient = client(AppTransport(raiseAppExceptions: false, app: Self.app))
        let r = try await lenient.get("/fail")
        #expect(r.statusCode == 500)
        #expect(try r.text.contains("boom"))
    }

    @Test func bodiesStreamBothWays() async throws {
        let client = client()
        let upload = try await client.post("/count", content: .stream(Generated(chunks: 256, size: 64 * 1024)))
        #expect(try upload.text == "\(16 << 20) bytes in several chunks")
        var received = 0
        try await client.stream(.get, "/large") { response in
            for try await chunk in response.bytes() { received += chunk.readableBytes }
        }
        #expect(received == 64 << 20)
    }

    @Test func cookiesRedirectsAuthAndHooksWork() async throws {
        let seen = Mutex<[String]>([])
        let hooks = EventHooks(request: [{ request in seen.withLock { $0.append(request.url.path) } }])
        let client = AsyncClient(.init(
            baseURL: "http://testserver", followRedirects: true, eventHooks: hooks, transport: AppTransport(app: Self.app)))
        _ = try await client.get("/set-cookie")
        #expect(try await client.get("/cookie").text == "session=abc")
        let redirected = try await client.get("/redirect")
        #expect(try redirected.text.hasPrefix("127.0.0.1"))
        #expect(redirected.history.map(\.statusCode) == [302])
        #expect(seen.withLock { $0 } == ["/set-cookie", "/cookie", "/redirect", "/whoami"])

        let guarded = AsyncClient(.init(transport: AppTransport { request in
            request.headers["Authorization"] == BasicAuth("u", "p").headerValue
                ? Response(200) : Response(401, headers: ["WWW-Authenticate": #"Basic realm="app""#])
        }))
        #expect(try await guarded.get("http://app/", auth: .basic("u", "p")).statusCode == 200)
    }

    @Test func readTimeoutBoundsTheApp() async throws {
        let client = AsyncClient(.init(baseURL: "http://testserver", timeout: Timeout(0.2), transport: AppTransport(app: Self.app)))
        let start = ContinuousClock.now
        let error = await expectHTTPXError(.readTimeout) { _ = try await client.get("/slow") }
        #expect(error?.message.contains("/slow") == true)
        #expect(ContinuousClock.now - start < .seconds(20), "well before the app's 60 s")
    }

    @Test func readTimeoutDoesNotWaitForAnAppThatIgnoresCancellation() async throws {
        let stubborn = AppTransport { _ in
            // Waits 60 s whatever happens: cancellation does not reach a dispatch timer.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + 60) { done.resume() }
            }
            return Response(200, text: "late")
        }
        let client = AsyncClient(.init(timeout: Timeout(0.5), transport: stubborn))
        let start = ContinuousClock.now
        await expectHTTPXError(.readTimeout) { _ = try await client.get("http://app/") }
        #expect(ContinuousClock.now - start < .seconds(20), "well before the app's 60 s")
    }

    @Test func mountedNextToAnotherTransport() async throws {
        let client = AsyncClient(.init(
            transport: MockTransport { _ in Response(200, text: "network") },
            mounts: ["http://app.local": AppTransport(app: Self.app)]))
        #expect(try await client.get("http://app.local/").text == "Hello World!")
        #expect(try await client.get("http://elsewhere/").text == "network")
    }

    @Test func blockingClient() async throws {
        let text = try await onPlainThread {
            try Client.withClient(.init(transport: AppTransport(app: Self.app))) { client in
                try client.get("http://testserver/").text
            }
        }
        #expect(text == "Hello World!")
    }
}
