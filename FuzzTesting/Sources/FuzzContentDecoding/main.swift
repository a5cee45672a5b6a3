// Fuzzes gzip, deflate, br and zstd decoding through the public path a caller uses: a `Response` with a
// `Content-Encoding` header and a body that arrives in pieces, read with `bytes()` to its end.
// This reaches `ContentDecoder`, `ZlibDecoder` (zlib and raw deflate, the raw-deflate
// fallback), `BrotliDecoder` and `ZstdDecoder` (stacked codings, bytes after the end of the
// stream, truncated streams) without depending on how they are built inside.
//
// Input: the first byte's low three bits pick the `Content-Encoding` (`gzip`, `deflate`,
// `gzip, gzip`, `deflate, gzip`, `br`, `zstd`, `br, gzip`, `zstd, deflate`), its other bits
// the size of the body's pieces; the rest is
// the body. Reading stops after 64 MiB of decoded output, so a small input that inflates to
// a lot is bounded here (how much the library holds at once is its own business).
import FuzzSupport
import HTTPX
import NIOCore

private let encodings = ["gzip", "deflate", "gzip, gzip", "deflate, gzip", "br", "zstd", "br, gzip", "zstd, deflate"]
private let outputLimit = 64 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count), let selector = bytes.first else { return 0 }
    let encoding = encodings[Int(selector & 7)]
    let pieceSize = FuzzInput.pieceSizes[Int(selector >> 3) % FuzzInput.pieceSizes.count]
    let pieces = FuzzInput.pieces(Array(bytes.dropFirst()), size: pieceSize)
    runBlocking {
        let response = Response(
            200, headers: [("Content-Encoding", encoding)], body: ResponseBody(stream: Chunks(pieces)))
        var total = 0
        do {
            for try await chunk in response.bytes() {
                total += chunk.readableBytes
                if total > outputLimit { break }
            }
        } catch {
            // A corrupt or truncated body is a decoding error, never a crash.
            _ = String(describing: error)
        }
        // As a caller that stops early does; it also keeps the response from closing its
        // body in a task of its own once the input is done.
        await response.close()
    }
    return 0
}
