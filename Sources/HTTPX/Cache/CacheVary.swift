#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto

/// Secondary cache keys (RFC 9111 §4.1): which request header fields a stored response was
/// selected by, and a keyed hash of their normalised values.
enum CacheVary {
    /// The field names a response's `Vary` nominates: lower case, each once, sorted; `["*"]`
    /// when it varies on everything.
    static func names(in headers: Headers) -> [String] {
        var found = Set<String>()
        for value in headers.values(for: "Vary") {
            for item in value.split(separator: ",") {
                let name = item.trimmingSpaces.lowercased()
                if name == "*" { return ["*"] }
                if !name.isEmpty { found.insert(name) }
            }
        }
        return found.sorted()
    }

    /// Whether the headers vary on everything (`Vary: *`): such a response is never reused.
    static func variesOnEverything(_ headers: Headers) -> Bool {
        names(in: headers) == ["*"]
    }

    /// The nominated fields of `request` as one text: each name with its normalised value (the
    /// field lines joined by commas, spaces around the commas and at the ends removed), one per
    /// line. An absent field differs from an empty one.
    static func normalized(_ request: Request, names: [String]) -> String {
        var text = ""
        for name in names {
            let values = request.headers.values(for: name)
            if values.isEmpty {
                text += name + "\u{0}\n"
                continue
            }
            let normalised = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .map { String($0.trimmingSpaces) }
                .joined(separator: ",")
            text += name + ":" + normalised + "\n"
        }
        return text
    }

    /// The secondary key of `request` for the nominated `names`: empty when there are none,
    /// otherwise `store`'s keyed hash of the normalised fields (``CacheStore/secondaryKey(for:)``),
    /// so values such as `Authorization` or `Cookie` are never kept in the clear, nor as a
    /// hash anyone could recompute from a guess.
    static func key(for request: Request, names: [String], store: any CacheStore) -> String {
        if names.isEmpty { return "" }
        return store.secondaryKey(for: normalized(request, names: names))
    }

    /// Whether `entry` was stored for a request that matches `request` in the fields its
    /// `Vary` nominates.
    static func matches(_ entry: CacheEntry, _ request: Request, store: any CacheStore) -> Bool {
        let nominated = Self.names(in: entry.headers)
        if nominated == ["*"] { return false }
        return key(for: request, names: nominated, store: store) == entry.variantKey
    }
}

/// Digests as lowercase hex, for keys that must not hold their input in the clear.
enum CacheHash {
    /// The key of ``CacheStore/secondaryKey(for:)`` for stores that do not keep their own:
    /// random, for the life of the process.
    static let processKey = SymmetricKey(size: .bits256)

    static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// HMAC-SHA256 of `text` under `key`.
    static func hmacHex(_ text: String, key: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
