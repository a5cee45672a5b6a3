// Fuzzes `WWW-Authenticate` parsing (`AuthChallenge.parse`, `AuthChallenge.challenges(in:)`)
// and Digest challenges (`DigestChallenge.first(in:request:)`), then answers the Digest
// challenge found (`DigestChallenge.authorization(...)`), as the client does on a 401.
//
// Input: each line is one `WWW-Authenticate` header value. The first byte's low bits pick
// the request answered (a GET, a POST with a body for `qop=auth-int`, a non-ASCII user name).
import FuzzSupport
import NIOCore
@testable import HTTPX

private let requestURL = try? HTTPURL("https://api.example.com/v1/items?page=2")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count), let url = requestURL else { return 0 }
    let lines = FuzzInput.lines(bytes)
    var headers = Headers()
    for line in lines {
        for challenge in AuthChallenge.parse(line) {
            _ = challenge.scheme.lowercased()
            _ = challenge["realm"]
            _ = challenge.parameters.count
        }
        headers.add("WWW-Authenticate", line)
    }
    _ = AuthChallenge.challenges(in: headers)

    let selector = bytes.first ?? 0
    let request: Request
    switch selector & 3 {
    case 1: request = Request(.post, url, body: .bytes(Array("name=value".utf8)))
    case 2: request = Request(.put, url, body: .stream(Chunks([Array("streamed".utf8)])))
    default: request = Request(.get, url)
    }
    let username = selector & 4 == 0 ? "alice" : "Jürgen \"j\" \\"
    let response = Response(401, headers: headers, request: request)
    do {
        if let challenge = try DigestChallenge.first(in: response, request: request) {
            _ = try challenge.authorization(
                for: request, username: username, password: "p@ss:word", nonceCount: 1, clientNonce: "0a4f113b")
            _ = try challenge.authorization(
                for: request, username: username, password: "", nonceCount: Int(selector) << 24,
                clientNonce: "")
        }
    } catch {
        // A malformed or unsupported challenge is an error for the caller, never a crash.
        _ = String(describing: error)
    }
    return 0
}
