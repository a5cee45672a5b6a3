import Crypto
import Testing

@testable import HTTPX

/// RFC 7616 §3.4.1–3.4.3 written out again with swift-crypto, independently of the library,
/// so the tests below can compute what every algorithm and qop must answer.
enum DigestReference {
    /// The lowercase hex digest of `bytes` with the hash `algorithm` names (`-sess` ignored).
    static func hex(_ algorithm: String, _ bytes: [UInt8]) -> String {
        var name = algorithm.uppercased()
        if name.hasSuffix("-SESS") { name.removeLast(5) }
        let digest: [UInt8] = switch name {
        case "MD5": Array(Insecure.MD5.hash(data: bytes))
        case "SHA", "SHA-1": Array(Insecure.SHA1.hash(data: bytes))
        case "SHA-256": Array(SHA256.hash(data: bytes))
        case "SHA-512": Array(SHA512.hash(data: bytes))
        default: []
        }
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    static func hex(_ algorithm: String, _ text: String) -> String { hex(algorithm, Array(text.utf8)) }

    /// The `response` parameter: `KD(H(A1), nonce:nc:cnonce:qop:H(A2))`, or `KD(H(A1), nonce:H(A2))`
    /// without a qop (RFC 2069).
    static func response(
        algorithm: String, username: String, password: String, realm: String, nonce: String,
        cnonce: String, nc: String, qop: String?, method: String, uri: String, body: [UInt8] = []
    ) -> String {
        var ha1 = hex(algorithm, "\(username):\(realm):\(password)")
        if algorithm.uppercased().hasSuffix("-SESS") { ha1 = hex(algorithm, "\(ha1):\(nonce):\(cnonce)") }
        let a2 = qop == "auth-int" ? "\(method):\(uri):\(hex(algorithm, body))" : "\(method):\(uri)"
        let ha2 = hex(algorithm, a2)
        guard let qop else { return hex(algorithm, "\(ha1):\(nonce):\(ha2)") }
        return hex(algorithm, "\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
    }
}

/// Every supported algorithm and qop against a server that checks the answer with
/// ``DigestReference``.
@Suite("Digest auth known answers", .timeLimit(.minutes(1)))
struct DigestAuthKnownAnswerTests {
    static let realm = "http-auth@example.org"
    static let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
    static let body = Array(#"{"a": 1}"#.utf8)

    @Test func referenceReproducesTheRFCExamples() {
        // RFC 7616 §3.9.1 (MD5 and SHA-256) and RFC 2617 §3.5.
        let rfc7616 = { (algorithm: String) in
            DigestReference.response(
                algorithm: algorithm, username: "Mufasa", password: "Circle of Life", realm: Self.realm,
                nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", cnonce: Self.cnonce, nc: "00000001",
                qop: "auth", method: "GET", uri: "/dir/index.html")
        }
        #expect(rfc7616("MD5") == "8ca523f5e9506fed4657c9700eebdbec")
        #expect(rfc7616("SHA-256") == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
        let rfc2617 = DigestReference.response(
            algorithm: "MD5", username: "Mufasa", password: "Circle Of Life", realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", cnonce: "0a4f113b", nc: "00000001", qop: "auth",
            method: "GET", uri: "/dir/index.html")
        #expect(rfc2617 == "6629fae49393a05397450978507c4ef1")
    }

    /// Answers `challenge` with 200 when the Authorization's response is what ``DigestReference``
    /// computes from the request and the parameters it sent, and with the 401 challenge otherwise.
    static func server(challenge: String, nonce: String, algorithm: String, recorder: Recorder) -> AsyncClient {
        mockClient(recorder: recorder) { request in
            let sent = DigestAuthTests.fields(request.headers["Authorization"])
            let expected = DigestReference.response(
                algorithm: algorithm, username: "Mufasa", password: "Circle of Life", realm: Self.realm,
                nonce: nonce, cnonce: sent["cnonce"] ?? "", nc: sent["nc"] ?? "", qop: sent["qop"],
                method: request.method.rawValue, uri: request.target, body: request.content ?? [])
            if sent["response"] == expected && sent["uri"] == request.target {
                return Response(200, text: "welcome")
            }
            return Response(401, headers: ["WWW-Authenticate": challenge])
        }
    }

    static let algorithms = ["MD5", "MD5-sess", "SHA", "SHA-sess", "SHA-256", "SHA-256-sess", "SHA-512", "SHA-512-sess"]

    @Test(arguments: algorithms, ["auth", "auth-int", "none"])
    func answersAChallengeThenUpFront(algorithm: String, qopName: String) async throws {
        let qop = qopName == "none" ? nil : qopName
        // Without a qop there is no cnonce to send, so RFC 2069 has no session variants.
        guard qop != nil || !algorithm.hasSuffix("-sess") else { return }
        let nonce = "nonce-for-\(algorithm)"
        var challenge = #"Digest realm="\#(Self.realm)", nonce="\#(nonce)", algorithm=\#(algorithm)"#
        if let qop { challenge += #", qop="\#(qop)""# }
        let recorder = Recorder()
        let client = Self.server(challenge: challenge, nonce: nonce, algorithm: algorithm, recorder: recorder)
        let digest = DigestAuth("Mufasa", "Circle of Life", clientNonce: { Self.cnonce })
        let expected = { (nc: String) in
            DigestReference.response(
                algorithm: algorithm, username: "Mufasa", password: "Circle of Life", realm: Self.realm,
                nonce: nonce, cnonce: Self.cnonce, nc: nc, qop: qop, method: "POST", uri: "/dir/index.html?x=1",
                body: Self.body)
        }

        let first = try await client.post("http://example.org/dir/index.html?x=1", content: .bytes(Self.body), auth: digest)
        #expect(first.statusCode == 200)
        #expect(first.history.map(\.statusCode) == [401])
        let answer = DigestAuthTests.fields(recorder.last?.headers["Authorization"])
        #expect(answer["response"] == expected("00000001"))
        #expect(answer["algorithm"] == algorithm)
        #expect(answer["qop"] == qop)
        #expect(answer["nc"] == (qop == nil ? nil : "00000001"))
        #expect(answer["cnonce"] == (qop == nil ? nil : Self.cnonce))

        let second = try await client.post("http://example.org/dir/index.html?x=1", content: .bytes(Self.body), auth: digest)
        #expect(second.statusCode == 200)
        #expect(second.history.isEmpty, "answered up front")
        let upFront = DigestAuthTests.fields(recorder.last?.headers["Authorization"])
        // Without a qop the nonce count is not part of the hash, so the answer is the same.
        #expect(upFront["response"] == expected("00000002"))
        #expect(upFront["nc"] == (qop == nil ? nil : "00000002"))
        #expect(recorder.requests.count == 3)
    }

    @Test func sha512_256IsNotSupportedAndAnotherOfferedChallengeIsUsed() async throws {
        #expect(DigestAlgorithm(name: "SHA-512-256") == nil)
        #expect(DigestAlgorithm(name: "SHA-512-256-sess") == nil)
        #expect(DigestAlgorithm(name: "sha-256-sess") == .sha256Session)
        #expect(DigestAlgorithm.sha256Session.description == "SHA-256-sess")

        // RFC 7616 §3.7: a server may offer several algorithms, one challenge each.
        let nonce = "multi"
        let offered = [
            #"Digest realm="\#(Self.realm)", qop="auth", algorithm=SHA-512-256, nonce="\#(nonce)""#,
            #"Digest realm="\#(Self.realm)", qop="auth", algorithm=SHA-256, nonce="\#(nonce)""#,
        ]
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { request in
            let sent = DigestAuthTests.fields(request.headers["Authorization"])
            let expected = DigestReference.response(
                algorithm: "SHA-256", username: "Mufasa", password: "Circle of Life", realm: Self.realm,
                nonce: nonce, cnonce: sent["cnonce"] ?? "", nc: sent["nc"] ?? "", qop: "auth", method: "GET",
                uri: request.target)
            return sent["response"] == expected
                ? Response(200) : Response(401, headers: Headers(offered.map { ("WWW-Authenticate", $0) }))
        }
        let r = try await client.get(
            "http://example.org/", auth: DigestAuth("Mufasa", "Circle of Life", clientNonce: { Self.cnonce }))
        #expect(r.statusCode == 200)
        #expect(DigestAuthTests.fields(recorder.last?.headers["Authorization"])["algorithm"] == "SHA-256")
    }
}
