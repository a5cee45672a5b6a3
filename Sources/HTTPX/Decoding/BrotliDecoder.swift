import NIOCore

/// The few functions of the system's libbrotlidec that ``BrotliDecoder`` calls, resolved at
/// run time so that the package neither links nor needs brotli.
///
/// Pointer arguments are declared as raw pointers: the C ABI is the same, and raw pointers are
/// always representable in `@convention(c)` types.
struct BrotliLibrary: @unchecked Sendable {
    /// `BrotliDecoderState* BrotliDecoderCreateInstance(brotli_alloc_func, brotli_free_func, void*)`
    typealias CreateInstance = @convention(c) (
        UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> OpaquePointer?
    /// `BrotliDecoderResult BrotliDecoderDecompressStream(BrotliDecoderState*, size_t* available_in,
    /// const uint8_t** next_in, size_t* available_out, uint8_t** next_out, size_t* total_out)`
    typealias DecompressStream = @convention(c) (
        OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
        UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> Int32
    /// `void BrotliDecoderDestroyInstance(BrotliDecoderState*)`
    typealias DestroyInstance = @convention(c) (OpaquePointer?) -> Void
    /// `BrotliDecoderErrorCode BrotliDecoderGetErrorCode(const BrotliDecoderState*)`
    typealias GetErrorCode = @convention(c) (OpaquePointer?) -> Int32
    /// `const char* BrotliDecoderErrorString(BrotliDecoderErrorCode)`
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?

    let createInstance: CreateInstance
    let decompressStream: DecompressStream
    let destroyInstance: DestroyInstance
    let getErrorCode: GetErrorCode?
    let errorString: ErrorString?

    /// The library, loaded on first use; `nil` when this machine has no libbrotlidec.
    static let shared: BrotliLibrary? = load()

    #if canImport(Darwin)
    private static let names = [
        "libbrotlidec.1.dylib", "libbrotlidec.dylib", "/opt/homebrew/lib/libbrotlidec.dylib",
        "/usr/local/lib/libbrotlidec.dylib",
    ]
    #else
    private static let names = ["libbrotlidec.so.1", "libbrotlidec.so"]
    #endif

    private static func load() -> BrotliLibrary? {
        guard let library = DynamicLibrary(names) else { return nil }
        guard let create = library.function("BrotliDecoderCreateInstance", as: CreateInstance.self),
            let decompress = library.function("BrotliDecoderDecompressStream", as: DecompressStream.self),
            let destroy = library.function("BrotliDecoderDestroyInstance", as: DestroyInstance.self)
        else {
            library.close()
            return nil
        }
        return BrotliLibrary(
            createInstance: create, decompressStream: decompress, destroyInstance: destroy,
            getErrorCode: library.function("BrotliDecoderGetErrorCode", as: GetErrorCode.self),
            errorString: library.function("BrotliDecoderErrorString", as: ErrorString.self))
    }
}

/// A streaming decoder for `Content-Encoding: br` (RFC 7932) over the system's libbrotlidec,
/// pulled like ``ZlibDecoder``: ``feed(_:)`` hands it compressed bytes, and each call of
/// ``inflate(upTo:)`` decodes at most that many.
///
/// Bytes after the end of the brotli stream are ignored, as zlib-based decoders ignore them.
final class BrotliDecoder: ContentCodingDecoder {
    // BrotliDecoderResult values.
    private static let resultError: Int32 = 0
    private static let resultSuccess: Int32 = 1
    private static let resultNeedsMoreInput: Int32 = 2
    private static let resultNeedsMoreOutput: Int32 = 3

    private let library: BrotliLibrary
    private let state: OpaquePointer
    /// `available_in` and `available_out`, in memory brotli can write through.
    private let sizes: UnsafeMutablePointer<Int>
    /// `next_in` and `next_out`.
    private let cursors: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Compressed bytes not yet decoded.
    private var input = ByteBuffer()
    private var sawInput = false
    /// brotli holds decoded bytes it could not write out yet (it answered NEEDS_MORE_OUTPUT).
    private var holdsOutput = false
    private(set) var finished = false
    let encodingName = "br"

    /// - Throws: ``HTTPXError/Kind/decoding`` when brotli cannot allocate its state.
    init(library: BrotliLibrary) throws {
        guard let state = library.createInstance(nil, nil, nil) else {
            throw HTTPXError(.decoding, "Could not start the br decoder")
        }
        self.library = library
        self.state = state
        sizes = .allocate(capacity: 2)
        sizes.initialize(repeating: 0, count: 2)
        cursors = .allocate(capacity: 2)
        cursors.initialize(repeating: nil, count: 2)
    }

    deinit {
        library.destroyInstance(state)
        sizes.deallocate()
        cursors.deallocate()
    }

    var needsInput: Bool { finished || (input.readableBytes == 0 && !holdsOutput) }

    func feed(_ chunk: ByteBuffer) {
        guard !finished, chunk.readableBytes > 0 else { return }
        sawInput = true
        if input.readableBytes == 0 {
            input = chunk
        } else {
            var chunk = chunk
            input.writeBuffer(&chunk)
        }
    }

    func inflate(upTo limit: Int) throws -> ByteBuffer {
        var output = ByteBuffer()
        guard !finished else {
            input.clear()
            return output
        }
        while output.readableBytes < limit && (input.readableBytes > 0 || holdsOutput) {
            let space = min(limit - output.readableBytes, 64 << 10)
            var result = Self.resultError
            var written = 0
            // brotli only reads through `next_in`, so the shared input buffer is not copied.
            let consumed = input.withUnsafeReadableBytes { inputBytes -> Int in
                sizes[0] = inputBytes.count
                cursors[0] = inputBytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                written = output.writeWithUnsafeMutableBytes(minimumWritableBytes: space) { outputBytes in
                    sizes[1] = space
                    cursors[1] = outputBytes.baseAddress
                    result = library.decompressStream(
                        state, UnsafeMutableRawPointer(sizes), UnsafeMutableRawPointer(cursors),
                        UnsafeMutableRawPointer(sizes + 1), UnsafeMutableRawPointer(cursors + 1), nil)
                    return space - sizes[1]
                }
                cursors[0] = nil
                cursors[1] = nil
                return inputBytes.count - sizes[0]
            }
            input.moveReaderIndex(forwardBy: consumed)
            switch result {
            case Self.resultSuccess:
                finished = true
                holdsOutput = false
                input.clear()
                return output
            case Self.resultNeedsMoreInput:
                holdsOutput = false
            case Self.resultNeedsMoreOutput:
                holdsOutput = true
            default:
                throw HTTPXError(.decoding, "Invalid br-encoded body: \(errorDescription)")
            }
            if consumed == 0 && written == 0 { break }
        }
        if input.readableBytes == 0 && input.capacity > 1 << 20 { input = ByteBuffer() }
        return output
    }

    func finish() throws {
        if sawInput && !finished {
            throw HTTPXError(.decoding, "The br-encoded body ended before its compressed stream did")
        }
    }

    /// brotli's name for its error, as far as the library tells it.
    private var errorDescription: String {
        guard let getErrorCode = library.getErrorCode else { return "brotli reported an error" }
        let code = getErrorCode(state)
        guard let errorString = library.errorString, let name = errorString(code) else {
            return "brotli error \(code)"
        }
        return "brotli error \(String(cString: name)) (\(code))"
    }
}
