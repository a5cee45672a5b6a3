import Foundation
import NIOCore
import Testing

@testable import HTTPX

/// A few compressed bytes must not make the client allocate gigabytes: decoding runs in
/// bounded slices, stacked codings are capped, and a limit stops bombs.
@Suite("Decompression limits", .timeLimit(.minutes(1)))
struct DecompressionLimitTests {
    /// 2.6 KB that decode to 1 GiB of zeros through `Content-Encoding: gzip, gzip`
    /// (`head -c 1G /dev/zero | gzip -9 | gzip -9`).
    static var bomb: [UInt8] {
        get throws {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Fixtures/zeros-1gib.gzip.gzip").path
            return try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    /// A streamed response with `encoding` whose body arrives in 1 KiB chunks.
    func response(_ body: [UInt8], encoding: String, limits: Limits) async throws -> Response {
        let chunks = stride(from: 0, to: body.count, by: 1024).map { Array(body[$0..<min($0 + 1024, body.count)]) }
        let transport = MockTransport { _ in
            Response(200, headers: ["Content-Encoding": encoding], body: ResponseBody(stream: Chunks(chunks)))
        }
        let client = AsyncClient(.init(limits: limits, transport: transport))
        return try await client.send(try client.buildRequest(.get, "https://example.org/bomb"), stream: true)
    }

    @Test func aStreamedBombArrivesInSmallSlicesWithNoLimit() async throws {
        let response = try await response(try Self.bomb, encoding: "gzip, gzip", limits: Limits(decompression: .none))
        var total = 0
        var largest = 0
        for try await chunk in response.bytes() {
            total += chunk.readableBytes
            largest = max(largest, chunk.readableBytes)
        }
        #expect(total == 1 << 30)
        #expect(largest <= ContentDecoder.sliceSize)
    }

    /// In a process of its own, so that other tests cannot blur the measurement.
    @Test func aStreamedBombStaysInConstantMemory() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/zeros-1gib.gzip.gzip").path
        let growth = try await Interop.memoryGrowth(probe: "gzip-bomb", path)
        #expect(growth < 16 << 20, "resident memory grew by \(growth >> 20) MiB")
    }

    @Test func theDefaultLimitStopsABombEarly() async throws {
        var response = try await response(try Self.bomb, encoding: "gzip, gzip", limits: .default)
        let error = await expectHTTPXError(.decoding) { try await response.read() }
        #expect(error?.message.contains("maxRatio") == true, "\(String(describing: error))")
        #expect(error?.message.contains("<Request(GET, 'https://example.org/bomb')>") == true)
        #expect(error?.request != nil)
    }

    @Test func aSizeLimitNamesItself() async throws {
        let body = compress(Array(repeating: 0x61, count: 4 << 20), windowBits: 31)
        var response = try await response(body, encoding: "gzip", limits: Limits(decompression: .size(1 << 20)))
        let error = await expectHTTPXError(.decoding) { try await response.read() }
        #expect(error?.message.contains("more than 1048576 bytes, the decompression limit's maxSize") == true)
        // Under the limit, the same body decodes.
        var fine = try await self.response(body, encoding: "gzip", limits: Limits(decompression: .size(8 << 20)))
        try await fine.read()
        #expect(try fine.content.count == 4 << 20)
    }

    @Test func smallBodiesPassWhateverTheirRatio() async throws {
        let body = compress(Array(repeating: 0x61, count: 512 << 10), windowBits: 31)
        var response = try await response(body, encoding: "gzip", limits: Limits(decompression: .ratio(2)))
        try await response.read()
        #expect(try response.content.count == 512 << 10)
    }

    @Test func tooManyStackedCodingsAreRefused() async throws {
        let encoding = Array(repeating: "gzip", count: 6).joined(separator: ", ")
        var response = try await response([1, 2, 3], encoding: encoding, limits: .default)
        let error = await expectHTTPXError(.decoding) { try await response.read() }
        #expect(error?.message.contains("stacks 6 content codings") == true)
    }

    @Test func maxBodySizeBoundsReadingWhole() async throws {
        let transport = MockTransport { request in
            let size = Int(request.url.query ?? "") ?? 0
            return Response(200, body: ResponseBody(stream: Chunks([Array(repeating: 7, count: size)])))
        }
        let client = AsyncClient(.init(limits: Limits(maxBodySize: 1 << 20), transport: transport))
        #expect(try await client.get("https://example.org/?\(1 << 20)").content.count == 1 << 20)
        let error = await expectHTTPXError(.decoding) { _ = try await client.get("https://example.org/?\((1 << 20) + 1)") }
        #expect(error?.message.contains("Limits.maxBodySize (1048576)") == true, "\(String(describing: error))")
    }

    @Test func anAnnouncedLengthPastTheLimitFailsBeforeReading() async throws {
        let transport = MockTransport { _ in
            Response(
                200, headers: ["Content-Length": "4000000000"],
                body: ResponseBody(stream: Chunks([[1, 2, 3]])))
        }
        let client = AsyncClient(.init(limits: Limits(maxBodySize: 1 << 20), transport: transport))
        let error = await expectHTTPXError(.decoding) { _ = try await client.get("https://example.org/") }
        #expect(error?.message.contains("announced as 4000000000 bytes") == true)
    }

    @Test func decoderSlicesAndCorruptInput() throws {
        let decoder = try ContentDecoder(contentEncoding: "deflate", limit: .none)
        decoder.feed(ByteBuffer(bytes: compress(Array(repeating: 1, count: 300 << 10), windowBits: 15)))
        var sizes: [Int] = []
        while let slice = try decoder.next() { sizes.append(slice.readableBytes) }
        try decoder.finish()
        #expect(sizes.reduce(0, +) == 300 << 10)
        #expect(sizes.allSatisfy { $0 <= ContentDecoder.sliceSize })
        // Raw deflate under `deflate` still decodes; garbage does not.
        let raw = try ContentDecoder(contentEncoding: "deflate")
        #expect(try raw.decodeAll(ByteBuffer(bytes: compress(Array("hello".utf8), windowBits: -15))) == ByteBuffer(string: "hello"))
        let garbage = try ContentDecoder(contentEncoding: "gzip")
        #expect(throws: HTTPXError.self) { try garbage.decodeAll(ByteBuffer(bytes: [1, 2, 3, 4, 5])) }
        let truncated = try ContentDecoder(contentEncoding: "gzip")
        let gz = compress(Array("hello world".utf8), windowBits: 31)
        #expect(throws: HTTPXError.self) { try truncated.decodeAll(ByteBuffer(bytes: gz.dropLast(4))) }
    }
}
