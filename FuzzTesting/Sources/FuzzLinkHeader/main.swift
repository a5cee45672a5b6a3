// Fuzzes `Link` header parsing (`Response.links`, RFC 8288), and resolving each link's URL
// against the response's URL, as a client following `rel="next"` does.
//
// Input: each line is one `Link` header field (several fields are joined with `, `).
import FuzzSupport
@testable import HTTPX

private let responseURL = try? HTTPURL("https://api.example.com/v1/items?page=1")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count), let url = responseURL else { return 0 }
    var headers = Headers()
    for line in FuzzInput.lines(bytes) {
        headers.add("Link", line)
    }
    let response = Response(200, headers: headers, request: Request(.get, url))
    for (key, parameters) in response.links {
        _ = key.count
        for (name, value) in parameters {
            _ = name.count + value.count
        }
        if let target = parameters["url"], let resolved = try? url.join(target) {
            _ = resolved.description
        }
    }
    return 0
}
