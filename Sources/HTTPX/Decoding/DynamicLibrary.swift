#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library opened at run time with `dlopen`, for optional codecs (brotli, zstd) that
/// the package does not link: a machine without the library simply lacks the feature.
///
/// A library, once opened, stays open for the life of the process (its functions are kept in
/// `static let`s).
struct DynamicLibrary: @unchecked Sendable {
    /// The `dlopen` handle; immutable once opened, and `dlsym` is thread-safe.
    private let handle: UnsafeMutableRawPointer

    /// Opens the first of `names` that loads (`RTLD_NOW | RTLD_LOCAL`), or `nil` if none does.
    init?(_ names: [String]) {
        #if canImport(Glibc) || canImport(Darwin)
        for name in names {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                self.handle = handle
                return
            }
        }
        #endif
        return nil
    }

    /// The function `symbol` as `type`, a `@convention(c)` function type matching its C
    /// declaration, or `nil` if the library has no such symbol.
    func function<Function>(_ symbol: String, as type: Function.Type) -> Function? {
        #if canImport(Glibc) || canImport(Darwin)
        guard let address = dlsym(handle, symbol) else { return nil }
        return unsafeBitCast(address, to: type)
        #else
        return nil
        #endif
    }

    /// Closes the library, for when it lacks a needed function; nothing from it may be used after.
    func close() {
        #if canImport(Glibc) || canImport(Darwin)
        _ = dlclose(handle)
        #endif
    }
}
