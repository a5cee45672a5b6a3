#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// The body of a request: bytes, text, a stream, a file, a form, JSON or multipart.
///
/// Client methods take httpx's `content:`, `data:`, `files:` and `json:` arguments and build
/// one of these; use it directly with ``Request`` and ``AsyncClient/send(_:auth:followRedirects:stream:)``.
///
/// ```swift
/// let body = try RequestBody.json(["name": "swift"])
/// body.contentType     // "application/json"
/// body.length          // 16
/// ```
///
/// A body of known length is sent with `Content-Length`; a stream of unknown length with
/// `Transfer-Encoding: chunked`.
public struct RequestBody: Sendable {
    /// The chunks of the body.
    public let stream: ByteStream
    /// The length in bytes, when known before sending.
    public let length: Int?
    /// The `Content-Type` the body implies, if any.
    public let contentType: String?
    /// The whole body, when it is held in memory.
    let memory: Memory?
    /// Why the body must not be sent (an invalid multipart boundary, say), found when it was
    /// made and reported when a request carrying it is sent.
    var problem: String?

    /// A body held in memory: a buffer, or bytes copied into one only when sent (on the
    /// connection's event loop, which keeps large copies off the caller's thread).
    enum Memory: Sendable {
        case buffer(ByteBuffer)
        case array([UInt8])

        var byteBuffer: ByteBuffer {
            switch self {
            case .buffer(let buffer): buffer
            case .array(let bytes): ByteBuffer(bytes: bytes)
            }
        }
    }

    /// The whole body as a buffer, when it is held in memory.
    var buffer: ByteBuffer? { memory?.byteBuffer }

    /// An empty body.
    public static let empty = RequestBody(buffer: ByteBuffer(), contentType: nil)

    init(buffer: ByteBuffer, contentType: String?) {
        self.stream = ByteStream(buffer)
        self.length = buffer.readableBytes
        self.contentType = contentType
        self.memory = .buffer(buffer)
    }

    init(array: [UInt8], contentType: String?) {
        self.stream = ByteStream(.array(array), replayable: true)
        self.length = array.count
        self.contentType = contentType
        self.memory = .array(array)
    }

    init(stream: ByteStream, length: Int?, contentType: String?) {
        self.stream = stream
        self.length = length
        self.contentType = contentType
        self.memory = nil
    }

    /// Whether the body is empty and known to be so.
    public var isEmpty: Bool { length == 0 }

    /// Whether the body can be sent again, for a redirect or an auth retry.
    public var isReplayable: Bool { stream.isReplayable }

    /// The whole body, when it is in memory (`nil` for streams and files).
    public var bytes: [UInt8]? {
        switch memory {
        case .array(let bytes): bytes
        case .buffer(let buffer): Array(buffer.readableBytesView)
        case nil: nil
        }
    }

    /// Raw bytes.
    public static func bytes(_ bytes: [UInt8]) -> RequestBody {
        RequestBody(array: bytes, contentType: nil)
    }

    /// Raw bytes from a `ByteBuffer`.
    public static func bytes(_ buffer: ByteBuffer) -> RequestBody {
        RequestBody(buffer: buffer, contentType: nil)
    }

    /// Text, sent as UTF-8 (`text/plain; charset=utf-8` is not implied, as in httpx).
    public static func text(_ text: String) -> RequestBody {
        RequestBody(buffer: ByteBuffer(string: text), contentType: nil)
    }

    /// A stream of chunks sent as they are produced; `length` sends `Content-Length`,
    /// otherwise the body is chunked. It can be sent only once.
    public static func stream<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks, length: Int? = nil)
        -> RequestBody where Chunks.Element == ByteBuffer
    {
        RequestBody(stream: ByteStream(chunks), length: length, contentType: nil)
    }

    /// A ``ByteStream`` sent as it is produced, as replayable as the stream is; `length` sends
    /// `Content-Length`, otherwise the body is chunked.
    public static func stream(_ stream: ByteStream, length: Int? = nil) -> RequestBody {
        RequestBody(stream: stream, length: length, contentType: nil)
    }

    /// A stream of byte arrays sent as they are produced; see ``stream(_:length:)-(Chunks,_)``.
    public static func stream<Chunks: AsyncSequence & Sendable>(bytes chunks: Chunks, length: Int? = nil)
        -> RequestBody where Chunks.Element == [UInt8]
    {
        RequestBody(stream: ByteStream(bytes: chunks), length: length, contentType: nil)
    }

    /// The file at `path`, streamed from disk with its size as `Content-Length`.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the file cannot be read.
    public static func file(_ path: String, contentType: String? = nil) throws -> RequestBody {
        let file = try FileSource(path: path, purpose: "file")
        let stream = ByteStream(replayable: true) { file.makeReader() }
        return RequestBody(stream: stream, length: file.size, contentType: contentType)
    }

    /// A URL-encoded form (`application/x-www-form-urlencoded`); a repeated name sends
    /// each of its values.
    public static func form(_ fields: [(String, String)]) -> RequestBody {
        let encoded = fields.map { PercentEncoding.formEncode($0.0) + "=" + PercentEncoding.formEncode($0.1) }
            .joined(separator: "&")
        return RequestBody(buffer: ByteBuffer(string: encoded), contentType: "application/x-www-form-urlencoded")
    }

    /// `value` encoded as compact JSON (`application/json`), as httpx writes it: object
    /// members in the order given (a ``JSONValue`` object's insertion order, an `Encodable`'s
    /// encoding order, which for a synthesized conformance is its declaration order), non-ASCII
    /// characters as they are.
    ///
    /// ```swift
    /// struct Item: Encodable { var name: String; var id: Int }
    /// try RequestBody.json(Item(name: "swift", id: 7))     // {"name":"swift","id":7}
    /// try RequestBody.json(["b": 1, "a": 2] as JSONValue)  // {"b":1,"a":2}
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the value cannot be encoded.
    public static func json(_ value: some Encodable) throws -> RequestBody {
        do {
            let bytes = try OrderedJSONEncoder.encode(value)
            return RequestBody(buffer: ByteBuffer(bytes: bytes), contentType: "application/json")
        } catch let error as HTTPXError {
            throw error
        } catch {
            throw HTTPXError(.invalidArgument, "Cannot encode the JSON body: \(error)", underlying: error)
        }
    }

    /// A `multipart/form-data` body of form fields and files; files on disk are streamed.
    ///
    /// - Parameters:
    ///   - fields: form fields, in order; a name may repeat.
    ///   - files: files by field name: in memory or streamed from disk.
    ///   - boundary: the boundary to use; a random one by default.
    public static func multipart(
        fields: [(String, String)] = [], files: [(String, MultipartFile)], boundary: String? = nil
    ) -> RequestBody {
        let encoder = MultipartEncoder(fields: fields, files: files, boundary: boundary)
        var body = RequestBody(stream: encoder.stream(), length: encoder.length, contentType: encoder.contentType)
        body.problem = encoder.problem
        return body
    }

    /// Reads the whole body into memory, so it can be inspected (to sign it, say) and replayed.
    ///
    /// - Throws: ``HTTPXError/Kind/streamConsumed`` for a one-shot stream that was already sent.
    public func buffered() async throws -> RequestBody {
        if memory != nil { return self }
        if let problem { throw HTTPXError(.localProtocol, problem) }
        let collected = try await stream.collect()
        return RequestBody(buffer: collected, contentType: contentType)
    }
}
