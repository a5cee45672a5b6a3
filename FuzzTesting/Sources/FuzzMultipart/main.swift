// Fuzzes the multipart encoder with a caller's boundary and names: the boundary taken from a
// caller's `Content-Type` header (`MultipartEncoder.boundary(inContentType:)`, as
// `AsyncClient.buildRequest` does) and checked (`MultipartEncoder.problem`), field and file
// names escaped into `Content-Disposition`, file content types, and the encoded body streamed
// to its end. The body's length must equal the `Content-Length` the encoder announces
// (`MultipartEncoder.length`), and a boundary the encoder accepts must make a valid
// `Content-Type` value: either failure would break the request on the wire, so both are checked.
//
// Input lines: the caller's `Content-Type` value, a field name, a field value, a file name,
// a file content type; the bytes after the fifth line are the file's contents.
import FuzzSupport
import NIOCore
@testable import HTTPX

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count) else { return 0 }
    var rest = bytes
    var fields: [String] = []
    for _ in 0..<5 {
        let (line, after) = FuzzInput.firstLine(rest)
        fields.append(line)
        rest = after
    }
    let contentType = fields[0], name = fields[1], value = fields[2], filename = fields[3], fileType = fields[4]
    let content = rest

    let boundary = MultipartEncoder.boundary(inContentType: contentType)
    _ = MultipartEncoder.escape(name)
    _ = MIMETypes.guess(filename: filename)
    let files: [(String, MultipartFile)] = [
        (name, MultipartFile(filename: filename, content: content)),
        (filename, MultipartFile(filename: nil, content: content, contentType: fileType.isEmpty ? nil : fileType)),
        (value, MultipartFile(filename: name, content: [], contentType: fileType)),
    ]
    let encoder = MultipartEncoder(fields: [(name, value), (value, name)], files: files, boundary: boundary)
    if encoder.problem == nil {
        // A boundary the encoder accepts goes into the request's `Content-Type` header as it is.
        precondition(HTTPToken.isValidFieldValue(encoder.contentType), "an accepted boundary breaks the Content-Type header")
    }
    let announced = encoder.length
    let body = RequestBody.multipart(fields: [(name, value)], files: files, boundary: boundary)
    _ = body.problem
    let expected = body.length

    runBlocking {
        var total = 0
        do {
            for try await chunk in encoder.stream() { total += chunk.readableBytes }
            precondition(total == announced, "multipart body is \(total) bytes, Content-Length says \(announced)")
            let collected = try await body.buffered()
            if let expected {
                precondition(collected.bytes?.count == expected, "RequestBody.multipart length differs from its bytes")
            }
        } catch {
            // Reading bytes held in memory cannot fail; an error here is worth a look, not a crash.
            _ = String(describing: error)
        }
    }
    return 0
}
