#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// The file format of ``DiskCacheStore``: a magic line, a length-prefixed header holding the
/// entry's metadata, then the body.
///
/// ```
/// "HTTPXCACHE1\n"                       12 bytes
/// header length                         UInt32, big-endian
/// header:
///   key, variant key                    each a UInt32 length and UTF-8 bytes
///   status code                         UInt16
///   reason phrase, HTTP version         strings
///   request time, response time         UInt64: the bits of a Double, seconds since 1970
///   field count                         UInt32, then each field's name and value as strings
/// body length                           UInt64
/// body
/// ```
///
/// Decoding checks every length against what is left and the bounds below, so a corrupt or
/// truncated file (or one a hostile server's response could shape) is rejected, never trusted;
/// encoding refuses an entry beyond those bounds, so nothing is written that could not be read.
/// The header is read first, and the body only when it is wanted.
enum DiskCacheFormat {
    static let magic: [UInt8] = Array("HTTPXCACHE1\n".utf8)
    /// The largest header accepted.
    static let maxHeaderBytes = 1 << 20
    /// The most header fields accepted.
    static let maxFields = 1_000
    /// The suffix of entry files.
    static let fileSuffix = ".cache"
    /// The prefix of files being written.
    static let temporaryPrefix = ".tmp-"
    /// The file of the store's key for ``CacheStore/secondaryKey(for:)``: 32 random bytes.
    static let keyFileName = "vary.key"

    /// The file name of an entry: the SHA-256 of its key, then a part of the SHA-256 of its
    /// key and variant key: `<64 hex>-<32 hex>.cache`.
    static func fileName(key: String, variantKey: String) -> String {
        let variant = String(CacheHash.sha256Hex(key + "\n" + variantKey).prefix(32))
        return keyHash(key) + "-" + variant + fileSuffix
    }

    /// The hash that starts the file names of `key`'s entries.
    static func keyHash(_ key: String) -> String {
        CacheHash.sha256Hex(key)
    }

    /// The key hash of an entry file's name; `nil` for a name that is not one.
    static func keyHash(ofFileName name: String) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count == 64 + 1 + 32 + fileSuffix.utf8.count, name.hasSuffix(fileSuffix), bytes[64] == UInt8(ascii: "-")
        else { return nil }
        let isHex = { (byte: UInt8) in (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) }
        guard bytes[0..<64].allSatisfy(isHex), bytes[65..<97].allSatisfy(isHex) else { return nil }
        return String(decoding: bytes[0..<64], as: UTF8.self)
    }

    /// The bytes before the header: the magic line and the header length.
    static let prefixLength = magic.count + 4

    /// The file of `entry`; `nil` when it could not be read back: more than ``maxFields``
    /// fields, or a header over ``maxHeaderBytes``.
    static func encode(_ entry: CacheEntry) -> ByteBuffer? {
        guard entry.headers.count <= maxFields else { return nil }
        var header = ByteBuffer()
        writeString(entry.key, to: &header)
        writeString(entry.variantKey, to: &header)
        header.writeInteger(UInt16(clamping: entry.statusCode))
        writeString(entry.reasonPhrase, to: &header)
        writeString(entry.httpVersion, to: &header)
        header.writeInteger(entry.requestTime.timeIntervalSince1970.bitPattern)
        header.writeInteger(entry.responseTime.timeIntervalSince1970.bitPattern)
        header.writeInteger(UInt32(clamping: entry.headers.count))
        for field in entry.headers.fields {
            writeString(field.name, to: &header)
            writeString(field.value, to: &header)
            if header.readableBytes > maxHeaderBytes { return nil }
        }
        guard header.readableBytes <= maxHeaderBytes else { return nil }
        var out = ByteBuffer()
        out.reserveCapacity(prefixLength + header.readableBytes + 8 + entry.body.readableBytes)
        out.writeBytes(magic)
        out.writeInteger(UInt32(header.readableBytes))
        out.writeBuffer(&header)
        out.writeInteger(UInt64(entry.body.readableBytes))
        var body = entry.body
        out.writeBuffer(&body)
        return out
    }

    /// The header length announced by a file's first ``prefixLength`` bytes; `nil` when they
    /// are not this format's, or the length is over ``maxHeaderBytes``.
    static func headerLength(ofPrefix prefix: ByteBuffer) -> Int? {
        var prefix = prefix
        guard prefix.readBytes(length: magic.count) == magic, let length = prefix.readInteger(as: UInt32.self),
            length <= UInt32(maxHeaderBytes)
        else { return nil }
        return Int(length)
    }

    /// The entry described by a file's header, followed by the body length (the 8 bytes after
    /// it); the entry's body is empty. `nil` when the header is not a whole, valid one.
    static func decodeHead(_ buffer: ByteBuffer) -> (entry: CacheEntry, bodyLength: UInt64)? {
        var header = buffer
        guard let key = readString(&header), let variantKey = readString(&header),
            let status = header.readInteger(as: UInt16.self), (100...999).contains(status),
            let reasonPhrase = readString(&header), let httpVersion = readString(&header),
            let requestBits = header.readInteger(as: UInt64.self), let responseBits = header.readInteger(as: UInt64.self),
            let fieldCount = header.readInteger(as: UInt32.self), fieldCount <= UInt32(maxFields)
        else { return nil }
        let requestTime = Double(bitPattern: requestBits), responseTime = Double(bitPattern: responseBits)
        guard requestTime.isFinite, responseTime.isFinite else { return nil }
        var fields: [(String, String)] = []
        fields.reserveCapacity(Int(fieldCount))
        for _ in 0..<Int(fieldCount) {
            guard let name = readString(&header), let value = readString(&header) else { return nil }
            fields.append((name, value))
        }
        guard header.readableBytes == 8, let bodyLength = header.readInteger(as: UInt64.self) else { return nil }
        let entry = CacheEntry(
            key: key, variantKey: variantKey, statusCode: Int(status), reasonPhrase: reasonPhrase, httpVersion: httpVersion,
            headers: Headers(fields), body: ByteBuffer(), requestTime: Date(timeIntervalSince1970: requestTime),
            responseTime: Date(timeIntervalSince1970: responseTime))
        return (entry, bodyLength)
    }

    private static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(clamping: text.utf8.count))
        buffer.writeString(text)
    }

    private static func readString(_ buffer: inout ByteBuffer) -> String? {
        guard let length = buffer.readInteger(as: UInt32.self), UInt64(length) <= UInt64(buffer.readableBytes) else { return nil }
        return buffer.readString(length: Int(length))
    }
}
