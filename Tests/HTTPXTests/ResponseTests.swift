import NIOCore
import Testing

@testable import HTTPX

@Suite("Responses", .timeLimit(.minutes(1)))
struct ResponseTests {
    @Test func statusHelpersAndDescription() throws {
        let ok = Response(200)
        #expect(ok.reasonPhrase == "OK")
        #expect(ok.description == "<Response [200 OK]>")
        #expect(ok.isSuccess && !ok.isError)
        #expect(Response(404).isClientError && Response(503).isServerError)
        #expect(Response(101).isInformational)
        #expect(Response(302, headers: ["Location": "/x"]).isRedirect)
        #expect(!Response(302).isRedirect)
        #expect(Response(299, reasonPhrase: "Custom").reasonPhrase == "Custom")
        #expect(try ok.raiseForStatus().statusCode == 200)
    }

    @Test func raiseForStatusUsesHttpxMessages() async throws {
        let client = mockClient { request in
            request.url.path == "/moved" ? Response(301, headers: ["Location": "/z"]) : Response(404)
        }
        let missing = try await client.get("http://x/y")
        let error = await expectHTTPXError(.httpStatus) { try missing.raiseForStatus() }
        #expect(error?.message == "Client error '404 Not Found' for url 'http://x/y'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404")
        #expect(error?.response?.statusCode == 404)
        #expect(error?.request?.url.path == "/y")
        let moved = try await client.get("http://x/moved")
        let redirect = await expectHTTPXError(.httpStatus) { try moved.raiseForStatus() }
        #expect(redirect?.message == "Redirect response '301 Moved Permanently' for url 'http://x/moved'\nRedirect location: '/z'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/301")
    }

    @Test func parsesLinkHeaders() {
        let response = Response(200, headers: ["Link": #"<http://a/?page=2>; rel="next", <http://a/?page=5>; rel="last", <http://a/x,y>; title="comma, inside""#])
        #expect(response.links["next"]?["url"] == "http://a/?page=2")
        #expect(response.links["last"]?["rel"] == "last")
        #expect(response.links["http://a/x,y"]?["title"] == "comma, inside")
        #expect(Response(200).links.isEmpty)
    }

    @Test func decodesTextByCharsetThenDefault() async throws {
        let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9]  // "café" in ISO-8859-1
        let named = try await mockClient { _ in
            Response(200, headers: ["Content-Type": "text/plain; charset=\"ISO-8859-1\""], body: ResponseBody(bytes: latin1))
        }.get("http://h/")
        #expect(named.charset == "ISO-8859-1")
        #expect(try named.text == "café")

        let unnamed = mockClient(defaultEncoding: .encoding(.latin1)) { _ in
            Response(200, headers: ["Content-Type": "text/plain"], body: ResponseBody(bytes: latin1))
        }
        #expect(try await unnamed.get("http://h/").text == "café")

        let detected = mockClient(defaultEncoding: .detector { bytes in bytes.contains(0xE9) ? .windows1252 : nil }) { _ in
            Response(200, body: ResponseBody(bytes: latin1 + [0x80]))
        }
        #expect(try await detected.get("http://h/").text == "café€")

        var utf8 = try await mockClient { _ in Response(200, body: ResponseBody(bytes: Array("naïve".utf8))) }.get("http://h/")
        #expect(try utf8.text == "naïve")
        utf8.encoding = .latin1
        #expect(try utf8.text == "naÃ¯ve")
        #expect(TextEncoding(charset: "UTF-16LE")?.decode([0x68, 0, 0x69, 0]) == "hi")
        #expect(TextEncoding(charset: "klingon") == nil)
    }

    struct Repo: Decodable, Equatable {
        let name: String
        let stars: Int
    }

    @Test func decodesJSON() async throws {
        let client = mockClient { _ in try Response(200, json: ["name": "swift-httpx", "stars": 3] as [String: JSONValue]) }
        let response = try await client.get("http://h/")
        #expect(try response.json(as: Repo.self) == Repo(name: "swift-httpx", stars: 3))
        let dynamic = try response.json()
        #expect(dynamic["name"] == "swift-httpx")
        #expect(dynamic["stars"]?.intValue == 3)
        #expect(dynamic["missing"] == nil)
    }

    @Test func invalidJSONIsADecodingError() async throws {
        let response = try await mockClient { _ in Response(200, text: "{not json") }.get("http://h/bad")
        let error = await expectHTTPXError(.decoding) { _ = try response.json() }
        #expect(error?.message.contains("http://h/bad") == true)
        await expectHTTPXError(.decoding) { _ = try response.json(as: Repo.self) }
    }

    static let sample = Array(String(repeating: "Hello, gzip world! ", count: 2000).utf8)

    @Test(arguments: [("gzip", Int32(31)), ("deflate", 15), ("deflate", -15), ("x-gzip", 31)])
    func decodesContentEncoding(_ name: String, _ windowBits: Int32) async throws {
        let compressed = compress(Self.sample, windowBits: windowBits)
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": name], body: ResponseBody(bytes: compressed))
        }
        let response = try await client.get("http://h/")
        #expect(try response.content == Self.sample)
    }

    @Test func decodesChainedEncodingsInReverseOrder() async throws {
        let both = compress(compress(Self.sample, windowBits: 31), windowBits: 15)
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip, deflate"], body: ResponseBody(bytes: both))
        }
        #expect(try await client.get("http://h/").content == Self.sample)
    }

    @Test func decodesWhileStreaming() async throws {
        let compressed = compress(Self.sample, windowBits: 31)
        let pieces = stride(from: 0, to: compressed.count, by: 7).map { Array(compressed[$0..<min($0 + 7, compressed.count)]) }
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(stream: Chunks(pieces)))
        }
        let (decoded, raw) = try await client.stream(.get, "http://h/") { response in
            var decoded: [UInt8] = []
            for try await chunk in response.bytes() { decoded += chunk.readableBytesView }
            return (decoded, response.body.isBuffered)
        }
        #expect(decoded == Self.sample)
        #expect(!raw)
    }

    @Test func rawBytesKeepTheContentEncodingThatBytesUndo() async throws {
        let compressed = compress(Self.sample, windowBits: 31)
        try #require(compressed.count > 10 && compressed.count < Self.sample.count)
        let pieces = stride(from: 0, to: compressed.count, by: 7).map { Array(compressed[$0..<min($0 + 7, compressed.count)]) }
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(stream: Chunks(pieces)))
        }
        // Streamed: each body can be iterated once, so one response for each view.
        let raw = try await client.stream(.get, "http://h/") { response in
            var raw: [UInt8] = []
            for try await chunk in response.rawBytes() { raw += chunk.readableBytesView }
            return raw
        }
        #expect(raw == compressed, "rawBytes() is the gzip stream as received")
        #expect(Array(raw.prefix(2)) == [0x1F, 0x8B])
        let decoded = try await client.stream(.get, "http://h/") { response in
            var decoded: [UInt8] = []
            for try await chunk in response.bytes() { decoded += chunk.readableBytesView }
            return decoded
        }
        #expect(decoded == Self.sample, "bytes() undoes the gzip coding")

        // Read into memory: content is decoded, rawBytes() still gives what was received.
        let buffered = try await mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(bytes: compressed))
        }.get("http://h/")
        #expect(try buffered.content == Self.sample)
        var rawBuffered: [UInt8] = []
        for try await chunk in buffered.rawBytes() { rawBuffered += chunk.readableBytesView }
        #expect(rawBuffered == compressed)
    }

    @Test func corruptGzipIsADecodingError() async throws {
        var damaged = compress(Self.sample, windowBits: 31)
        damaged[20] ^= 0xFF
        damaged[21] ^= 0xFF
        let corrupt = damaged
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(bytes: corrupt))
        }
        let error = await expectHTTPXError(.decoding) { _ = try await client.get("http://h/data") }
        #expect(error?.request?.url.path == "/data")

        let notGzip = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(text: "plain text"))
        }
        await expectHTTPXError(.decoding) { _ = try await notGzip.get("http://h/") }

        let truncated = Array(compress(Self.sample, windowBits: 31).prefix(30))
        let short = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(bytes: truncated))
        }
        let shortError = await expectHTTPXError(.decoding) { _ = try await short.get("http://h/") }
        #expect(shortError?.message.contains("ended") == true)
    }

    @Test func unknownEncodingsPassThrough() async throws {
        let client = mockClient { _ in
            Response(200, headers: ["Content-Encoding": "identity, compress"], body: ResponseBody(text: "as is"))
        }
        #expect(try await client.get("http://h/").text == "as is")
    }

    @Test func streamsTextAndLines() async throws {
        // "é" (0xC3 0xA9) split across chunks must stay whole.
        let parts: [[UInt8]] = [Array("first line\r\nsec".utf8), Array("ond caf".utf8) + [0xC3], [0xA9] + Array("\nthird".utf8)]
        let client = mockClient { _ in Response(200, body: ResponseBody(stream: Chunks(parts))) }
        let lines = try await client.stream(.get, "http://h/") { response in
            var lines: [String] = []
            for try await line in response.lines() { lines.append(line) }
            return lines
        }
        #expect(lines == ["first line", "second café", "third"])
        let text = try await client.stream(.get, "http://h/") { response in
            var chunks: [String] = []
            for try await chunk in response.textChunks() { chunks.append(chunk) }
            return chunks
        }
        #expect(text.joined() == "first line\r\nsecond café\nthird")
        #expect(!text.contains { $0.contains("\u{FFFD}") })
    }

    @Test func streamedBodyIsReadOnceAndClosed() async throws {
        let closed = Recorder()
        let client = mockClient { request in
            Response(200, body: ResponseBody(stream: Chunks(["a", "b"]), onClose: { closed.record(request) }))
        }
        try await client.stream(.get, "http://h/") { response in
            #expect(!response.isRead)
            await expectHTTPXError(.responseNotRead) { _ = try response.content }
            await expectHTTPXError(.responseNotRead) { _ = try response.text }
            await expectHTTPXError(.responseNotRead) { _ = try response.contentBuffer }
            await expectHTTPXError(.responseNotRead) { _ = try response.json() }
            var copy = response
            try await copy.read()
            #expect(try copy.content == Array("ab".utf8))
            #expect(try copy.text == "ab")
            await expectHTTPXError(.streamConsumed) { for try await _ in response.rawBytes() {} }
        }
        #expect(closed.requests.count == 1)

        // Leaving the stream closure early closes the body without reading it.
        try await client.stream(.get, "http://h/") { _ in }
        #expect(closed.requests.count == 2)
    }

    @Test func readingAfterCloseFails() async throws {
        let client = mockClient { _ in Response(200, body: ResponseBody(stream: Chunks(["a"]))) }
        let response = try await client.send(try client.buildRequest(.get, "http://h/"), stream: true)
        await response.close()
        await expectHTTPXError(.streamClosed) { for try await _ in response.bytes() {} }
    }

    @Test func elapsedAndHTTPVersion() async throws {
        let client = mockClient { _ in
            try await Task.sleep(for: .milliseconds(20))
            return Response(200, httpVersion: "HTTP/2")
        }
        let response = try await client.get("http://h/")
        #expect(response.elapsed >= .milliseconds(20))
        #expect(response.httpVersion == "HTTP/2")
        #expect(response.url.description == "http://h/")
    }
}
