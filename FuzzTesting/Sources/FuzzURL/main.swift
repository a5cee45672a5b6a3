// Fuzzes URL parsing and reference resolution: `HTTPURL(_:)` on the whole input, then the
// first line as a base URL and the second as a reference joined onto it (RFC 3986 §5.2), the
// way a redirect's `Location` or a client's `base_url` is applied. The third line, when there
// is one, is read as a user's `NO_PROXY` list and as a mount pattern and matched against
// the URLs; the query strings and the input are also percent-decoded.
import FuzzSupport
@testable import HTTPX

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count) else { return 0 }
    let text = String(decoding: bytes, as: UTF8.self)

    var urls: [HTTPURL] = []
    if let whole = try? HTTPURL(text) {
        urls.append(whole)
    }

    let lines = FuzzInput.lines(bytes)
    let reference = lines.count > 1 ? lines[1] : ""
    if let base = try? HTTPURL(lines[0]) {
        urls.append(base)
        if let joined = try? base.join(reference) { urls.append(joined) }
        if let parsedReference = try? HTTPURL(reference) {
            urls.append(parsedReference)
            urls.append(base.resolve(parsedReference))
            urls.append(parsedReference.resolve(base))
            urls.append(base.appendingToBase(parsedReference))
        }
    }

    let rules = lines.count > 2 ? lines[2] : ""
    let noProxy = NoProxy(rules)
    let pattern = URLPattern(rules)
    for url in urls {
        inspect(url)
        _ = noProxy.matches(url)
        _ = pattern.matches(url)
    }
    _ = PercentEncoding.decode(text)
    _ = PercentEncoding.decode(text, plusAsSpace: true)
    _ = QueryParams(query: text).description
    return 0
}

/// Reads every derived property, and parses the URL's text again as a client does when it
/// follows or prints it.
private func inspect(_ url: HTTPURL) {
    _ = url.description
    _ = url.redacted
    _ = url.netloc
    _ = url.host
    _ = url.decodedPath
    _ = try? url.replacing(path: url.decodedPath, query: .some(url.query))
    _ = url.rawPath
    _ = url.username
    _ = url.password
    _ = url.origin
    _ = url.effectivePort
    _ = url.isAbsolute
    let params = url.params
    _ = params.description
    _ = url.settingParams(params)
    _ = url.mergingParams(["page": "2"])
    _ = url.removingUserinfo
    _ = url.settingFragment(url.fragment)
    _ = HTTPURL.removeDotSegments(url.path)
    if let again = try? HTTPURL(url.description) {
        _ = again.hasSameOrigin(as: url)
    }
}
