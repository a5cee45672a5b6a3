import Synchronization
import Testing

@testable import HTTPX

/// Digest auth against MockTransport servers that check the answer. Expected responses come
/// from RFC 7616 §3.9.1 and RFC 2617 §3.5, and from Python's hashlib for the rest.
@Suite("Digest auth", .timeLimit(.minutes(1)))
struct DigestAuthTests {
    static let rfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
    static let rfc7616ClientNonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
    static let rfc7616Opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"

    static func challenge(algorithm: String? = "MD5", qop: String? = "auth, auth-int", stale: Bool = false,
                          extra: String = "") -> String {
        var fields = [#"realm="http-auth@example.org""#]
        if let qop { fields.append(#"qop="\#(qop)""#) }
        if let algorithm { fields.append("algorithm=\(algorithm)") }
        fields.append(#"nonce="\#(rfc7616Nonce)""#)
        fields.append(#"opaque="\#(rfc7616Opaque)""#)
        if stale { fields.append("stale=true") }
        return "Digest " + fields.joined(separator: ", ") + extra
    }

    /// The fields of a Digest Authorization header.
    static func fields(_ header: String?) -> [String: String] {
        guard let header else { return [:] }
        let challenge = AuthChallenge.parse(header).first
        return Dictionary(challenge?.parameters.map { ($0.name, $0.value) } ?? [], uniquingKeysWith: { a, _ in a })
    }

    func auth(_ user: String = "Mufasa", _ password: String = "Circle of Life") -> DigestAuth {
        DigestAuth(user, password, clientNonce: { Self.rfc7616ClientNonce })
    }

    /// A server that answers 401 with `challenge` until the Authorization's response equals
    /// `expected`.
    func server(challenge: String, expected: String, recorder: Recorder = Recorder()) -> AsyncClient {
        mockClient(recorder: recorder) { request in
            if Self.fields(request.headers["Authorization"])["response"] == expected {
                return Response(200, text: "welcome")
            }
            return Response(401, headers: ["WWW-Authenticate": challenge])
        }
    }

    @Test(arguments: [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        ("SHA-512", "27d9ebedb4e86595d8b99152ce456620c8e47c48afbd771dbc4468bb758ca66e7312383d49ad044219d4a2c5c218e66c584fa00b2728798bcff9435825eed0ad"),
    ])
    func answersTheRFC7616Example(algorithm: String, expected: String) async throws {
        let recorder = Recorder()
        let client = server(challenge: Self.challenge(algorithm: algorithm), expected: expected, recorder: recorder)
        let r = try await client.get("http://example.org/dir/index.html", auth: auth())
        #expect(r.statusCode == 200)
        #expect(r.history.map(\.statusCode) == [401])
        let sent = Self.fields(recorder.last?.headers["Authorization"])
        #expect(sent["username"] == "Mufasa")
        #expect(sent["realm"] == "http-auth@example.org")
        #expect(sent["uri"] == "/dir/index.html")
        #expect(sent["qop"] == "auth")
        #expect(sent["nc"] == "00000001")
        #expect(sent["cnonce"] == Self.rfc7616ClientNonce)
        #expect(sent["opaque"] == Self.rfc7616Opaque)
        #expect(sent["algorithm"] == algorithm)
        #expect(recorder.requests.first?.headers.contains("Authorization") == false, "the first request has none")
    }

    @Test func answersTheRFC2617Example() async throws {
        let challenge = #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        let client = server(challenge: challenge, expected: "6629fae49393a05397450978507c4ef1")
        let digest = DigestAuth("Mufasa", "Circle Of Life", clientNonce: { "0a4f113b" })
        let r = try await client.get("http://host.com/dir/index.html", auth: digest)
        #expect(r.statusCode == 200)
    }

    @Test(arguments: [
        ("MD5", "7b2cc3b30e75b4777ea31027084363fd"),
        ("SHA-256", "a1306b0595a6c7fe96c448631fb5cfbd5107bd1fe1da729d978dd7446b812363"),
    ])
    func answersAnRFC2069ChallengeWithoutQop(algorithm: String, expected: String) async throws {
        let recorder = Recorder()
        let client = server(challenge: Self.challenge(algorithm: algorithm, qop: nil), expected: expected, recorder: recorder)
        let r = try await client.get("http://example.org/dir/index.html", auth: auth())
        #expect(r.statusCode == 200)
        let sent = Self.fields(recorder.last?.headers["Authorization"])
        #expect(sent["qop"] == nil && sent["nc"] == nil && sent["cnonce"] == nil)
    }

    @Test func noAlgorithmMeansMD5() async throws {
        let client = server(challenge: Self.challenge(algorithm: nil), expected: "8ca523f5e9506fed4657c9700eebdbec")
        #expect(try await client.get("http://example.org/dir/index.html", auth: auth()).statusCode == 200)
    }

    @Test(arguments: [
        ("MD5-sess", "6914b51e16f9459d9abc967ad41c4599"),
        ("SHA-256-sess", "6bb0010aa4bdf46422a798c509ea32e256f27bd37de5cc3bdf8ed51e1d77d650"),
        ("SHA-512-sess", "43303484539cf2a8679e022aa711e1bdace5925d5bde6119894378282c63f697ac097a79602886e59675587097e41faaaa02b4bad3a58382b371ecebe5789fac"),
    ])
    func sessionAlgorithmsAndUpFrontAnswersWithIncreasingNonceCount(algorithm: String, expectedAtCount2: String) async throws {
        let recorder = Recorder()
        let digest = auth()
        // Accepts any answer carrying the session algorithm: the first exchange sets up the
        // remembered challenge, the second is answered up front with nc=2.
        let client = mockClient(recorder: recorder) { request in
            let sent = Self.fields(request.headers["Authorization"])
            return sent["algorithm"] == algorithm
                ? Response(200) : Response(401, headers: ["WWW-Authenticate": Self.challenge(algorithm: algorithm)])
        }
        _ = try await client.get("http://example.org/dir/index.html", auth: digest)
        let second = try await client.get("http://example.org/dir/index.html", auth: digest)
        #expect(second.history.isEmpty, "answered up front, no 401")
        let sent = Self.fields(recorder.last?.headers["Authorization"])
        #expect(sent["nc"] == "00000002")
        #expect(sent["response"] == expectedAtCount2)
        #expect(recorder.requests.count == 3)
    }

    @Test func newChallengeRestartsTheCountAndStaleIsAnsweredAgain() async throws {
        let recorder = Recorder()
        let digest = auth()
        let round = Atomic<Int>(0)
        let client = mockClient(recorder: recorder) { request in
            let sent = Self.fields(request.headers["Authorization"])
            // Round 0: normal challenge. Round 1: the up-front answer is refused as stale with
            // a new nonce, and the answer to that is accepted.
            if round.load(ordering: .relaxed) == 1, sent["nonce"] == Self.rfc7616Nonce {
                return Response(401, headers: ["WWW-Authenticate": #"Digest realm="http-auth@example.org", qop="auth", nonce="fresh", stale=true"#])
            }
            return sent.isEmpty ? Response(401, headers: ["WWW-Authenticate": Self.challenge()]) : Response(200)
        }
        #expect(try await client.get("http://example.org/a", auth: digest).statusCode == 200)
        round.store(1, ordering: .relaxed)
        let r = try await client.get("http://example.org/b", auth: digest)
        #expect(r.statusCode == 200)
        #expect(r.history.map(\.statusCode) == [401])
        let last = Self.fields(recorder.last?.headers["Authorization"])
        #expect(last["nonce"] == "fresh")
        #expect(last["nc"] == "00000001", "a new challenge starts counting again")
        // And the fresh nonce is remembered for the next request.
        _ = try await client.get("http://example.org/c", auth: digest)
        #expect(Self.fields(recorder.last?.headers["Authorization"])["nc"] == "00000002")
    }

    @Test func wrongPasswordEndsWithThe401AfterOneRetry() async throws {
        let recorder = Recorder()
        let client = server(challenge: Self.challenge(), expected: "never", recorder: recorder)
        let r = try await client.get("http://example.org/dir/index.html", auth: auth("Mufasa", "wrong"))
        #expect(r.statusCode == 401)
        #expect(recorder.requests.count == 2)
    }

    @Test func staleLoopsAreBounded() async throws {
        let recorder = Recorder()
        let client = server(challenge: Self.challenge(stale: true), expected: "never", recorder: recorder)
        let r = try await client.get("http://example.org/", auth: auth())
        #expect(r.statusCode == 401)
        #expect(recorder.requests.count == 4, "one answer, then at most two more for stale nonces")
    }

    @Test func rememberedChallengeIsNotSentToAnotherOrigin() async throws {
        let recorder = Recorder()
        let digest = auth()
        let client = mockClient(recorder: recorder) { request in
            request.headers.contains("Authorization") ? Response(200) : Response(401, headers: ["WWW-Authenticate": Self.challenge()])
        }
        _ = try await client.get("http://example.org/", auth: digest)
        _ = try await client.get("http://other.example/", auth: digest)
        let sent = recorder.requests
        // Two requests to example.org, then other.example first without credentials.
        try #require(sent.count == 4)
        #expect(sent[2].url.host == "other.example")
        #expect(sent[2].headers.contains("Authorization") == false)
    }

    @Test func authIntSignsAnInMemoryBody() async throws {
        let client = server(
            challenge: Self.challenge(qop: "auth-int"), expected: "c2132948736c6940cc21501c3efa4678")
        let r = try await client.post("http://example.org/dir/index.html", content: .text(#"{"a": 1}"#), auth: auth())
        #expect(r.statusCode == 200)
        await expectHTTPXError(.invalidArgument) {
            _ = try await client.post(
                "http://example.org/dir/index.html", content: .stream(Chunks(["x"])), auth: self.auth())
        }
    }

    @Test func userhashAndNonASCIINames() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { request in
            request.headers.contains("Authorization") ? Response(200)
                : Response(401, headers: ["WWW-Authenticate": Self.challenge(extra: ", userhash=true")])
        }
        _ = try await client.get("http://example.org/", auth: auth())
        let hashed = Self.fields(recorder.last?.headers["Authorization"])
        #expect(hashed["username"] == "4238f3a16167373febb9bc4d43db9cc4")
        #expect(hashed["userhash"] == "true")

        let plain = mockClient(recorder: recorder) { request in
            request.headers.contains("Authorization") ? Response(200) : Response(401, headers: ["WWW-Authenticate": Self.challenge()])
        }
        _ = try await plain.get("http://example.org/", auth: auth("Jäsön", "pw"))
        #expect(recorder.last?.headers["Authorization"]?.contains("username*=UTF-8''J%C3%A4s%C3%B6n") == true)
    }

    @Test func picksDigestAmongSeveralChallengesAndCarriesCookies() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { request in
            if request.headers.contains("Authorization") {
                return request.headers["Cookie"] == "fake=fake_value" ? Response(200) : Response(403)
            }
            return Response(401, headers: [
                ("WWW-Authenticate", #"Basic realm="x""#), ("WWW-Authenticate", #"Newauth realm="apps", type=1, title="Login to \"apps\"", "# + Self.challenge()),
                ("Set-Cookie", "fake=fake_value; Path=/"),
            ])
        }
        let r = try await client.get("http://example.org/", auth: auth())
        #expect(r.statusCode == 200, "the retry answers Digest and sends the cookie the 401 set")
    }

    @Test func malformedOrUnsupportedChallengesFailClearly() async throws {
        let noNonce = mockClient { _ in Response(401, headers: ["WWW-Authenticate": #"Digest realm="r", qop="auth""#]) }
        let error = await expectHTTPXError(.remoteProtocol) { _ = try await noNonce.get("http://example.org/x", auth: self.auth()) }
        #expect(error?.message.contains("no nonce") == true)
        #expect(error?.message.contains("http://example.org/x") == true)

        let unknown = mockClient { _ in Response(401, headers: ["WWW-Authenticate": #"Digest realm="r", nonce="n", algorithm=SHA-512-256"#]) }
        let unsupported = await expectHTTPXError(.remoteProtocol) { _ = try await unknown.get("http://example.org/", auth: self.auth()) }
        #expect(unsupported?.message.contains("SHA-512-256") == true)

        let badQop = mockClient { _ in Response(401, headers: ["WWW-Authenticate": #"Digest realm="r", nonce="n", qop="fancy""#]) }
        await expectHTTPXError(.remoteProtocol) { _ = try await badQop.get("http://example.org/", auth: self.auth()) }

        // Garbage, or only other schemes: the 401 is the answer, and it is not retried.
        // (`Digest ===` reads as a parameter named Digest, not as a Digest challenge.)
        for header in ["", "Basic realm=\"x\"", "\"\"\"=,,==", "Digest ===, \"unterminated"] {
            let recorder = Recorder()
            let client = mockClient(recorder: recorder) { _ in Response(401, headers: ["WWW-Authenticate": header]) }
            let r = try await client.get("http://example.org/", auth: auth())
            #expect(r.statusCode == 401, "header \(header)")
            #expect(r.history.isEmpty, "header \(header)")
            #expect(recorder.requests.count == 1, "header \(header)")
        }
        // A Digest challenge whose parameters are missing or unreadable has no nonce.
        for header in ["Digest", "Digest ,, ===", #"Digest realm="r", "nonce""#] {
            let client = mockClient { _ in Response(401, headers: ["WWW-Authenticate": header]) }
            let error = await expectHTTPXError(.remoteProtocol) { _ = try await client.get("http://example.org/", auth: self.auth()) }
            #expect(error?.message == "Malformed Digest challenge in the 401 response to <Request(GET, 'http://example.org/')>: it has no nonce", "header \(header)")
            #expect(error?.request?.url.description == "http://example.org/", "header \(header)")
        }
        #expect(DigestAuth("u", "secret").description == "DigestAuth(u, [secure])")
    }

    @Test func challengeParsing() {
        let parsed = AuthChallenge.parse(#"Basic realm="a b", Digest realm="x\"y", nonce=abc, qop="auth,auth-int", Bearer"#)
        #expect(parsed.map(\.scheme) == ["Basic", "Digest", "Bearer"])
        #expect(parsed[0]["realm"] == "a b")
        #expect(parsed[1]["realm"] == #"x"y"#)
        #expect(parsed[1]["NONCE"] == "abc")
        #expect(parsed[1]["qop"] == "auth,auth-int")
        #expect(AuthChallenge.parse("").isEmpty)
    }
}
