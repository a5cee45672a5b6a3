// Fuzzes the `.netrc` parser (`Netrc(parsing:)`): tokens, quoting and escapes, comments,
// `machine`/`default` entries and `macdef` bodies. A `.netrc` file is the user's, but it is
// often shared, generated or copied from elsewhere, and the client reads it on its own.
import FuzzSupport
@testable import HTTPX

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count) else { return 0 }
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let netrc = try Netrc(parsing: text)
        for (machine, entry) in netrc.machines {
            _ = entry.description
            _ = netrc.entry(for: machine)
            _ = netrc.entry(for: machine.uppercased())
        }
        _ = netrc.defaultEntry?.description
        _ = netrc.entry(for: "unlisted.example")
        _ = netrc.macros.count
    } catch {
        // A malformed file is an error naming its line, never a crash.
        _ = String(describing: error)
    }
    return 0
}
