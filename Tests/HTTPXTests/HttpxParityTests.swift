import Foundation
import NIOCore
import Testing

@testable import HTTPX

/// Behaviours matched with httpx 0.28 side by side (issue 15's wrong results).
@Suite("httpx parity", .timeLimit(.minutes(1)))
struct HttpxParityTests {
    @Test(arguments: [
        ("http://x.org/a/sub/../b", "/a/b"),
        ("http://x.org/a/./b/.", "/a/b/"),
        ("http://x.org/a/b/..", "/a/"),
        ("http://x.org/../../a", "/a"),
        ("http://x.org/a/%2e%2E/b", "/b"),
        ("http://x.org/a/.%2e/b/%2E", "/b/"),
        ("http://x.org/a/.hidden/..x/b.txt", "/a/.hidden/..x/b.txt"),
    ])
    func dotSegmentsAreRemoved(_ input: String, _ path: String) throws {
        #expect(try HTTPURL(input).path == path)
    }

    @Test func dotSegmentsAreRemovedFromBaseURLJoins() async throws {
        let recorder = Recorder()
        let client = mockClient(baseURL: "http://x.org/api/v1/", recorder: recorder)
        _ = try await client.get("../v2/./items/../users")
        #expect(recorder.last?.url.description == "http://x.org/api/v2/users")
        #expect(recorder.last?.target == "/api/v2/users")
    }

    @Test func theLastContentTypeNamesTheCharset() throws {
        let response = Response(
            200, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Content-Type", "text/plain; charset=iso-8859-1")],
            body: ResponseBody(bytes: [0x63, 0x61, 0x66, 0xE9]))
        #expect(response.charset == "iso-8859-1")
        #expect(try response.text == "café")
    }

    @Test func repeatedQueryKeysAreGrouped() throws {
        #expect(QueryParams(query: "a=1&d=2&a=3").description == "a=1&a=3&d=2")
        var params: QueryParams = ["a": "1", "d": "2"]
        params.add("a", "3")
        #expect(params.description == "a=1&a=3&d=2")
        let url = try HTTPURL("http://x/?a=1&d=2&a=3").mergingParams(["e": "4"])
        #expect(url.query == "a=1&a=3&d=2&e=4")
    }

    @Test func queryParamsTakeTypedValues() {
        let params: QueryParams = ["int": 2, "double": 0.5, "whole": 1.0, "yes": true, "no": false, "none": nil, "s": "x y"]
        #expect(params.description == "int=2&double=0.5&whole=1.0&yes=true&no=false&none=&s=x+y")
        var more = QueryParams()
        more.add("n", 7)
        more.set("flag", true)
        #expect(more.description == "n=7&flag=true")
    }

    @Test func statusCodesTable() {
        #expect(HTTPStatus.notFound == 404)
        #expect(HTTPStatus.imATeapot == 418)
        #expect(HTTPStatus.reasonPhrase(for: HTTPStatus.ok) == "OK")
        #expect(HTTPStatus.isClientError(404) && !HTTPStatus.isServerError(404) && HTTPStatus.isError(503))
        #expect(HTTPStatus.isRedirect(HTTPStatus.permanentRedirect) && HTTPStatus.isSuccess(204))
    }

    @Test func responseDetailsOfAStream() async throws {
        let client = mockClient { _ in
            Response(200, body: ResponseBody(stream: Chunks(["abcd", "efgh", "ij"])))
        }
        try await client.stream(.get, "http://h/") { response in
            #expect(!response.isClosed && !response.isStreamConsumed && response.numBytesDownloaded == 0)
            var sizes: [Int] = []
            var progress: [Int] = []
            for try await chunk in response.bytes(chunkSize: 3) {
                sizes.append(chunk.readableBytes)
                progress.append(response.numBytesDownloaded)
            }
            #expect(sizes == [3, 3, 3, 1])
            #expect(progress.last == 10)
            #expect(response.isClosed && response.isStreamConsumed)
        }
        let texts = try await client.stream(.get, "http://h/") { response in
            var texts: [String] = []
            for try await text in response.textChunks(chunkSize: 3) { texts.append(text) }
            return texts
        }
        // Chunks of the size asked for, not of the size the body arrived in (4, 4, 2).
        #expect(texts == ["abc", "def", "ghi", "j"])
        let raw = try await client.stream(.get, "http://h/") { response in
            var sizes: [Int] = []
            for try await chunk in response.rawBytes(chunkSize: 5) { sizes.append(chunk.readableBytes) }
            return sizes
        }
        #expect(raw == [5, 5])
    }

    @Test func elapsedIsMeasuredWhenTheBodyIsDone() async throws {
        let client = mockClient { _ in
            Response(200, body: ResponseBody(stream: SlowChunks()))
        }
        let response = try await client.get("http://h/")
        #expect(response.elapsed >= .milliseconds(50), "elapsed covers reading the body, not only its head")
        let buffered = try await mockClient().get("http://h/")
        #expect(buffered.isClosed && !buffered.isStreamConsumed && buffered.numBytesDownloaded == 2)
    }

    /// Two chunks 60 ms apart.
    struct SlowChunks: AsyncSequence, Sendable {
        struct AsyncIterator: AsyncIteratorProtocol {
            var sent = 0
            mutating func next() async throws -> ByteBuffer? {
                sent += 1
                if sent == 2 { try await Task.sleep(for: .milliseconds(60)) }
                return sent <= 2 ? ByteBuffer(string: "x") : nil
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
    }
}

/// JSON bodies keep the caller's order; parsed responses keep the server's.
@Suite("JSON order", .timeLimit(.minutes(1)))
struct JSONOrderTests {
    struct Item: Encodable {
        var zeta = 1
        var alpha = "a/b é \"q\"\n"
        var mid: Double? = 0.5
        var nested = Nested()
        var list = [3, 1]
        var none: Int? = nil
    }

    struct Nested: Encodable {
        var b = true
        var a: [String: Int] = ["only": 1]
    }

    @Test func anEncodableKeepsItsDeclarationOrder() throws {
        let body = try RequestBody.json(Item())
        let text = String(decoding: body.bytes ?? [], as: UTF8.self)
        #expect(text == #"{"zeta":1,"alpha":"a/b é \"q\"\n","mid":0.5,"nested":{"b":true,"a":{"only":1}},"list":[3,1]}"#)
    }

    @Test func aJSONValueKeepsItsInsertionOrder() throws {
        var object: JSONObject = ["b": 1, "a": [true, nil, 2.5]]
        object["c"] = "x"
        object["b"] = 3
        let text = String(decoding: try RequestBody.json(JSONValue.object(object)).bytes ?? [], as: UTF8.self)
        #expect(text == #"{"b":3,"a":[true,null,2.5],"c":"x"}"#)
        #expect(object.keys == ["b", "a", "c"])
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
    }

    @Test func nonFiniteNumbersAreRefused() {
        #expect(throws: HTTPXError.self) { try RequestBody.json(["x": Double.nan]) }
    }

    @Test func dataURLAndDateEncodeAsJSONEncoderDoes() throws {
        struct Special: Encodable {
            var data = Data([1, 2, 3])
            var url = URL(string: "https://example.org/a?b=1")!
        }
        let text = String(decoding: try RequestBody.json(Special()).bytes ?? [], as: UTF8.self)
        #expect(text == #"{"data":"AQID","url":"https://example.org/a?b=1"}"#)
    }

    @Test func aParsedResponseKeepsTheServersOrder() throws {
        let response = Response(200, body: ResponseBody(text: #"{"z": 1, "a": {"y": [1, 2], "b": "\u00e9\ud83d\ude00"}, "m": null}"#))
        let value = try response.json()
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"]?.objectValue?.keys == ["y", "b"])
        #expect(value["a"]?["b"] == "é😀")
        #expect(value.description == #"{"z":1,"a":{"y":[1,2],"b":"é😀"},"m":null}"#)
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"abc", "tru", "[1] 2", "\"\u{01}\""])
    func invalidJSONIsADecodingError(_ text: String) {
        let response = Response(200, body: ResponseBody(text: text))
        #expect(throws: HTTPXError.self) { _ = try response.json() }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = #expect(throws: HTTPXError.self) { _ = try JSONValue(parsing: Array(deep.utf8)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("nested deeper") == true)
    }
}

/// httpx's response extensions: made by the transport, kept with what a transport of yours adds.
@Suite("Response extensions", .timeLimit(.minutes(1)))
struct ResponseExtensionsTests {
    @Test func aTransportsOwnValuesAreKept() {
        var response = Response(200)
        response.extensions["mine"] = 1
        #expect(response.extensions["mine"] as? Int == 1)
        #expect(response.extensions[Response.ExtensionKey.httpVersion] == nil, "a response of yours has only what you set")
    }

    @Test func theNetworkTransportFillsTheStandardOnes() async throws {
        let server = try await HTTPTransportTests.wellBehaved()
        defer { Task { await server.stop() } }
        let client = AsyncClient()
        var r = try await client.get(server.baseURL + "/")
        #expect(r.extensions[Response.ExtensionKey.httpVersion] as? String == "HTTP/1.1")
        #expect(r.extensions[Response.ExtensionKey.reasonPhrase] as? String == "OK")
        #expect(r.extensions[Response.ExtensionKey.streamID] == nil)
        r.extensions["note"] = "added"
        #expect(r.extensions["note"] as? String == "added")
        await client.close()
    }
}
