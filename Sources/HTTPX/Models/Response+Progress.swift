import NIOCore

extension Response {
    /// Keys of the values a transport puts in ``extensions``, as httpx names them.
    public enum ExtensionKey {
        /// The protocol version as a `String`: `"HTTP/1.1"`, `"HTTP/2"`.
        public static let httpVersion = "http_version"
        /// The reason phrase the server sent, as a `String`.
        public static let reasonPhrase = "reason_phrase"
        /// The HTTP/2 stream the response came on, as an `Int`.
        public static let streamID = "stream_id"
    }

    /// How many bytes of the body (as received, before content decoding) have been read so
    /// far: httpx's `num_bytes_downloaded`, for progress bars.
    ///
    /// ```swift
    /// try await client.stream(.get, url) { response in
    ///     let total = response.headers["Content-Length"].flatMap(Int.init)
    ///     for try await chunk in response.bytes() {
    ///         try file.write(chunk)
    ///         print("\(response.numBytesDownloaded) of \(total ?? -1)")
    ///     }
    /// }
    /// ```
    public var numBytesDownloaded: Int {
        switch body.storage {
        case .buffer(let buffer): buffer.readableBytes
        case .stream(_, let control): control.bytesDownloaded
        }
    }

    /// Whether the body is done with: read to its end, or closed. A body in memory is.
    public var isClosed: Bool {
        switch body.storage {
        case .buffer: true
        case .stream(_, let control): control.isClosed
        }
    }

    /// Whether reading the streamed body began (it can be read only once). `false` for a body
    /// in memory, which can be read any number of times.
    public var isStreamConsumed: Bool {
        switch body.storage {
        case .buffer: false
        case .stream(_, let control): control.isStarted
        }
    }
}

extension ByteStream {
    /// The same bytes in chunks of exactly `size` bytes (the last may be shorter); the stream
    /// as it is when `size` is `nil`.
    func rechunked(_ size: Int?) -> ByteStream {
        guard let size, size > 0 else { return self }
        let upstream = self
        return ByteStream(replayable: isReplayable) {
            var iterator = upstream.makeAsyncIterator()
            var pending = ByteBuffer()
            var ended = false
            return {
                while pending.readableBytes < size && !ended {
                    if var chunk = try await iterator.next() {
                        if pending.readableBytes == 0 { pending = chunk } else { pending.writeBuffer(&chunk) }
                    } else {
                        ended = true
                    }
                }
                guard pending.readableBytes > 0 else { return nil }
                return pending.readSlice(length: Swift.min(size, pending.readableBytes))
            }
        }
    }
}
