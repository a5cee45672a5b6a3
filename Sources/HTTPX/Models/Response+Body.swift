#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

extension Response {
    /// The decoded body (its content encoding undone).
    ///
    /// - Throws: ``HTTPXError/Kind/responseNotRead`` for a streamed response whose body was not
    ///   read with ``read()``, as httpx raises; ``HTTPXError/Kind/decoding`` for a body in
    ///   memory whose content encoding is corrupt.
    public var content: [UInt8] {
        get throws { Array(try contentBuffer.readableBytesView) }
    }

    /// The decoded body as a `ByteBuffer`; throws as ``content`` does.
    public var contentBuffer: ByteBuffer {
        get throws {
            if let decoded { return decoded }
            guard case .buffer(let raw) = body.storage else {
                throw HTTPXError(
                    .responseNotRead,
                    "Attempted to access the content of the streamed response to \(request) before reading it; call read() first",
                    request: request)
            }
            let encoding = headers["Content-Encoding"]
            if ContentDecoder.isIdentity(contentEncoding: encoding) { return raw }
            var limit = limits.decompression
            if let maxBodySize = limits.maxBodySize { limit.maxSize = min(limit.maxSize ?? .max, maxBodySize) }
            do {
                return try ContentDecoder(contentEncoding: encoding, limit: limit, owner: "\(request)").decodeAll(raw)
            } catch let error as HTTPXError {
                throw error.attaching(request)
            }
        }
    }

    /// The body as text, decoded with ``encoding``, else the `Content-Type` charset, else the
    /// client's default encoding (or its detector).
    ///
    /// - Throws: as ``content`` does.
    public var text: String {
        get throws {
            let bytes = try content
            return resolvedEncoding(for: bytes).decode(bytes)
        }
    }

    /// The encoding that ``text`` uses for this body.
    public func resolvedEncoding(for bytes: [UInt8]) -> TextEncoding {
        if let encoding { return encoding }
        if let charset = charset, let named = TextEncoding(charset: charset) { return named }
        switch defaultEncoding {
        case .encoding(let encoding): return encoding
        case .detector(let detect): return detect(bytes) ?? .utf8
        }
    }

    /// The `charset` parameter of the `Content-Type` header (the last one, when a server sends
    /// two, as httpx reads it), if any.
    public var charset: String? {
        guard let contentType = headers.values(for: "Content-Type").last else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpaces.lowercased() == "charset" {
                return String(pair[1].trimmingSpaces).trimmingCharacters(quotes: true)
            }
        }
        return nil
    }

    /// Decodes the JSON body as `type`.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` naming the request when the body is not valid
    ///   JSON of that shape, or ``HTTPXError/Kind/responseNotRead`` for an unread stream.
    public func json<T: Decodable>(as type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        guard isRead else {
            throw HTTPXError(.responseNotRead, "Attempted to decode the JSON of \(request) before its body was read; call read() first", request: request)
        }
        let bytes = try content
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch {
            throw HTTPXError(
                .decoding, "Invalid JSON in the response to \(request): \(error)", request: request,
                underlying: error)
        }
    }

    /// Parses the JSON body as a dynamic ``JSONValue``, objects' members in the server's order.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` naming the request and where the body is not
    ///   JSON, or ``HTTPXError/Kind/responseNotRead`` for an unread stream.
    public func json() throws -> JSONValue {
        guard isRead else {
            throw HTTPXError(.responseNotRead, "Attempted to decode the JSON of \(request) before its body was read; call read() first", request: request)
        }
        let bytes = try content
        do {
            return try JSONValue(parsing: bytes)
        } catch let error as HTTPXError {
            throw HTTPXError(.decoding, "Invalid JSON in the response to \(request): \(error.message)", request: request)
        }
    }

    /// Reads the whole body into memory, decoding its content encoding, so ``content``,
    /// ``text`` and ``json(as:decoder:)`` can be used. Reading twice is harmless.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` for a corrupt compressed body, or one larger
    ///   than ``Limits/maxBodySize`` or its ``Limits/decompression`` limit allow; the
    ///   transport's error when the connection fails while reading.
    public mutating func read() async throws {
        if decoded != nil { return }
        let maxSize = limits.maxBodySize
        let expected = expectedDecodedLength
        if let maxSize, let expected, expected > maxSize {
            await close()
            throw tooLarge(expected, maxSize, announced: true)
        }
        var result = ByteBuffer()
        var first = true
        // Without a content coding the raw chunks are the body: read them without the
        // decoding layer's wrapping.
        let identity = ContentDecoder.isIdentity(contentEncoding: headers["Content-Encoding"])
        var chunks = (identity ? body.chunks : bytes()).makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await chunks.next()
            } catch let error as HTTPXError {
                throw error.attaching(request)
            }
            guard var chunk = next else { break }
            if let maxSize, result.readableBytes + chunk.readableBytes > maxSize {
                await close()
                throw tooLarge(result.readableBytes + chunk.readableBytes, maxSize, announced: false)
            }
            if first, let expected, expected > chunk.readableBytes {
                // Reserve what the server announced (within the limit, so a hostile
                // Content-Length cannot make us allocate more than a real body could).
                result.reserveCapacity(min(expected, maxSize ?? (256 << 20), 256 << 20))
            }
            if first && result.capacity == 0 {
                result = chunk
            } else {
                result.writeBuffer(&chunk)
            }
            first = false
        }
        decoded = result
    }

    private func tooLarge(_ size: Int, _ maxSize: Int, announced: Bool) -> HTTPXError {
        HTTPXError(
            .decoding,
            "The body of the response to \(request) is \(announced ? "announced as " : "over ")\(size) bytes, more than Limits.maxBodySize (\(maxSize)); stream it, or raise the limit",
            request: request)
    }

    /// The body's length when the server announced it and no content coding changes it.
    private var expectedDecodedLength: Int? {
        guard ContentDecoder.isIdentity(contentEncoding: headers["Content-Encoding"]),
              let value = headers.first("Content-Length"), let length = Int(value), length >= 0
        else { return nil }
        return length
    }

    /// Closes a streamed body without reading the rest, releasing its connection.
    public func close() async {
        await body.close()
    }

    /// The body's chunks with the content encoding undone, as they arrive, in slices of at
    /// most 64 KiB (so a streamed body stays in constant memory however far it expands).
    ///
    /// ```swift
    /// try await client.stream(.get, "https://example.org/big") { response in
    ///     for try await chunk in response.bytes() { consume(chunk) }
    /// }
    /// ```
    ///
    /// - Parameter chunkSize: when given, the chunks are of exactly this many bytes (the last
    ///   may be shorter), as httpx's `iter_bytes(chunk_size)`.
    public func bytes(chunkSize: Int? = nil) -> ByteStream {
        decodedBytes().rechunked(chunkSize)
    }

    private func decodedBytes() -> ByteStream {
        let raw = body.chunks
        let encoding = headers["Content-Encoding"]
        let request = self.request
        let limit = limits.decompression
        if let decoded { return ByteStream(decoded) }
        if ContentDecoder.isIdentity(contentEncoding: encoding) {
            return ByteStream(replayable: false) {
                var iterator = raw.makeAsyncIterator()
                return {
                    do {
                        return try await iterator.next()
                    } catch let error as HTTPXError {
                        throw error.attaching(request)
                    }
                }
            }
        }
        return ByteStream(replayable: false) {
            var decoder: ContentDecoder?
            var iterator = raw.makeAsyncIterator()
            var inputEnded = false
            var finished = false
            return {
                do {
                    let current: ContentDecoder
                    if let decoder {
                        current = decoder
                    } else {
                        current = try ContentDecoder(contentEncoding: encoding, limit: limit, owner: "\(request)")
                        decoder = current
                    }
                    while !finished {
                        if let slice = try current.next() { return slice }
                        if inputEnded {
                            finished = true
                            try current.finish()
                            return nil
                        }
                        if let chunk = try await iterator.next() {
                            current.feed(chunk)
                        } else {
                            inputEnded = true
                        }
                    }
                    return nil
                } catch let error as HTTPXError {
                    finished = true
                    throw error.attaching(request)
                }
            }
        }
    }

    /// The body's chunks exactly as received, content encoding included.
    ///
    /// - Parameter chunkSize: when given, the chunks are of exactly this many bytes (the last
    ///   may be shorter).
    public func rawBytes(chunkSize: Int? = nil) -> ByteStream {
        body.chunks.rechunked(chunkSize)
    }

    /// The body as text chunks, decoded as ``text`` would decode it; a character split
    /// between two chunks is kept whole.
    ///
    /// - Parameter chunkSize: when given, the chunks are of exactly this many characters (the
    ///   last may be shorter), as httpx's `iter_text(chunk_size)`.
    public func textChunks(chunkSize: Int? = nil) -> some AsyncSequence<String, any Error> & Sendable {
        let chunks = decodedTextChunks()
        guard let chunkSize, chunkSize > 0 else { return chunks }
        return ClosureSequence<String> {
            var iterator = chunks.makeAsyncIterator()
            var pending = ""
            var ended = false
            return {
                while pending.count < chunkSize && !ended {
                    if let text = try await iterator.next() { pending += text } else { ended = true }
                }
                guard !pending.isEmpty else { return nil }
                let cut = pending.index(pending.startIndex, offsetBy: chunkSize, limitedBy: pending.endIndex) ?? pending.endIndex
                defer { pending.removeSubrange(..<cut) }
                return String(pending[..<cut])
            }
        }
    }

    private func decodedTextChunks() -> ClosureSequence<String> {
        let decodedBytes = bytes()
        let response = self
        return ClosureSequence<String> {
            var iterator = decodedBytes.makeAsyncIterator()
            var pending: [UInt8] = []
            var encoding: TextEncoding?
            var done = false
            return {
                while !done {
                    guard let chunk = try await iterator.next() else {
                        done = true
                        if pending.isEmpty { return nil }
                        return (encoding ?? response.resolvedEncoding(for: pending)).decode(pending)
                    }
                    pending.append(contentsOf: chunk.readableBytesView)
                    let chosen = encoding ?? response.resolvedEncoding(for: pending)
                    encoding = chosen
                    let cut = chosen.completePrefixLength(pending)
                    if cut > 0 {
                        let text = chosen.decode(pending[..<cut])
                        pending.removeFirst(cut)
                        return text
                    }
                }
                return nil
            }
        }
    }

    /// The body as lines, split at `\n`, `\r\n` or `\r` only (not at other Unicode line
    /// separators), without the line endings; a `\r\n` split between two chunks is one ending.
    public func lines() -> some AsyncSequence<String, any Error> & Sendable {
        let textChunks = textChunks()
        return ClosureSequence<String> {
            var iterator = textChunks.makeAsyncIterator()
            var splitter = LineSplitter()
            var ready: [String] = []
            var done = false
            return {
                while ready.isEmpty && !done {
                    if let text = try await iterator.next() {
                        ready = splitter.feed(text)
                    } else {
                        done = true
                        ready = splitter.finish()
                    }
                }
                return ready.isEmpty ? nil : ready.removeFirst()
            }
        }
    }
}
