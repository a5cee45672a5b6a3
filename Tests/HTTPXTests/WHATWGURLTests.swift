import Foundation
import Testing

@testable import HTTPX

/// http, https, ws and wss URLs parsed as the WHATWG URL standard says (issue 15 point 7).
@Suite("WHATWG URLs", .timeLimit(.minutes(1)))
struct WHATWGURLTests {
    @Test(arguments: [
        // Backslashes, slashes, whitespace
        ("http:\\\\example.org\\a\\b", "http://example.org/a/b"),
        ("  http://example.org/\t\na\r\n  ", "http://example.org/a"),
        ("http:example.org/x", "http://example.org/x"),
        ("https:////example.org///a", "https://example.org///a"),
        // Hosts: case, percent-decoding, IPv4 forms, IPv6
        ("HTTP://EXAMPLE.ORG", "http://example.org/"),
        ("http://%65xample.org/", "http://example.org/"),
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("http://192.168.0.1./", "http://192.168.0.1/"),
        ("http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"),
        ("http://[::ffff:192.168.0.1]/", "http://[::ffff:c0a8:1]/"),
        ("http://[2001:DB8:0:0:1:0:0:1]:8080/", "http://[2001:db8::1:0:0:1]:8080/"),
        // Ports
        ("http://example.org:80/", "http://example.org/"),
        ("ws://example.org:80/", "ws://example.org/"),
        ("wss://example.org:0443/", "wss://example.org/"),
        ("http://example.org:/", "http://example.org/"),
        // Paths, queries, fragments, userinfo: what is escaped
        ("http://h/a b/%zz/ä/{x}/`/^", "http://h/a%20b/%zz/%C3%A4/%7Bx%7D/%60/%5E"),
        ("http://h/./a/../b/%2e/c/%2E%2e/d", "http://h/b/d"),
        ("http://h/?q=a b'\"<>#frag ment", "http://h/?q=a%20b%27%22%3C%3E#frag%20ment"),
        ("http://us er:p@ss@h/", "http://us%20er:p%40ss@h/"),
        ("http://user:@h/", "http://user@h/"),
        // IDNA
        ("http://例え.テスト/", "http://xn--r8jz45g.xn--zckzah/"),
        ("http://BÜCHER.example/", "http://xn--bcher-kva.example/"),
        ("http://faß.de/", "http://xn--fa-hia.de/"),
    ])
    func parses(_ input: String, _ expected: String) throws {
        #expect(try HTTPURL(input).description == expected)
    }

    @Test(arguments: [
        ("http://example.org/a/b/c", "../d", "http://example.org/a/d"),
        ("http://example.org/a/b/c", "\\x\\y", "http://example.org/x/y"),
        ("http://example.org/a/b/c", "//other.org\\p", "http://other.org/p"),
        ("http://example.org/a/b?q#f", "?n", "http://example.org/a/b?n"),
        ("http://example.org/a/b?q#f", "#g", "http://example.org/a/b?q#g"),
        ("http://example.org/a/b?q#f", "", "http://example.org/a/b?q"),
        ("http://example.org/a/b", "http:c", "http://example.org/a/c"),
        ("http://example.org/a/b", "https:c", "https://c/"),
        ("http://example.org/a/b", "  /x\ty  ", "http://example.org/xy"),
    ])
    func joins(_ base: String, _ reference: String, _ expected: String) throws {
        #expect(try HTTPURL(base).join(reference).description == expected)
    }

    @Test func unicodeHostForPeopleAndPunycodeOnTheWire() async throws {
        let url = try HTTPURL("https://例え.テスト/パス?q=値")
        #expect(url.host == "例え.テスト")
        #expect(url.rawHost == "xn--r8jz45g.xn--zckzah")
        #expect(url.netloc == "xn--r8jz45g.xn--zckzah")
        let recorder = Recorder()
        let client = mockClient(recorder: recorder)
        _ = try await client.get("http://bücher.example/")
        #expect(recorder.last?.headers["Host"] == nil || recorder.last?.headers["Host"] == "xn--bcher-kva.example")
        #expect(recorder.last?.url.rawHost == "xn--bcher-kva.example")
    }

    @Test(arguments: ["http://xn--a.com/", "http://a\u{0000}b/", "http://[1:2:3:4:5:6:7:8:9]/", "http://[::1::]/",
                      "http://0x100000000/", "http://1.2.3.4.5/", "http://h:65536/", "http://%zz/", "http://a%00b/"])
    func rejects(_ input: String) async {
        await expectHTTPXError(.invalidURL) { _ = try HTTPURL(input) }
    }

    @Test func errorsNeverShowThePassword() async {
        let error = await expectHTTPXError(.invalidURL) { _ = try HTTPURL("http://user:hunter2@exa mple/") }
        #expect(error?.message.contains("hunter2") == false)
    }
}

/// The web-platform-tests URL cases for http, https, ws and wss (`Data/wpt`, kept in the
/// repository; `HTTPX_WPT_URLTESTDATA` names another copy). It reports how many pass and fails
/// below the floor the library reached.
@Suite("WPT URL conformance", .timeLimit(.minutes(1)))
struct WPTURLConformanceTests {
    /// The cases passing when this floor was set (httpx 0.28.1 passes 217 of 488).
    static let floor = 480

    @Test func specialSchemeCases() throws {
        let path = try #require(WPTData.path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
        let special: Set<String> = ["http", "https", "ws", "wss"]
        func scheme(_ text: String) -> String? {
            let trimmed = text.drop { $0.unicodeScalars.first!.value <= 0x20 }
            guard let colon = trimmed.firstIndex(of: ":") else { return nil }
            let candidate = trimmed[..<colon].lowercased()
            guard let first = candidate.first, first.isLetter, candidate.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
            return candidate
        }
        var total = 0
        var passed = 0
        var failures: [String] = []
        for case let entry as [String: Any] in entries {
            guard let input = entry["input"] as? String else { continue }
            let base = entry["base"] as? String
            let failure = entry["failure"] as? Bool ?? false
            let protocolName = (entry["protocol"] as? String).map { String($0.dropLast()) }
            let inSubset = protocolName.map(special.contains) == true || base.flatMap(scheme).map(special.contains) == true
                || scheme(input).map(special.contains) == true
            guard inSubset else { continue }
            total += 1
            let result: HTTPURL?
            do {
                result = try base.map { try HTTPURL($0).join(input) } ?? HTTPURL(input)
            } catch {
                result = nil
            }
            let ok = failure ? result == nil : result?.description == entry["href"] as? String
            if ok { passed += 1 } else if failures.count < 400 {
                failures.append("\(input.debugDescription) base \(base ?? "-") → \(result?.description ?? "failure"), expected \(failure ? "failure" : (entry["href"] as? String ?? "?"))")
            }
        }
        print("WPT URL conformance: \(passed) of \(total) http/https/ws/wss cases pass (httpx 0.28.1: 217 of 488)")
        if ProcessInfo.processInfo.environment["HTTPX_WPT_VERBOSE"] != nil { print(failures.joined(separator: "\n")) }
        #expect(passed >= Self.floor, "\(passed) of \(total) pass")
    }
}

enum WPTData {
    static var path: String? {
        if let path = ProcessInfo.processInfo.environment["HTTPX_WPT_URLTESTDATA"] { return path }
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.appendingPathComponent("Data/wpt/urltestdata.json").path
    }
}

/// Building URLs from parts, replacing parts, the decoded path.
@Suite("URL components", .timeLimit(.minutes(1)))
struct URLComponentsTests {
    @Test func buildsFromParts() throws {
        let url = try HTTPURL(scheme: "https", host: "bücher.example", path: "/a b", params: ["q": 1, "r": "x y"])
        #expect(url.description == "https://xn--bcher-kva.example/a%20b?q=1&r=x+y")
        #expect(url.host == "bücher.example")
        let v6 = try HTTPURL(scheme: "http", username: "u@x", password: "p:w", host: "::1", port: 8080, path: "p", fragment: "f g")
        #expect(v6.description == "http://u%40x:p%3Aw@[::1]:8080/p#f%20g")
        #expect(v6.username == "u@x" && v6.password == "p:w")
        #expect(throws: HTTPXError.self) { try HTTPURL(scheme: "http", host: "bad host") }
    }

    @Test func replacesParts() throws {
        let url = try HTTPURL("https://user:pw@example.org:8443/a%2Fb?x=1%26y#top")
        #expect(try url.replacing(path: "/c d").description == "https://user:pw@example.org:8443/c%20d?x=1%26y#top")
        #expect(try url.replacing(port: .some(nil), query: .some(nil), fragment: .some(nil)).description == "https://user:pw@example.org/a%2Fb")
        #expect(try url.replacing(scheme: "http", host: "例え.テスト").description == "http://user:pw@xn--r8jz45g.xn--zckzah:8443/a%2Fb?x=1%26y#top")
        #expect(try url.replacing(username: "", password: "").description == "https://example.org:8443/a%2Fb?x=1%26y#top")
        #expect(throws: HTTPXError.self) { try HTTPURL("/relative").replacing(path: "/x") }
    }

    @Test func decodedPathBesideTheRawOne() throws {
        let url = try HTTPURL("https://example.org/a%20b/%C3%A9")
        #expect(url.path == "/a%20b/%C3%A9")
        #expect(url.decodedPath == "/a b/é")
    }
}
