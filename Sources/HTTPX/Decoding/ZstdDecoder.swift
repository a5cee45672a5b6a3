import NIOCore

/// The few functions of the system's libzstd that ``ZstdDecoder`` calls, resolved at run time
/// so that the package neither links nor needs zstd (whose headers are often not installed).
struct ZstdLibrary: @unchecked Sendable {
    /// `ZSTD_inBuffer`: `{ const void* src; size_t size; size_t pos; }`, laid out as in C.
    struct InBuffer {
        var src: UnsafeRawPointer?
        var size: Int
        var pos: Int
    }

    /// `ZSTD_outBuffer`: `{ void* dst; size_t size; size_t pos; }`, laid out as in C.
    struct OutBuffer {
        var dst: UnsafeMutableRawPointer?
        var size: Int
        var pos: Int
    }

    /// `ZSTD_DStream* ZSTD_createDStream(void)`
    typealias CreateDStream = @convention(c) () -> OpaquePointer?
    /// `size_t ZSTD_freeDStream(ZSTD_DStream*)`
    typealias FreeDStream = @convention(c) (OpaquePointer?) -> Int
    /// `size_t ZSTD_initDStream(ZSTD_DStream*)`
    typealias InitDStream = @convention(c) (OpaquePointer?) -> Int
    /// `size_t ZSTD_decompressStream(ZSTD_DStream*, ZSTD_outBuffer*, ZSTD_inBuffer*)`; the
    /// buffers are passed as raw pointers to ``OutBuffer`` and ``InBuffer``.
    typealias DecompressStream = @convention(c) (
        OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> Int
    /// `unsigned ZSTD_isError(size_t)`
    typealias IsError = @convention(c) (Int) -> UInt32
    /// `const char* ZSTD_getErrorName(size_t)`
    typealias GetErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

    let createDStream: CreateDStream
    let freeDStream: FreeDStream
    let initDStream: InitDStream
    let decompressStream: DecompressStream
    let isError: IsError
    let getErrorName: GetErrorName?

    /// The library, loaded on first use; `nil` when this machine has no libzstd.
    static let shared: ZstdLibrary? = load()

    #if canImport(Darwin)
    private static let names = [
        "libzstd.1.dylib", "libzstd.dylib", "/opt/homebrew/lib/libzstd.dylib", "/usr/local/lib/libzstd.dylib",
    ]
    #else
    private static let names = ["libzstd.so.1", "libzstd.so"]
    #endif

    private static func load() -> ZstdLibrary? {
        guard let library = DynamicLibrary(names) else { return nil }
        guard let create = library.function("ZSTD_createDStream", as: CreateDStream.self),
            let free = library.function("ZSTD_freeDStream", as: FreeDStream.self),
            let initialize = library.function("ZSTD_initDStream", as: InitDStream.self),
            let decompress = library.function("ZSTD_decompressStream", as: DecompressStream.self),
            let isError = library.function("ZSTD_isError", as: IsError.self)
        else {
            library.close()
            return nil
        }
        return ZstdLibrary(
            createDStream: create, freeDStream: free, initDStream: initialize, decompressStream: decompress,
            isError: isError, getErrorName: library.function("ZSTD_getErrorName", as: GetErrorName.self))
    }

    /// zstd's name for the error `code`.
    func errorName(_ code: Int) -> String {
        guard let getErrorName, let name = getErrorName(code) else { return "zstd error \(code)" }
        return String(cString: name)
    }
}

/// A streaming decoder for `Content-Encoding: zstd` (RFC 8878) over the system's libzstd,
/// pulled like ``ZlibDecoder``: ``feed(_:)`` hands it compressed bytes, and each call of
/// ``inflate(upTo:)`` decodes at most that many.
///
/// The body may hold several zstd frames one after another, decoded as one stream; it must end
/// at the end of a frame. Bytes after the last frame that are not a frame fail to decode.
final class ZstdDecoder: ContentCodingDecoder {
    private let library: ZstdLibrary
    private let stream: OpaquePointer
    private let inBuffer: UnsafeMutablePointer<ZstdLibrary.InBuffer>
    private let outBuffer: UnsafeMutablePointer<ZstdLibrary.OutBuffer>
    /// Compressed bytes not yet decoded.
    private var input = ByteBuffer()
    private var sawInput = false
    /// zstd may hold decoded bytes it could not write out yet (the last call filled its space).
    private var holdsOutput = false
    /// Whether the last frame decoded so far is complete (true before the first byte).
    private var atFrameBoundary = true
    let encodingName = "zstd"

    /// - Throws: ``HTTPXError/Kind/decoding`` when zstd cannot allocate or start its stream.
    init(library: ZstdLibrary) throws {
        guard let stream = library.createDStream() else {
            throw HTTPXError(.decoding, "Could not start the zstd decoder")
        }
        let code = library.initDStream(stream)
        if library.isError(code) != 0 {
            _ = library.freeDStream(stream)
            throw HTTPXError(.decoding, "Could not start the zstd decoder: \(library.errorName(code))")
        }
        self.library = library
        self.stream = stream
        inBuffer = .allocate(capacity: 1)
        inBuffer.initialize(to: ZstdLibrary.InBuffer(src: nil, size: 0, pos: 0))
        outBuffer = .allocate(capacity: 1)
        outBuffer.initialize(to: ZstdLibrary.OutBuffer(dst: nil, size: 0, pos: 0))
    }

    deinit {
        _ = library.freeDStream(stream)
        inBuffer.deallocate()
        outBuffer.deallocate()
    }

    var needsInput: Bool { input.readableBytes == 0 && !holdsOutput }

    func feed(_ chunk: ByteBuffer) {
        guard chunk.readableBytes > 0 else { return }
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
        while output.readableBytes < limit && (input.readableBytes > 0 || holdsOutput) {
            let space = min(limit - output.readableBytes, 64 << 10)
            var code = 0
            var written = 0
            // zstd only reads through `src`, so the shared input buffer is not copied.
            let consumed = input.withUnsafeReadableBytes { inputBytes -> Int in
                inBuffer.pointee = ZstdLibrary.InBuffer(src: inputBytes.baseAddress, size: inputBytes.count, pos: 0)
                written = output.writeWithUnsafeMutableBytes(minimumWritableBytes: space) { outputBytes in
                    outBuffer.pointee = ZstdLibrary.OutBuffer(dst: outputBytes.baseAddress, size: space, pos: 0)
                    code = library.decompressStream(
                        stream, UnsafeMutableRawPointer(outBuffer), UnsafeMutableRawPointer(inBuffer))
                    return outBuffer.pointee.pos
                }
                inBuffer.pointee.src = nil
                outBuffer.pointee.dst = nil
                return inBuffer.pointee.pos
            }
            input.moveReaderIndex(forwardBy: consumed)
            if library.isError(code) != 0 {
                throw HTTPXError(.decoding, "Invalid zstd-encoded body: \(library.errorName(code))")
            }
            // 0: a frame ended and all of it was flushed; another frame may follow.
            atFrameBoundary = code == 0
            holdsOutput = code != 0 && written == space
            if consumed == 0 && written == 0 { break }
        }
        if input.readableBytes == 0 && input.capacity > 1 << 20 { input = ByteBuffer() }
        return output
    }

    func finish() throws {
        if sawInput && (!atFrameBoundary || input.readableBytes > 0 || holdsOutput) {
            throw HTTPXError(.decoding, "The zstd-encoded body ended before its compressed stream did")
        }
    }
}
