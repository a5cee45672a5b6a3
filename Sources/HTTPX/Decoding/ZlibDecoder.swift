import CHTTPXZlib
import NIOCore

/// A streaming inflater for one `Content-Encoding`: gzip, or deflate in its zlib or raw form.
final class ZlibDecoder {
    enum Format {
        case gzip
        /// zlib-wrapped deflate, falling back to raw deflate when the first bytes say so.
        case deflate
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let format: Format
    private var initialized = false
    private var sawInput = false
    private var triedRaw = false
    private var finished = false
    private let encodingName: String

    init(format: Format) {
        self.format = format
        self.encodingName = format == .gzip ? "gzip" : "deflate"
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
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

    /// Inflates `input`, returning what it decodes to (possibly nothing yet).
    func decode(_ input: ByteBuffer) throws -> ByteBuffer {
        if !initialized {
            try start(windowBits: format == .gzip ? 16 + 15 : 15)
        }
        if finished {
            // Bytes after the end of the compressed stream are ignored, as zlib-based clients do.
            return ByteBuffer()
        }
        let firstInput = !sawInput
        sawInput = sawInput || input.readableBytes > 0
        do {
            return try inflate(input)
        } catch where format == .deflate && firstInput && !triedRaw {
            // Some servers send raw deflate data under `Content-Encoding: deflate`.
            triedRaw = true
            try start(windowBits: -15)
            return try inflate(input)
        }
    }

    /// Checks that the compressed stream was complete.
    func finish() throws {
        if sawInput && !finished {
            throw HTTPXError(.decoding, "The \(encodingName)-encoded body ended before its compressed stream did")
        }
    }

    private func inflate(_ input: ByteBuffer) throws -> ByteBuffer {
        var output = ByteBuffer()
        var input = input
        try input.withUnsafeMutableReadableBytes { inputBytes in
            stream.pointee.next_in = inputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(inputBytes.count)
            defer {
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
            }
            while true {
                let capacity = max(16_384, Int(stream.pointee.avail_in) * 4)
                var status: Int32 = Z_OK
                var filled = false
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { outputBytes in
                    stream.pointee.next_out = outputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = UInt32(outputBytes.count)
                    status = CHTTPXZlib.inflate(stream, Z_NO_FLUSH)
                    let written = outputBytes.count - Int(stream.pointee.avail_out)
                    filled = stream.pointee.avail_out == 0
                    stream.pointee.next_out = nil
                    stream.pointee.avail_out = 0
                    return written
                }
                switch status {
                case Z_STREAM_END:
                    finished = true
                    return
                case Z_OK:
                    if stream.pointee.avail_in == 0 && !filled { return }
                case Z_BUF_ERROR:
                    // No progress possible without more input, unless output space ran out.
                    if !filled { return }
                default:
                    let reason = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw HTTPXError(.decoding, "Invalid \(encodingName)-encoded body: \(reason)")
                }
            }
        }
        return output
    }
}
