import Testing

@testable import HTTPX

@Suite("Query params")
struct QueryParamsTests {
    @Test func encodesAsHttpx() {
        var params: QueryParams = ["a": "b c", "e": "ü&="]
        params.add("x", "1")
        params.add("x", "2")
        #expect(params.description == "a=b+c&e=%C3%BC%26%3D&x=1&x=2")
        #expect(params.values(for: "x") == ["1", "2"])
        #expect(params.keys == ["a", "e", "x"])
    }

    @Test func setAddRemoveMerge() {
        var params = QueryParams(query: "a=1&b=2&a=3")
        #expect(params.values(for: "a") == ["1", "3"])
        params.set("a", "9")
        #expect(params.description == "a=9&b=2")
        params.remove("b")
        #expect(params.description == "a=9")
        params["c"] = "x y"
        let merged = params.merging(["a": "0", "d": "1"])
        #expect(merged.description == "a=0&c=x+y&d=1")
        #expect(QueryParams(query: "q=a+b%2Bc").values(for: "q") == ["a b+c"])
    }

    @Test func listValuesRepeatTheKey() {
        let params = QueryParams(["tag": ["a", "b"], "page": ["2"]])
        #expect(params.description == "page=2&tag=a&tag=b")
    }
}

@Suite("Headers")
struct HeadersTests {
    @Test func caseInsensitiveLookupKeepsCasingAndOrder() {
        var headers: Headers = ["X-Custom": "1", "accept": "text/html"]
        headers.add("x-custom", "2")
        #expect(headers["x-CUSTOM"] == "1, 2")
        #expect(headers.values(for: "X-Custom") == ["1", "2"])
        #expect(headers.fields.map(\.name) == ["X-Custom", "accept", "x-custom"])
        headers.set("X-CUSTOM", "3")
        #expect(headers.fields.map(\.name) == ["X-CUSTOM", "accept"])
        headers["accept"] = nil
        #expect(!headers.contains("Accept"))
    }

    @Test func masksSecretsWhenPrinted() {
        let headers: Headers = ["Authorization": "Bearer secret", "Proxy-Authorization": "x", "A": "b"]
        #expect(headers.description == "[Authorization: [secure], Proxy-Authorization: [secure], A: b]")
        #expect(!"\(headers)".contains("secret"))
    }

    @Test func mergeReplacesNamesFromTheOther() {
        let base: Headers = ["User-Agent": "a", "Accept": "*/*"]
        let merged = base.merging(["user-agent": "b", "X": "1"])
        #expect(merged.fields.map(\.name) == ["user-agent", "Accept", "X"])
        #expect(merged["User-Agent"] == "b")
    }

    @Test(arguments: [("Bad Name", "v"), ("", "v"), ("X", "a\r\nInjected: 1"), ("X", "a\nb"), ("X", "a\u{0}")])
    func refusesInvalidNamesAndValues(_ name: String, _ value: String) async {
        let headers = Headers([(name, value)])
        await expectHTTPXError(.localProtocol) { try headers.validate() }
        let recorder = Recorder()
        let client = mockClient(recorder: recorder)
        await expectHTTPXError(.localProtocol) {
            _ = try await client.get("http://example.org/", headers: headers)
        }
        #expect(recorder.requests.isEmpty, "an invalid header must never reach the transport")
    }
}

@Suite("Timeouts and limits")
struct TimeoutTests {
    @Test func defaultsAndOverrides() {
        #expect(Timeout.default.connect == .seconds(5))
        #expect(Timeout.default.pool == .seconds(5))
        let t = Timeout(10, connect: 60)
        #expect(t.connect == .seconds(60))
        #expect(t.read == .seconds(10))
        #expect(Timeout.disabled.read == nil)
        let literal: Timeout = 2.5
        #expect(literal.write == .milliseconds(2500))
        #expect(Timeout(-1).read == .zero)
        #expect(Timeout(.nan).read == .zero)
        #expect(Timeout(.infinity).read == .seconds(3_153_600_000))
        #expect(Timeout(1e300).connect == .seconds(3_153_600_000))
        var partial = Timeout(10)
        partial.read = nil
        #expect(partial.read == nil && partial.write == .seconds(10))
    }

    @Test func limitsDefaultToHttpx() {
        let limits = Limits.default
        #expect(limits.maxConnections == 100)
        #expect(limits.maxKeepaliveConnections == 20)
        #expect(limits.keepaliveExpiry == .seconds(5))
        #expect(ClientConfiguration().limits == .default)
        // As httpx's Limits(...): what is left out is unlimited, idle expiry stays 5 s.
        let keepalive = Limits(maxKeepaliveConnections: 5)
        #expect(keepalive.maxConnections == nil && keepalive.maxKeepaliveConnections == 5)
        #expect(keepalive.keepaliveExpiry == .seconds(5))
        #expect(Limits().maxConnections == nil && Limits().maxKeepaliveConnections == nil)
    }

    @Test func aTimeoutGivenAsNilIsDisabledAndOneLeftOutIsShared() {
        let t = Timeout(5, pool: nil)
        #expect(t.connect == .seconds(5) && t.read == .seconds(5) && t.write == .seconds(5))
        #expect(t.pool == nil)
        let u = Timeout(10, connect: 60, read: 2.5)
        #expect(u.connect == .seconds(60) && u.read == .milliseconds(2500) && u.write == .seconds(10) && u.pool == .seconds(10))
        let none = Timeout(nil, read: 3)
        #expect(none.read == .seconds(3) && none.connect == nil)
        let optional: Double? = nil
        #expect(Timeout(4, write: .init(optional)).write == nil)
    }

    @Test func perRequestTimeoutReachesTheTransport() async throws {
        let recorder = Recorder()
        let client = AsyncClient(.init(timeout: Timeout(10, connect: 60), transport: MockTransport { request in
            recorder.record(request)
            return Response(200)
        }))
        _ = try await client.get("http://example.org/")
        #expect(recorder.last?.extensions.timeout.connect == .seconds(60))
        _ = try await client.get("http://example.org/", timeout: .disabled)
        #expect(recorder.last?.extensions.timeout == .disabled)
        _ = try await client.get("http://example.org/", timeout: 1)
        #expect(recorder.last?.extensions.timeout.read == .seconds(1))
    }
}

@Suite("Errors")
struct ErrorTests {
    @Test func treeMatchesHttpx() {
        let error = HTTPXError(.connectTimeout, "took too long")
        #expect(error.is(.connectTimeout))
        #expect(error.is(.timeout))
        #expect(error.is(.transport))
        #expect(error.is(.request))
        #expect(error.is(.httpError))
        #expect(!error.is(.network))
        #expect(HTTPXError.Kind.remoteProtocol.parent == .protocol)
        #expect(HTTPXError(.streamConsumed, "x").is(.stream))
        #expect(error.description == "ConnectTimeout: took too long")
    }

    @Test func customKindsJoinTheTree() {
        let custom = HTTPXError.Kind("RateLimited", parent: .transport)
        #expect(HTTPXError(custom, "slow down").is(.request))
        #expect(custom.parent == .transport)
    }

    @Test func transportErrorsCarryTheRequest() async {
        let client = AsyncClient(.init(transport: MockTransport { _ in throw HTTPXError(.readError, "connection reset") }))
        let error = await expectHTTPXError(.readError) { _ = try await client.get("http://example.org/x") }
        #expect(error?.request?.url.description == "http://example.org/x")
    }
}
