/// Internationalised domain names (UTS #46, as the WHATWG URL standard applies it) through the
/// system's libidn2, loaded at run time: `例え.テスト` goes on the wire as
/// `xn--r8jz45g.xn--zckzah`. Without libidn2, ASCII host names work as ever and a non-ASCII
/// one is refused with a message saying why.
enum IDNA {
    /// `int idn2_to_ascii_8z(const char *input, char **output, int flags)`
    private typealias ToASCII = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32
    ) -> Int32
    /// `int idn2_to_unicode_8z8z(const char *input, char **output, int flags)`
    private typealias ToUnicode = ToASCII
    /// `void idn2_free(void *ptr)`
    private typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Void
    /// `const char *idn2_strerror(int rc)`
    private typealias StrError = @convention(c) (Int32) -> UnsafePointer<CChar>?

    private struct Library: @unchecked Sendable {
        let toASCII: ToASCII
        let toUnicode: ToUnicode
        let free: Free
        let strerror: StrError?
    }

    /// `IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL`: UTS #46 non-transitional processing, as browsers.
    private static let flags: Int32 = 1 | 8

    #if canImport(Darwin)
    private static let names = ["libidn2.0.dylib", "libidn2.dylib", "/opt/homebrew/lib/libidn2.dylib", "/usr/local/lib/libidn2.dylib"]
    #else
    private static let names = ["libidn2.so.0", "libidn2.so"]
    #endif

    private static let library: Library? = {
        guard let library = DynamicLibrary(names) else { return nil }
        guard let toASCII = library.function("idn2_to_ascii_8z", as: ToASCII.self),
            let toUnicode = library.function("idn2_to_unicode_8z8z", as: ToUnicode.self),
            let free = library.function("idn2_free", as: Free.self)
        else {
            library.close()
            return nil
        }
        return Library(toASCII: toASCII, toUnicode: toUnicode, free: free, strerror: library.function("idn2_strerror", as: StrError.self))
    }()

    /// Whether internationalised host names can be used on this machine.
    static var isAvailable: Bool { library != nil }

    /// The ASCII (punycode) form of `domain`, mapped and checked as UTS #46 says.
    ///
    /// - Throws: a message (without the URL) saying why the name is not valid.
    static func toASCII(_ domain: String) throws(IDNAFailure) -> String {
        guard let library else {
            throw IDNAFailure(reason: "internationalised host names need the system's libidn2, which is not installed")
        }
        var output: UnsafeMutablePointer<CChar>?
        let status = domain.withCString { library.toASCII($0, &output, flags) }
        defer { if let output { library.free(output) } }
        guard status == 0, let output else {
            let reason = library.strerror?(status).map { String(cString: $0) } ?? "error \(status)"
            throw IDNAFailure(reason: reason)
        }
        return String(cString: output)
    }

    /// The Unicode form of an ASCII host name: its `xn--` labels decoded; the name as it is
    /// when it has none or they do not decode.
    static func toUnicode(_ host: String) -> String {
        guard host.utf8.count >= 4, hasACELabel(host), let library else { return host }
        var output: UnsafeMutablePointer<CChar>?
        let status = host.withCString { library.toUnicode($0, &output, 0) }
        defer { if let output { library.free(output) } }
        guard status == 0, let output else { return host }
        return String(cString: output)
    }

    /// Whether a label of `host` starts with `xn--` (any case), found without allocating.
    static func hasACELabel(_ host: String) -> Bool {
        var atLabelStart = true
        var matched = 0
        for byte in host.utf8 {
            if atLabelStart || matched > 0 {
                let expected: UInt8 = matched == 0 ? UInt8(ascii: "x") : matched == 1 ? UInt8(ascii: "n") : UInt8(ascii: "-")
                if byte | (matched < 2 ? 0x20 : 0) == expected {
                    matched += 1
                    if matched == 4 { return true }
                    atLabelStart = false
                    continue
                }
            }
            matched = 0
            atLabelStart = byte == UInt8(ascii: ".")
        }
        return false
    }
}

/// Why ``IDNA/toASCII(_:)`` refused a name.
struct IDNAFailure: Error {
    let reason: String
}
