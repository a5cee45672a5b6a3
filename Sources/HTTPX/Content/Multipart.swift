import NIOCore

/// A file given to a multipart upload: its contents, an optional file name and content type.
///
/// ```swift
/// let files: [String: MultipartFile] = [
///     "report": .path("report.xls", contentType: "application/vnd.ms-excel"),
///     "note": MultipartFile(filename: nil, content: "text content", contentType: "text/plain"),
/// ]
/// let r = try await client.post("https://httpbin.org/post", files: files)
/// ```
///
/// As in httpx, the content type is guessed from the file name's extension when not given
/// (`application/octet-stream` when unknown), and a part with no file name has no
/// `Content-Type` header, so servers treat it as a plain form field.
public struct MultipartFile: Sendable {
    enum Source: Sendable {
        case bytes(ByteBuffer)
        case file(FileSource)
    }

    /// The file name sent in the part's `Content-Disposition`, or `nil` for none.
    public var filename: String?
    /// The content type of the part; `nil` guesses it from ``filename``.
    public var contentType: String?
    let source: Source

    /// A part with in-memory bytes.
    public init(filename: String?, content: [UInt8], contentType: String? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.source = .bytes(ByteBuffer(bytes: content))
    }

    /// A part with text, sent as UTF-8.
    public init(filename: String?, content: String, contentType: String? = nil) {
        self.init(filename: filename, content: Array(content.utf8), contentType: contentType)
    }

    /// A part streamed from the file at `path` when the request is sent.
    ///
    /// - Parameters:
    ///   - path: the file to send.
    ///   - filename: the name sent to the server; by default the path's last component.
    ///   - contentType: the part's `Content-Type`; guessed from the file name by default.
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the file does not exist or cannot be read.
    public static func path(_ path: String, filename: String? = nil, contentType: String? = nil) throws
        -> MultipartFile
    {
        let file = try FileSource(path: path, purpose: "multipart file")
        let name = filename ?? String(path.split(separator: "/").last ?? Substring(path))
        return MultipartFile(filename: name, contentType: contentType, source: .file(file))
    }

    private init(filename: String?, contentType: String?, source: Source) {
        self.filename = filename
        self.contentType = contentType
        self.source = source
    }

    var length: Int {
        switch source {
        case .bytes(let buffer): buffer.readableBytes
        case .file(let file): file.size
        }
    }
}

/// Encodes form fields and files as `multipart/form-data` (RFC 7578), streaming files from disk.
struct MultipartEncoder: Sendable {
    let boundary: String
    private let parts: [(header: ByteBuffer, source: MultipartFile.Source)]

    /// Why this body must not be sent: a boundary or a part's content type that would let
    /// text break out of its part.
    let problem: String?

    init(fields: [(String, String)], files: [(String, MultipartFile)], boundary: String?) {
        self.boundary = boundary ?? Self.randomBoundary()
        problem = Self.problem(boundary: self.boundary, files: files)
        var parts: [(header: ByteBuffer, source: MultipartFile.Source)] = []
        for (name, value) in fields {
            let header = "--\(self.boundary)\r\nContent-Disposition: form-data; name=\"\(Self.escape(name))\"\r\n\r\n"
            parts.append((ByteBuffer(string: header), .bytes(ByteBuffer(string: value))))
        }
        for (name, file) in files {
            var header = "--\(self.boundary)\r\nContent-Disposition: form-data; name=\"\(Self.escape(name))\""
            if let filename = file.filename {
                header += "; filename=\"\(Self.escape(filename))\"\r\n"
                header += "Content-Type: \(file.contentType ?? MIMETypes.guess(filename: filename))"
            } else if let contentType = file.contentType {
                header += "\r\nContent-Type: \(contentType)"
            }
            header += "\r\n\r\n"
            parts.append((ByteBuffer(string: header), file.source))
        }
        self.parts = parts
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    private var closing: ByteBuffer { ByteBuffer(string: "--\(boundary)--\r\n") }

    var length: Int {
        parts.reduce(closing.readableBytes) { total, part in
            let body = switch part.source {
            case .bytes(let buffer): buffer.readableBytes
            case .file(let file): file.size
            }
            return total + part.header.readableBytes + body + 2
        }
    }

    /// A replayable stream of the encoded body: headers and small values as they are, files
    /// read from disk chunk by chunk.
    func stream() -> ByteStream {
        let parts = self.parts
        let closing = self.closing
        return ByteStream(replayable: true) {
            var queue: [Segment] = []
            for part in parts {
                queue.append(.buffer(part.header))
                switch part.source {
                case .bytes(let buffer): queue.append(.buffer(buffer))
                case .file(let file): queue.append(.file(file))
                }
                queue.append(.buffer(ByteBuffer(string: "\r\n")))
            }
            queue.append(.buffer(closing))
            var index = 0
            var reader: (() async throws -> ByteBuffer?)?
            return {
                while index < queue.count {
                    switch queue[index] {
                    case .buffer(let buffer):
                        index += 1
                        if buffer.readableBytes > 0 { return buffer }
                    case .file(let file):
                        if reader == nil { reader = file.makeReader() }
                        if let chunk = try await reader?() { return chunk }
                        reader = nil
                        index += 1
                    }
                }
                return nil
            }
        }
    }

    private enum Segment {
        case buffer(ByteBuffer)
        case file(FileSource)
    }

    /// Escapes a name or file name for a quoted `Content-Disposition` parameter the way
    /// httpx does: `"` as `%22`, `\` doubled, control characters percent-encoded.
    static func escape(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "%22"
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 && scalar.value != 0x1B:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "%" + (hex.count < 2 ? "0" + hex : hex)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// RFC 2046 §5.1.1: 1 to 70 characters of digits, letters and `'()+_,-./:=? `, not
    /// ending in a space; and part content types free of control characters.
    private static func problem(boundary: String, files: [(String, MultipartFile)]) -> String? {
        let allowed = Set("'()+_,-./:=? ".utf8)
        let bytes = Array(boundary.utf8)
        let valid = (1...70).contains(bytes.count) && bytes.last != 0x20
            && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || allowed.contains($0) }
        if !valid {
            return "Invalid multipart boundary '\(boundary)': 1 to 70 letters, digits or '()+_,-./:=? (no trailing space)"
        }
        for (name, file) in files {
            if let type = file.contentType, type.isEmpty || !HTTPToken.isValidFieldValue(type) {
                return "Invalid content type for the multipart file '\(name)': it must be a non-empty header value without control characters"
            }
        }
        return nil
    }

    static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            let hex = String(byte, radix: 16)
            return hex.count < 2 ? "0" + hex : hex
        }.joined()
    }

    /// The boundary named in a `multipart/form-data; boundary=...` content type, if any.
    static func boundary(inContentType value: String?) -> String? {
        guard let value, value.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpaces.lowercased() == "boundary" {
                let raw = pair[1].trimmingSpaces
                return raw.count >= 2 && raw.hasPrefix("\"") && raw.hasSuffix("\"")
                    ? String(raw.dropFirst().dropLast()) : String(raw)
            }
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let scalars = Substring(self)
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return scalars[start...end]
    }
}
