import NIOCore

/// A streamed response read from blocking code: by decoded chunks, text chunks or lines,
/// httpx's `iter_bytes()`, `iter_text()` and `iter_lines()`.
///
/// ```swift
/// try client.stream(.get, "https://example.org/log") { stream in
///     while let line = try stream.nextLine() { print(line) }
/// }
/// ```
///
/// The body streams once: use one of ``nextChunk()``, ``nextText()`` and ``nextLine()`` (a
/// second kind of reading fails with ``HTTPXError/Kind/streamConsumed``), or ``read()``.
public final class BlockingStream: @unchecked Sendable {
    // Safety: the reader is only touched by one blocking call at a time, each of which waits
    // for its task to finish before returning.

    /// The response, with its body not yet read.
    public let response: Response
    private var chunks: ByteStream.AsyncIterator?
    private var texts: (() async throws -> String?)?
    private var lines: (() async throws -> String?)?

    init(response: Response) {
        self.response = response
    }

    /// The next decoded chunk of the body, or `nil` at its end.
    public func nextChunk() throws -> ByteBuffer? {
        if chunks == nil { chunks = response.bytes().makeAsyncIterator() }
        return try Blocking.run { [self] in
            try await self.chunks?.next()
        }
    }

    /// The next piece of the body as text, decoded as ``Response/text`` would decode it (a
    /// character split between chunks is kept whole), or `nil` at its end.
    public func nextText() throws -> String? {
        if texts == nil {
            var iterator = response.textChunks().makeAsyncIterator()
            texts = { try await iterator.next() }
        }
        return try Blocking.run { [self] in
            try await self.texts?()
        }
    }

    /// The next line of the body without its line ending (`\n`, `\r\n` or `\r`), or `nil` at
    /// its end.
    public func nextLine() throws -> String? {
        if lines == nil {
            var iterator = response.lines().makeAsyncIterator()
            lines = { try await iterator.next() }
        }
        return try Blocking.run { [self] in
            try await self.lines?()
        }
    }

    /// Reads the rest of the body and returns the response with it.
    public func read() throws -> Response {
        let response = self.response
        return try Blocking.run {
            var copy = response
            try await copy.read()
            return copy
        }
    }

    /// Closes the body without reading the rest.
    public func close() {
        let response = self.response
        if Blocking.canWait {
            _ = try? Blocking.run { await response.close() }
        } else {
            Task { await response.close() }
        }
    }
}
