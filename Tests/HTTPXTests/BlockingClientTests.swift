import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import HTTPX

/// Runs `body` on a new thread outside Swift concurrency, as blocking code runs.
func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

@Suite("Blocking client")
struct BlockingClientTests {
    static let transport = MockTransport { request in
        switch request.url.path {
        case "/cookie": Response(200, headers: ["Set-Cookie": "k=v"])
        case "/redirect": Response(302, headers: ["Location": "/echo"])
        case "/stream": Response(200, body: ResponseBody(stream: Chunks(["a", "b", "c"])))
        default: try Response(200, json: ["method": request.method.rawValue, "body": request.contentText, "cookie": request.headers["Cookie"] ?? ""])
        }
    }

    @Test func sendsWithTheSamePipeline() async throws {
        let result = try await onPlainThread { () -> [String] in
            let client = Client(baseURL: "http://h", headers: ["X-Test": "1"], followRedirects: true, transport: Self.transport)
            defer { client.close() }
            _ = try client.get("/cookie")
            let posted = try client.post("/echo", json: ["x": 1]).json()
            let redirected = try client.get("/redirect")
            let built = try client.buildRequest(.put, "/echo", content: .text("built"))
            let sent = try client.send(built).json()
            return [
                posted["method"]?.stringValue ?? "", posted["body"]?.stringValue ?? "",
                posted["cookie"]?.stringValue ?? "", String(redirected.history.count),
                sent["body"]?.stringValue ?? "",
            ]
        }
        #expect(result == ["POST", #"{"x":1}"#, "k=v", "1", "built"])
    }

    @Test func streamsChunkByChunk() async throws {
        let chunks = try await onPlainThread { () -> [String] in
            try Client.withClient(transport: Self.transport) { client in
                try client.stream(.get, "http://h/stream") { stream in
                    var chunks: [String] = []
                    while let chunk = try stream.nextChunk() { chunks.append(String(buffer: chunk)) }
                    return chunks
                }
            }
        }
        #expect(chunks == ["a", "b", "c"])
    }

    @Test func refusesToBlockInsideATask() async {
        let client = Client(transport: Self.transport)
        let error = await expectHTTPXError(.blockingInAsyncContext) { _ = try client.get("http://h/") }
        #expect(error?.message.contains("AsyncClient") == true)
        client.close()
    }

    @Test func refusesToBlockAnEventLoop() async throws {
        let client = Client(transport: Self.transport)
        let message = try await MultiThreadedEventLoopGroup.singleton.any().submit { () -> String in
            do {
                _ = try client.get("http://h/")
                return "no error"
            } catch let error as HTTPXError {
                return error.kind.name + ": " + error.message
            } catch {
                return "\(error)"
            }
        }.get()
        #expect(message.hasPrefix("BlockingInAsyncContext: "))
        #expect(message.contains("event loop"))
    }

    @Test func closedClientFailsClearly() async throws {
        let kind = try await onPlainThread { () -> String in
            let client = Client(transport: Self.transport)
            client.close()
            client.close()
            do {
                _ = try client.get("http://h/")
                return "no error"
            } catch let error as HTTPXError {
                return error.kind.name
            }
        }
        #expect(kind == "ClientClosed")
    }
}
