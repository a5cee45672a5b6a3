import Testing

@testable import HTTPX

/// `Connection: close` is found as a token of a comma-separated list, in any case, and not
/// as a part of another word.
@Suite("Header tokens")
struct HeaderTokenTests {
    @Test(arguments: [
        ("close", true), ("Close", true), ("keep-alive, CLOSE", true), (" close ,x", true), ("\tclose\t", true),
        ("closed", false), ("keep-alive", false), ("", false), ("x-close", false), ("clos", false),
    ])
    func connectionClose(value: String, expected: Bool) {
        let headers: Headers = ["Connection": value]
        #expect(headers.hasToken("close", in: "connection") == expected)
    }

    @Test func repeatedFieldsAndOtherNames() {
        let headers: Headers = [("Connection", "keep-alive"), ("X-Other", "close"), ("connection", "Close")]
        #expect(headers.hasToken("close", in: "Connection"))
        let other: Headers = ["X-Other": "close"]
        #expect(!other.hasToken("close", in: "Connection"))
    }
}
