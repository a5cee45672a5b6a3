import NIOCore
import Testing

@testable import HTTPX

/// Charsets beyond the seven built-in encodings, decoded through the C library's iconv. Byte
/// sequences were checked with Python's codecs.
@Suite("Charsets through iconv", .timeLimit(.minutes(1)))
struct CharsetTests {
    static let shiftJIS: [UInt8] = [0x93, 0xFA, 0x96, 0x7B]  // 日本

    @Test(arguments: [
        ("Shift_JIS", [0x93, 0xFA, 0x96, 0x7B], "日本"),
        ("x-sjis", [0x93, 0xFA, 0x96, 0x7B, 0x5C, 0x7E], "日本\\~"),
        ("GBK", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("GB18030", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("EUC-KR", [0xC7, 0xD1, 0xB1, 0xB9], "한국"),
        ("ks_c_5601-1987", [0xC7, 0xD1, 0xB1, 0xB9], "한국"),
        ("EUC-JP", [0xC6, 0xFC, 0xCB, 0xDC], "日本"),
        ("KOI8-R", [0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "привет"),
        ("koi8", [0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "привет"),
        ("windows-1251", [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),
        ("windows-1250", [0xB3], "ł"),
        ("ISO-8859-2", [0xB3], "ł"),
        ("\"iso_8859-2:1987\"", [0xB3], "ł"),
    ] as [(String, [UInt8], String)])
    func decodesKnownBytes(_ charset: String, _ bytes: [UInt8], _ expected: String) throws {
        let encoding = try #require(TextEncoding(charset: charset))
        #expect(encoding.decode(bytes) == expected)
    }

    @Test(arguments: [
        ("x-sjis", "shift_jis"), ("Shift-JIS", "shift_jis"), ("SJIS", "shift_jis"), ("x-gbk", "gbk"),
        ("gb2312", "gbk"), ("ks_c_5601-1987", "euc-kr"), ("KOI8", "koi8-r"), ("cp1251", "windows-1251"),
        ("iso8859-2", "iso-8859-2"), ("IBM437", "ibm437"),
    ])
    func labelsHaveCanonicalNames(_ label: String, _ name: String) throws {
        #expect(try #require(TextEncoding(charset: label)).name == name)
    }

    @Test func theBuiltInEncodingsStayBuiltIn() {
        #expect(TextEncoding(charset: "UTF-8") == .utf8)
        #expect(TextEncoding(charset: "latin1") == .latin1)
        #expect(TextEncoding(charset: "windows-1252") == .windows1252)
        #expect(TextEncoding(charset: "utf-16le") == .utf16LE)
    }

    @Test func unknownCharsetsAreNil() {
        #expect(TextEncoding(charset: "no-such-charset") == nil)
        #expect(TextEncoding(charset: "") == nil)
        #expect(TextEncoding(charset: "utf-8//IGNORE") == nil, "no iconv suffixes")
        #expect(TextEncoding(charset: "x-sjis ") != nil, "spaces around the label are trimmed")
    }

    @Test func invalidBytesBecomeReplacementCharacters() throws {
        let shiftJIS = try #require(TextEncoding(charset: "shift_jis"))
        #expect(shiftJIS.decode([0x41, 0xFF, 0x42]) == "A\u{FFFD}B")
        #expect(shiftJIS.decode([0x93, 0x20, 0x42]) == "\u{FFFD} B", "a lead byte with a bad trail byte")
        #expect(shiftJIS.decode([0x93, 0xFA, 0x96]) == "日\u{FFFD}", "an incomplete character at the end")
        #expect(shiftJIS.decode([UInt8]()) == "")
    }

    @Test func completePrefixesStopBeforeAnIncompleteCharacter() throws {
        let shiftJIS = try #require(TextEncoding(charset: "shift_jis"))
        #expect(shiftJIS.completePrefixLength(Self.shiftJIS) == 4)
        #expect(shiftJIS.completePrefixLength(Array(Self.shiftJIS.prefix(3))) == 2)
        #expect(shiftJIS.completePrefixLength([0x93]) == 0)
        let koi8 = try #require(TextEncoding(charset: "koi8-r"))
        #expect(koi8.completePrefixLength([0xD0, 0xD2, 0xC9]) == 3)
        let iso2022 = try #require(TextEncoding(charset: "iso-2022-jp"))
        #expect(iso2022.completePrefixLength([0x61, 0x62]) == 0, "stateful: kept whole until the end")
    }

    @Test func aResponseCharsetIsDecoded() throws {
        let response = Response(
            200, headers: ["Content-Type": "text/plain; charset=shift_jis"], body: ResponseBody(bytes: Self.shiftJIS))
        #expect(try response.text == "日本")
        #expect(response.resolvedEncoding(for: Self.shiftJIS).name == "shift_jis")
    }

    @Test func textChunksKeepATwoByteCharacterWhole() async throws {
        // 日本A, split inside 本 (0x96 0x7B).
        let parts: [[UInt8]] = [[0x93, 0xFA, 0x96], [0x7B, 0x41]]
        let client = mockClient { _ in
            Response(
                200, headers: ["Content-Type": "text/plain; charset=Shift_JIS"],
                body: ResponseBody(stream: Chunks(parts)))
        }
        let chunks = try await client.stream(.get, "http://h/") { response in
            var chunks: [String] = []
            for try await chunk in response.textChunks() { chunks.append(chunk) }
            return chunks
        }
        #expect(chunks.joined() == "日本A")
        #expect(!chunks.contains { $0.contains("\u{FFFD}") }, "\(chunks)")
    }

    @Test func aStatefulEncodingIsDecodedWholeAcrossChunks() async throws {
        // 日本ab in ISO-2022-JP, split after the escape into JIS X 0208.
        let bytes: [UInt8] = [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42, 0x61, 0x62]
        let parts = [Array(bytes.prefix(5)), Array(bytes.dropFirst(5))]
        let client = mockClient { _ in
            Response(
                200, headers: ["Content-Type": "text/plain; charset=iso-2022-jp"],
                body: ResponseBody(stream: Chunks(parts)))
        }
        let text = try await client.stream(.get, "http://h/") { response in
            var chunks: [String] = []
            for try await chunk in response.textChunks() { chunks.append(chunk) }
            return chunks.joined()
        }
        #expect(text == "日本ab")
    }

    @Test func aDetectorCanNameAnIconvEncoding() async throws {
        let client = mockClient(defaultEncoding: .detector { _ in TextEncoding(charset: "koi8-r") }) { _ in
            Response(200, body: ResponseBody(bytes: [0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]))
        }
        #expect(try await client.get("http://h/").text == "привет")
    }
}
