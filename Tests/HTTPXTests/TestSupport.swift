import CHTTPXZlib
import NIOCore
import Synchronization
import Testing

@testable import HTTPX

/// Records every request a mock transport sees.
final class Recorder: Sendable {
    private let storage = Mutex<[Request]>([])

    var requests: [Request] { storage.withLock { $0 } }
    var last: Request? { requests.last }

    func record(_ request: Request) {
        storage.withLock { $0.append(request) }
    }
}

/// A client over a MockTransport that records requests and answers with `handler`.
func mockClient(
    baseURL: String? = nil,
    params: QueryParams = [:],
    headers: Headers = [:],
    cookies: Cookies = [:],
    auth: (any Auth)? = nil,
    followRedirects: Bool = false,
    maxRedirects: Int = 20,
    eventHooks: EventHooks = EventHooks(),
    defaultEncoding: DefaultEncoding = .utf8,
    recorder: Recorder = Recorder(),
    handler: @escaping @Sendable (Request) async throws -> Response = { _ in Response(200, text: "ok") }
) -> AsyncClient {
    AsyncClient(.init(
        baseURL: baseURL, auth: auth, params: params, headers: headers, cookies: cookies,
        followRedirects: followRedirects, maxRedirects: maxRedirects, eventHooks: eventHooks,
        transport: MockTransport { request in
            recorder.record(request)
            return try await handler(request)
        }, defaultEncoding: defaultEncoding))
}

extension Request {
    var contentText: String { String(decoding: content ?? [], as: UTF8.self) }
}

/// Compresses `data` with zlib: `windowBits` 31 for gzip, 15 for zlib, -15 for raw deflate.
func compress(_ data: [UInt8], windowBits: Int32) -> [UInt8] {
    var stream = z_stream()
    guard chttpx_deflate_init2(&stream, 6, windowBits) == Z_OK else { return [] }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
    var input = data
    let produced = input.withUnsafeMutableBufferPointer { inputPointer in
        output.withUnsafeMutableBufferPointer { outputPointer in
            stream.next_in = inputPointer.baseAddress
            stream.avail_in = UInt32(inputPointer.count)
            stream.next_out = outputPointer.baseAddress
            stream.avail_out = UInt32(outputPointer.count)
            _ = deflate(&stream, Z_FINISH)
            return outputPointer.count - Int(stream.avail_out)
        }
    }
    return Array(output.prefix(produced))
}

/// An async sequence of buffers from an array, for streamed bodies.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let parts: [[UInt8]]

    init(_ parts: [[UInt8]]) { self.parts = parts }
    init(_ strings: [String]) { self.parts = strings.map { Array($0.utf8) } }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<[UInt8]>
        mutating func next() async throws -> ByteBuffer? {
            guard let first = remaining.popFirst() else { return nil }
            return ByteBuffer(bytes: first)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: parts[...]) }
}

/// Expects `body` to throw an `HTTPXError` of `kind`, and returns it.
@discardableResult
func expectHTTPXError(
    _ kind: HTTPXError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> HTTPXError? {
    do {
        try await body()
        Issue.record("expected \(kind), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as HTTPXError {
        #expect(error.is(kind), "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(kind), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
