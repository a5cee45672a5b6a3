import Foundation
import NIOCore
import Testing

@testable import HTTPX

/// `Content-Encoding: br` and `zstd`, decoded through the system's libbrotlidec and libzstd
/// loaded at run time. Fixtures were made with Python's `brotli` and `zstandard` and checked to
/// decompress back with them.
@Suite("Brotli and zstd", .timeLimit(.minutes(1)))
struct BrotliZstdTests {
    /// The text the small fixtures compress (4800 bytes).
    static let sample = Array(String(repeating: "Hello, brotli and zstd! ", count: 200).utf8)
    /// `sample` through `brotli.compress`.
    static let brotliSample = bytes("G78S+EVveL1zn7RHiWKXGuTBOuEmnXoxBYDYUSW8iT/RAA==")
    /// 1 MiB of zeros through `brotli.compress`.
    static let brotliZeros = bytes("W///j38CIB4LBHLvHwA=")
    /// `sample` through `zstandard.ZstdCompressor(level=19)`.
    static let zstdSample = bytes("KLUv/WDAEQUBAMBIZWxsbywgYnJvdGxpIGFuZCB6c3RkISABAJTK9nMM")
    /// 1 MiB of zeros through `zstandard.ZstdCompressor(level=19)`: 49 bytes.
    static let zstdZeros = bytes("KLUv/aAAABAATAAACAABAPz/ORACAgAQAAIAEAACABAAAgAQAAIAEAACABAAAwAQAA==")
    /// Two zstd frames one after the other: "first " and "second".
    static let zstdTwoFrames = bytes("KLUv/SAGMQAAZmlyc3QgKLUv/SAGMQAAc2Vjb25k")

    /// Whether both libraries loaded (the parameterised tests need both).
    static let bothAvailable = BrotliLibrary.shared != nil && ZstdLibrary.shared != nil

    static func bytes(_ base64: String) -> [UInt8] {
        Array(Data(base64Encoded: base64) ?? Data())
    }

    static func compressedSample(_ coding: String) -> [UInt8] {
        coding == "br" ? brotliSample : zstdSample
    }

    static func compressedZeros(_ coding: String) -> [UInt8] {
        coding == "br" ? brotliZeros : zstdZeros
    }

    /// Whether libbrotlidec and libzstd are installed where Linux distributions put them.
    static var librariesInstalled: Bool {
        installed("libbrotlidec.so.1") && installed("libzstd.so.1")
    }

    /// Whether `file` is in one of the usual library directories.
    static func installed(_ file: String) -> Bool {
        let directories = [
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
        ]
        return directories.contains { FileManager.default.fileExists(atPath: "\($0)/\(file)") }
    }

    /// Decodes `body` whole.
    func decode(_ body: [UInt8], _ coding: String, limit: DecompressionLimit = .none) throws -> [UInt8] {
        let decoder = try ContentDecoder(contentEncoding: coding, limit: limit)
        return Array(try decoder.decodeAll(ByteBuffer(bytes: body)).readableBytesView)
    }

    /// Decodes `body` fed one byte at a time, taking every slice after each byte.
    func decodeByteByByte(_ body: [UInt8], _ coding: String) throws -> [UInt8] {
        let decoder = try ContentDecoder(contentEncoding: coding, limit: .none)
        var output: [UInt8] = []
        for byte in body {
            decoder.feed(ByteBuffer(bytes: [byte]))
            while let slice = try decoder.next() { output += slice.readableBytesView }
        }
        try decoder.finish()
        return output
    }

    @Test(.enabled(if: BrotliZstdTests.bothAvailable), arguments: ["br", "zstd"])
    func decodesAWholeBody(_ coding: String) throws {
        #expect(try decode(Self.compressedSample(coding), coding) == Self.sample)
        #expect(!ContentDecoder.isIdentity(contentEncoding: coding))
    }

    @Test(.enabled(if: BrotliZstdTests.bothAvailable), arguments: ["br", "zstd"])
    func decodesABodyFedOneByteAtATime(_ coding: String) throws {
        #expect(try decodeByteByByte(Self.compressedSample(coding), coding) == Self.sample)
    }

    @Test(.enabled(if: BrotliZstdTests.bothAvailable), arguments: ["br", "zstd"])
    func decodesALargeBodyInBoundedSlices(_ coding: String) throws {
        let decoder = try ContentDecoder(contentEncoding: coding, limit: .none)
        decoder.feed(ByteBuffer(bytes: Self.compressedZeros(coding)))
        var total = 0
        var largest = 0
        while let slice = try decoder.next() {
            total += slice.readableBytes
            largest = max(largest, slice.readableBytes)
            #expect(slice.readableBytesView.allSatisfy { $0 == 0 })
        }
        try decoder.finish()
        #expect(total == 1 << 20)
        #expect(largest <= ContentDecoder.sliceSize)
    }

    @Test(.enabled(if: BrotliZstdTests.bothAvailable), arguments: ["br", "zstd"])
    func aTruncatedStreamFailsInFinish(_ coding: String) async throws {
        let body = Self.compressedSample(coding)
        let decoder = try ContentDecoder(contentEncoding: coding, limit: .none)
        decoder.feed(ByteBuffer(bytes: body.prefix(body.count / 2)))
        while try decoder.next() != nil {}
        let error = await expectHTTPXError(.decoding) { try decoder.finish() }
        #expect(error?.message.contains("\(coding)-encoded body ended before its compressed stream did") == true)
    }

    @Test(.enabled(if: BrotliZstdTests.bothAvailable), arguments: ["br", "zstd"])
    func garbageFails(_ coding: String) async throws {
        let error = await expectHTTPXError(.decoding) {
            _ = try decode(Array("this is not compressed at all".utf8), coding)
        }
        #expect(error?.message.contains("Invalid \(coding)-encoded body") == true, "\(String(describing: error))")
    }

    @Test(.enabled(if: BrotliZstdTests.bothAvailable), arguments: ["br", "zstd"])
    func aResponseIsDecodedWholeAndStreamed(_ coding: String) async throws {
        let body = Self.compressedSample(coding)
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": coding], body: ResponseBody(bytes: body))
        }
        #expect(try await client.get("http://h/").content == Self.sample)
        let pieces = stride(from: 0, to: body.count, by: 5).map { Array(body[$0..<min($0 + 5, body.count)]) }
        let streamed = mockClient { _ in
            Response(200, headers: ["Content-Encoding": coding], body: ResponseBody(stream: Chunks(pieces)))
        }
        let text = try await streamed.stream(.get, "http://h/") { response in
            var chunks: [String] = []
            for try await chunk in response.textChunks() { chunks.append(chunk) }
            return chunks.joined()
        }
        #expect(text == String(decoding: Self.sample, as: UTF8.self))
    }

    @Test(.enabled(if: BrotliLibrary.shared != nil))
    func bytesAfterABrotliStreamAreIgnored() throws {
        #expect(try decode(Self.brotliSample + Array("trailing bytes".utf8), "br") == Self.sample)
    }

    @Test(.enabled(if: ZstdLibrary.shared != nil))
    func concatenatedZstdFramesAreOneBody() throws {
        #expect(try decode(Self.zstdTwoFrames, "zstd") == Array("first second".utf8))
        #expect(try decodeByteByByte(Self.zstdTwoFrames, "zstd") == Array("first second".utf8))
    }

    @Test(.enabled(if: ZstdLibrary.shared != nil))
    func aZstdBombStopsAtTheSizeLimit() async throws {
        let error = await expectHTTPXError(.decoding) {
            _ = try decode(Self.zstdZeros, "zstd", limit: DecompressionLimit(maxSize: 1000))
        }
        #expect(error?.message.contains("maxSize") == true, "\(String(describing: error))")
    }

    @Test func acceptEncodingListsTheAvailableCodings() {
        let accept = AsyncClient.defaultHeaders["Accept-Encoding"] ?? ""
        #expect(accept.hasPrefix("gzip, deflate"))
        #expect(accept.contains("br") == (BrotliLibrary.shared != nil))
        #expect(accept.contains("zstd") == (ZstdLibrary.shared != nil))
        #expect(accept == ContentDecoder.supportedEncodings)
    }

    /// Where the libraries are installed (as on the Debian machines this was written on), they
    /// load and are advertised.
    @Test(.enabled(if: BrotliZstdTests.librariesInstalled))
    func installedLibrariesLoadAndAreAdvertised() {
        #expect(BrotliLibrary.shared != nil)
        #expect(ZstdLibrary.shared != nil)
        #expect(AsyncClient.defaultHeaders["Accept-Encoding"] == "gzip, deflate, br, zstd")
    }
}
