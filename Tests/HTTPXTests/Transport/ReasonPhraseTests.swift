import NIOCore
import Testing

@testable import HTTPX

/// Servers' reason phrases reach the response (SwiftNIO's decoder keeps only the standard one).
@Suite("Reason phrases", .timeLimit(.minutes(1)))
struct ReasonPhraseTests {
    func scan(_ chunks: [String], _ scanner: inout StatusLineScanner) {
        for chunk in chunks {
            let bytes = Array(chunk.utf8)
            bytes.withUnsafeBytes { scanner.scan($0) }
        }
    }

    @Test func theStatusLineIsReadAcrossReads() {
        var scanner = StatusLineScanner()
        scan(["HTTP/1.1 41", "8 I'M A TEA", "POT\r\nContent-Length: 0\r\n\r\n"], &scanner)
        #expect(scanner.takePhrase(forStatus: 418) == "I'M A TEAPOT")
        #expect(scanner.takePhrase(forStatus: 418) == nil)
        scan(["HTTP/1.1 200 Fine\r\n\r\nbody HTTP/1.1 500 not a status line"], &scanner)
        #expect(scanner.takePhrase(forStatus: 200) == nil, "the body is ignored until the response ends")
        scanner.responseEnded()
        scan(["HTTP/1.1 200 Fine\r\n"], &scanner)
        #expect(scanner.takePhrase(forStatus: 200) == "Fine")
    }

    @Test func interimResponsesAreSkipped() {
        var scanner = StatusLineScanner()
        scan(["HTTP/1.1 100 Carry On\r\n\r\nHTTP/1.1 103 Early\r\nLink: </a>\r\n", "\r\nHTTP/1.1 201 Made It\r\n\r\n"], &scanner)
        #expect(scanner.takePhrase(forStatus: 201) == "Made It")
    }

    @Test func oddStatusLines() {
        #expect(StatusLineScanner.parse(Array("HTTP/1.1 204".utf8))! == (204, ""))
        #expect(StatusLineScanner.parse(Array("HTTP/1.0 200 OK\r".utf8))! == (200, "OK"))
        #expect(StatusLineScanner.parse(Array("HTTP/1.1 200 caf\u{E9}".utf8))! == (200, "café"))
        #expect(StatusLineScanner.parse([0x48, 0x54, 0x54, 0x50, 0x2F, 0x31, 0x2E, 0x31, 0x20, 0x32, 0x30, 0x30, 0x20, 0xE9])! == (200, "é"), "Latin-1")
        #expect(StatusLineScanner.parse(Array("ICY 200 OK".utf8)) == nil)
        #expect(StatusLineScanner.parse(Array("HTTP/1.1 20x OK".utf8)) == nil)
        var scanner = StatusLineScanner()
        scan([String(repeating: "x", count: StatusLineScanner.maxStatusLine + 10)], &scanner)
        #expect(!scanner.isLooking, "an overlong status line stops the scanner")
    }

    @Test func aMismatchedCodeGivesNothing() {
        var scanner = StatusLineScanner()
        scan(["HTTP/1.1 404 Gone Fishing\r\n"], &scanner)
        #expect(scanner.takePhrase(forStatus: 200) == nil)
    }

    @Test func theServersPhraseReachesTheResponse() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                switch request.target {
                case "/teapot":
                    try await connection.write("HTTP/1.1 418 I'M A TEAPOT\r\nContent-Length: 2\r\n\r\nno")
                case "/continue":
                    try await connection.write("HTTP/1.1 100 Go Ahead\r\n\r\nHTTP/1.1 200 All Good\r\nContent-Length: 0\r\n\r\n")
                case "/head":
                    try await connection.write("HTTP/1.1 200 Headless\r\nContent-Length: 5\r\n\r\n")
                default:
                    try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                }
            }
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient()
        let teapot = try await client.get(server.baseURL + "/teapot")
        #expect(teapot.reasonPhrase == "I'M A TEAPOT")
        #expect(teapot.extensions[Response.ExtensionKey.reasonPhrase] as? String == "I'M A TEAPOT")
        let error = await expectHTTPXError(.httpStatus) { try teapot.raiseForStatus() }
        #expect(error?.message.contains("418 I'M A TEAPOT") == true, "\(String(describing: error))")
        #expect(try await client.get(server.baseURL + "/continue").reasonPhrase == "All Good")
        #expect(try await client.head(server.baseURL + "/head").reasonPhrase == "Headless")
        let plain = try await client.get(server.baseURL + "/")
        #expect(plain.reasonPhrase == "OK")
        #expect(try await client.get(server.baseURL + "/teapot").reasonPhrase == "I'M A TEAPOT", "on a reused connection")
        await client.close()
    }
}
