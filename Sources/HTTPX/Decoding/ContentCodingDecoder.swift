import NIOCore

/// A streaming decoder for one content coding (gzip, deflate, br, zstd), as ``ContentDecoder``
/// pulls it.
///
/// It is pulled, not pushed: ``feed(_:)`` hands it encoded bytes, and each call of
/// ``inflate(upTo:)`` decodes at most that many bytes, so a small body that expands to a huge
/// one never exists in memory at once.
protocol ContentCodingDecoder: AnyObject {
    /// The coding's name as `Content-Encoding` gives it, for messages.
    var encodingName: String { get }

    /// Whether it can produce nothing more until it is fed.
    var needsInput: Bool { get }

    /// Adds encoded bytes.
    func feed(_ chunk: ByteBuffer)

    /// Decodes at most `limit` bytes of what was fed; empty when it needs more input.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` for a corrupt body.
    func inflate(upTo limit: Int) throws -> ByteBuffer

    /// Checks, after the last input, that the encoded stream was complete.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` for a body that ended early.
    func finish() throws
}

extension ZlibDecoder: ContentCodingDecoder {}
