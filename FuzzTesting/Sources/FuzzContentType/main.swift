// Fuzzes content types and charsets: `Response.charset` (the `Content-Type` parameter),
// `TextEncoding(charset:)`, `Response.resolvedEncoding(for:)`, every encoding's `decode`
// and `completePrefixLength`, and the text a body gives through `text`, `textChunks()` and
// `lines()`, the body arriving in pieces.
//
// Input: the first byte picks the piece size and the client's default encoding; the first
// line after it is the `Content-Type` value, and the bytes after that line are the body.
import FuzzSupport
@testable import HTTPX

private let encodings: [TextEncoding] = [.utf8, .latin1, .ascii, .windows1252, .utf16LE, .utf16BE, .utf16]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count), let selector = bytes.first else { return 0 }
    let (contentType, body) = FuzzInput.firstLine(Array(bytes.dropFirst()))

    _ = TextEncoding(charset: contentType)?.name
    for encoding in encodings {
        _ = encoding.decode(body)
        let cut = encoding.completePrefixLength(body)
        precondition((0...body.count).contains(cut), "completePrefixLength out of range")
    }

    let defaultEncoding: DefaultEncoding
    switch selector & 3 {
    case 1: defaultEncoding = .encoding(.latin1)
    case 2: defaultEncoding = .detector { $0.starts(with: [0xFF, 0xFE]) ? .utf16LE : nil }
    default: defaultEncoding = .utf8
    }
    let pieceSize = FuzzInput.pieceSizes[Int(selector >> 2) % FuzzInput.pieceSizes.count]
    let headers: Headers = [("Content-Type", contentType)]

    var buffered = Response(200, headers: headers, body: ResponseBody(bytes: body))
    buffered.defaultEncoding = defaultEncoding
    _ = buffered.charset
    _ = buffered.resolvedEncoding(for: body)
    _ = try? buffered.text
    _ = try? buffered.json()
    _ = try? JSONValue(parsing: body)

    let pieces = FuzzInput.pieces(body, size: pieceSize)
    runBlocking {
        var streamed = Response(200, headers: headers, body: ResponseBody(stream: Chunks(pieces)))
        streamed.defaultEncoding = defaultEncoding
        do {
            for try await text in streamed.textChunks() { _ = text.count }
        } catch {
            _ = String(describing: error)
        }
        await streamed.close()
        var again = Response(200, headers: headers, body: ResponseBody(stream: Chunks(pieces)))
        again.defaultEncoding = defaultEncoding
        do {
            for try await line in again.lines() { _ = line.count }
        } catch {
            _ = String(describing: error)
        }
        await again.close()
    }
    return 0
}
