#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

@Suite("Request content")
struct RequestContentTests {
    let client = mockClient()

    @Test func bytesAndText() throws {
        let bytes = try client.buildRequest(.post, "http://h/", content: .bytes([1, 2, 3]))
        #expect(bytes.headers["Content-Length"] == "3")
        #expect(bytes.content == [1, 2, 3])
        #expect(!bytes.headers.contains("Content-Type"))
        let text = try client.buildRequest(.put, "http://h/", content: .text("héllo"))
        #expect(text.headers["Content-Length"] == "6")
        #expect(text.contentText == "héllo")
    }

    @Test func streamOfUnknownLengthIsChunked() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder)
        _ = try await client.post("http://h/", content: .stream(Chunks(["ab", "cd"])))
        let sent = try #require(recorder.last)
        #expect(sent.headers["Transfer-Encoding"] == "chunked")
        #expect(!sent.headers.contains("Content-Length"))
        #expect(sent.contentText == "abcd")
        _ = try await client.post("http://h/", content: .stream(Chunks(["ab"]), length: 2))
        #expect(recorder.last?.headers["Content-Length"] == "2")
    }

    @Test func streamCanBeReadOnlyOnce() async throws {
        let body = RequestBody.stream(Chunks(["x"]))
        #expect(!body.isReplayable)
        _ = try await body.stream.collect()
        await expectHTTPXError(.streamConsumed) { _ = try await body.stream.collect() }
    }

    @Test func formRepeatsListKeys() throws {
        var data: FormFields = ["a": "1", "b": "x y"]
        data.add("a", "2")
        let request = try client.buildRequest(.post, "http://h/", data: data)
        #expect(request.contentText == "a=1&a=2&b=x+y", "the values of a repeated name stay together, as in httpx")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["Content-Length"] == "13")
    }

    struct Payload: Encodable, Sendable {
        let a: [Int]
        let b: String
        let url: String
    }

    @Test func jsonIsCompact() throws {
        let request = try client.buildRequest(.post, "http://h/", json: Payload(a: [1, 2], b: "é", url: "a/b"))
        #expect(request.contentText == #"{"a":[1,2],"b":"é","url":"a/b"}"#)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["Content-Length"] == String(request.content?.count ?? -1))
    }

    @Test func invalidJSONValueFails() async {
        await expectHTTPXError(.invalidArgument) {
            _ = try client.buildRequest(.post, "http://h/", json: ["x": Double.nan])
        }
    }

    @Test func onlyOneKindOfBody() async {
        await expectHTTPXError(.invalidArgument) {
            _ = try client.buildRequest(.post, "http://h/", content: .text("a"), json: ["b": 1])
        }
    }

    @Test(arguments: [HTTPMethod.post, .put, .patch])
    func methodsExpectingABodySendZeroLength(_ method: HTTPMethod) throws {
        let request = try client.buildRequest(method, "http://h/")
        #expect(request.headers["Content-Length"] == "0")
    }

    @Test func getSendsNoContentLength() throws {
        let request = try client.buildRequest(.get, "http://h/")
        #expect(!request.headers.contains("Content-Length"))
        #expect(!request.headers.contains("Transfer-Encoding"))
        #expect(request.headers.fields.first?.name == "Host")
    }

    @Test func multipartMatchesHttpx() async throws {
        var data: FormFields = ["n": "v"]
        data.add("m", "1")
        let files: MultipartFiles = [
            ("f", MultipartFile(filename: "a.txt", content: "hi")),
            ("g", MultipartFile(filename: nil, content: "raw")),
            ("h", MultipartFile(filename: "we\"ird\nname.png", content: "x")),
            ("t", MultipartFile(filename: nil, content: "typed", contentType: "text/plain")),
        ]
        var request = try client.buildRequest(.put, "http://h/", data: data, files: files)
        try await request.read()
        let contentType = try #require(request.headers["Content-Type"])
        let boundary = try #require(MultipartEncoder.boundary(inContentType: contentType))
        #expect(boundary.count == 32)
        let expected = [
            "--\(boundary)", "Content-Disposition: form-data; name=\"n\"", "", "v",
            "--\(boundary)", "Content-Disposition: form-data; name=\"m\"", "", "1",
            "--\(boundary)", "Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"", "Content-Type: text/plain", "", "hi",
            "--\(boundary)", "Content-Disposition: form-data; name=\"g\"", "", "raw",
            "--\(boundary)", "Content-Disposition: form-data; name=\"h\"; filename=\"we%22ird%0Aname.png\"", "Content-Type: image/png", "", "x",
            "--\(boundary)", "Content-Disposition: form-data; name=\"t\"", "Content-Type: text/plain", "", "typed",
            "--\(boundary)--", "",
        ].joined(separator: "\r\n")
        #expect(request.contentText == expected)
        #expect(request.headers["Content-Length"] == String(expected.utf8.count))
    }

    @Test func multipartHonoursAnExplicitBoundary() async throws {
        var request = try client.buildRequest(
            .post, "http://h/", headers: ["Content-Type": "multipart/form-data; boundary=XyZ"],
            files: ["f": MultipartFile(filename: "x.bin", content: [0, 1])])
        try await request.read()
        #expect(request.headers.values(for: "Content-Type") == ["multipart/form-data; boundary=XyZ"])
        #expect(request.contentText.hasPrefix("--XyZ\r\n"))
        #expect(request.contentText.hasSuffix("--XyZ--\r\n"))
        #expect(request.contentText.contains("Content-Type: application/octet-stream"))
        let direct = RequestBody.multipart(files: [("f", MultipartFile(filename: nil, content: "a"))], boundary: "b0")
        #expect(direct.contentType == "multipart/form-data; boundary=b0")
    }

    @Test func multipartStreamsFilesFromDisk() async throws {
        let path = "/tmp/httpx-multipart-\(UInt64.random(in: 0...UInt64.max)).csv"
        let payload = [UInt8]((0..<200_000).map { UInt8($0 % 251) })
        try Data(payload).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let body = RequestBody.multipart(
            fields: [("k", "v")], files: [("upload", try .path(path))], boundary: "B")
        #expect(body.isReplayable)
        var chunks = 0
        var collected: [UInt8] = []
        for try await chunk in body.stream {
            chunks += 1
            collected.append(contentsOf: chunk.readableBytesView)
        }
        #expect(chunks > 3, "a file part is read in chunks, not at once")
        #expect(collected.count == body.length)
        let header = "--B\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"\(path.split(separator: "/").last!)\"\r\nContent-Type: text/csv\r\n\r\n"
        let headerBytes = Array(header.utf8)
        let start = try #require(collected.firstRange(of: headerBytes))
        #expect(Array(collected[start.upperBound..<start.upperBound + payload.count]) == payload)
        // Replayable: a second pass gives the same bytes.
        #expect(Array(try await body.stream.collect().readableBytesView) == collected)
    }

    @Test func unreadableFilesFailClearly() async {
        let error = await expectHTTPXError(.invalidArgument) { _ = try MultipartFile.path("/nonexistent/report.xls") }
        #expect(error?.message.contains("/nonexistent/report.xls") == true)
        await expectHTTPXError(.invalidArgument) { _ = try MultipartFile.path("/tmp") }
        await expectHTTPXError(.invalidArgument) { _ = try RequestBody.file("/nonexistent") }
    }

    @Test func fileBodyIsStreamedWithItsLength() async throws {
        let path = "/tmp/httpx-file-\(UInt64.random(in: 0...UInt64.max)).bin"
        try Data(repeating: 7, count: 100_000).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let request = try client.buildRequest(.put, "http://h/", content: try .file(path))
        #expect(request.headers["Content-Length"] == "100000")
        #expect(try await request.body.stream.collect().readableBytes == 100_000)
    }

    @Test func guessesContentTypes() {
        #expect(MIMETypes.guess(filename: "report.xls") == "application/vnd.ms-excel")
        #expect(MIMETypes.guess(filename: "photo.JPG") == "image/jpeg")
        #expect(MIMETypes.guess(filename: "noext") == "application/octet-stream")
        #expect(MIMETypes.guess(filename: "archive.weird") == "application/octet-stream")
    }
}
