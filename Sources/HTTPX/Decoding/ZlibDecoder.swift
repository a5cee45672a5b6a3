import CHTTPXZlib
import NIOCore

/// A streaming inflater for one `Content-Encoding`: gzip, or deflate in its zlib or raw form.
///
/// It is pulled, not pushed: ``feed(_:)`` hands it compressed bytes, and each call of
/// ``inflate(upTo:)`` decodes at most that many bytes, so a small body that inflates to a huge
/// one never exists in memory at once.
final class ZlibDecoder {
    enum Format {
        case gzip
        /// zlib-wrapped deflate, falling back to raw deflate when the first bytes say so.
        case deflate
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let format: Format
    private var initialized = false
    /// Compressed bytes not yet inflated.
    private var input = ByteBuffer()
    /// Everything fed before the first output, to start again as raw deflate.
    private var replay: ByteBuffer?
    private var sawInput = false
    private var producedOutput = false
    private var triedRaw = false
    /// zlib may hold decoded bytes it could not write out yet (the last call filled its space).
    private var holdsOutput = false
    private(set) var finished = false
    let encodingName: String

    init(format: Format) {
        self.format = format
        self.encodingName = format == .gzip ? "gzip" : "deflate"
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        if format == .deflate { replay = ByteBuffer() }
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func start(windowBits: Int32) throws {
        if initialized { inflateEnd(stream) }
        stream.pointee = z_stream()
        guard chttpx_inflate_init2(stream, windowBits) == Z_OK else {
            throw HTTPXError(.decoding, "Could not start the \(encodingName) decoder")
        }
        initialized = true
    }

    /// Whether it can produce nothing more until it is fed.
    var needsInput: Bool { finished || (input.readableBytes == 0 && !holdsOutput) }

    /// Adds compressed bytes. Bytes after the end of the compressed stream are ignored, as
    /// zlib-based clients do.
    func feed(_ chunk: ByteBuffer) {
        guard !finished, chunk.readableBytes > 0 else { return }
        sawInput = true
        if input.readableBytes == 0 {
            input = chunk
        } else {
            var chunk = chunk
            input.writeBuffer(&chunk)
        }
        if replay != nil {
            var copy = chunk
            replay?.writeBuffer(&copy)
        }
    }

    /// Decodes at most `limit` bytes of what was fed; empty when it needs more input.
    func inflate(upTo limit: Int) throws -> ByteBuffer {
        if !initialized {
            try start(windowBits: format == .gzip ? 16 + 15 : 15)
        }
        do {
            return try inflateSlice(limit)
        } catch let error as HTTPXError where format == .deflate && !producedOutput && !triedRaw {
            // Some servers send raw deflate data under `Content-Encoding: deflate`.
            guard let replay else { throw error }
            triedRaw = true
            self.replay = nil
            input = replay
            try start(windowBits: -15)
            return try inflateSlice(limit)
        }
    }

    /// Checks that the compressed stream was complete.
    func finish() throws {
        if sawInput && !finished {
            throw HTTPXError(.decoding, "The \(encodingName)-encoded body ended before its compressed stream did")
        }
    }

    private func inflateSlice(_ limit: Int) throws -> ByteBuffer {
        var output = ByteBuffer()
        guard !finished else {
            input.clear()
            return output
        }
        output.reserveCapacity(min(limit, 64 << 10))
        while output.readableBytes < limit && (input.readableBytes > 0 || holdsOutput) {
            let space = min(limit - output.readableBytes, 64 << 10)
            var status: Int32 = Z_OK
            var consumed = 0
            var written = 0
            // zlib only reads through `next_in`; reading without a mutable view avoids copying a
            // buffer the connection still shares.
            input.withUnsafeReadableBytes { inputBytes in
                stream.pointee.next_in = inputBytes.baseAddress.map {
                    UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
                }
                stream.pointee.avail_in = UInt32(min(inputBytes.count, Int(UInt32.max)))
                let available = Int(stream.pointee.avail_in)
                written = output.writeWithUnsafeMutableBytes(minimumWritableBytes: space) { outputBytes in
                    stream.pointee.next_out = outputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = UInt32(space)
                    status = CHTTPXZlib.inflate(stream, Z_NO_FLUSH)
                    return space - Int(stream.pointee.avail_out)
                }
                consumed = available - Int(stream.pointee.avail_in)
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
                stream.pointee.next_out = nil
                stream.pointee.avail_out = 0
            }
            input.moveReaderIndex(forwardBy: consumed)
            holdsOutput = written == space
            if written > 0 {
                producedOutput = true
                replay = nil
            }
            switch status {
            case Z_STREAM_END:
                finished = true
                holdsOutput = false
                input.clear()
                return output
            case Z_OK:
                if consumed == 0 && written == 0 { return output }
            case Z_BUF_ERROR:
                // No progress possible without more input, unless output space ran out.
                if written < space {
                    holdsOutput = false
                    return output
                }
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                throw HTTPXError(.decoding, "Invalid \(encodingName)-encoded body: \(reason)")
            }
        }
        if input.readableBytes == 0 && input.capacity > 1 << 20 { input = ByteBuffer() }
        return output
    }
}
