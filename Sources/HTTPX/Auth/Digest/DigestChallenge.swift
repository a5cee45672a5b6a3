/// A server's Digest challenge, ready to be answered.
struct DigestChallenge: Sendable {
    let realm: String
    let nonce: String
    let opaque: String?
    let algorithm: DigestAlgorithm
    /// The `qop` options offered; `nil` for an RFC 2069 challenge without one.
    let qopOptions: [String]?
    let isStale: Bool
    let userhash: Bool

    /// The first Digest challenge of `response` with an algorithm this client implements;
    /// `nil` when it has no Digest challenge. A Digest challenge without a nonce or realm, or
    /// with only unknown algorithms, is an error that names the request.
    static func first(in response: Response, request: Request) throws -> DigestChallenge? {
        let digests = AuthChallenge.challenges(in: response.headers).filter { $0.scheme.lowercased() == "digest" }
        guard !digests.isEmpty else { return nil }
        var unknown: [String] = []
        for challenge in digests {
            let name = challenge["algorithm"] ?? "MD5"
            guard let algorithm = DigestAlgorithm(name: name) else {
                unknown.append(name)
                continue
            }
            guard let nonce = challenge["nonce"], let realm = challenge["realm"] else {
                throw HTTPXError(
                    .remoteProtocol,
                    "Malformed Digest challenge in the 401 response to \(request): it has no \(challenge["nonce"] == nil ? "nonce" : "realm")",
                    request: request)
            }
            let qop = challenge["qop"].map {
                $0.split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }.filter { !$0.isEmpty }
            }
            return DigestChallenge(
                realm: realm, nonce: nonce, opaque: challenge["opaque"], algorithm: algorithm, qopOptions: qop,
                isStale: challenge["stale"]?.lowercased() == "true", userhash: challenge["userhash"]?.lowercased() == "true")
        }
        throw HTTPXError(
            .remoteProtocol,
            "The 401 response to \(request) asks for Digest with an unsupported algorithm (\(unknown.joined(separator: ", "))); supported: MD5, SHA, SHA-256, SHA-512 and their -sess forms",
            request: request)
    }

    /// The `Authorization` header answering this challenge for `request`.
    func authorization(
        for request: Request, username: String, password: String, nonceCount: Int, clientNonce: String
    ) throws -> String {
        let hash = algorithm
        let uri = request.target
        let nc = String(nonceCount, radix: 16).leftPadded(to: 8)
        var ha1 = hash.hex("\(username):\(realm):\(password)")
        if algorithm.isSession { ha1 = hash.hex("\(ha1):\(nonce):\(clientNonce)") }

        let qop: String?
        if let options = qopOptions {
            if options.contains("auth") {
                qop = "auth"
            } else if options.contains("auth-int") {
                qop = "auth-int"
            } else {
                throw HTTPXError(
                    .remoteProtocol,
                    "The Digest challenge for \(request) offers qop '\(options.joined(separator: ","))'; supported: auth, auth-int",
                    request: request)
            }
        } else {
            qop = nil
        }
        let ha2: String
        if qop == "auth-int" {
            guard let body = request.body.bytes ?? (request.body.isEmpty ? [] : nil) else {
                throw HTTPXError(
                    .invalidArgument,
                    "Digest qop=auth-int signs the body, but the body of \(request) is a stream or file; send it as bytes or read() it first",
                    request: request)
            }
            ha2 = hash.hex("\(request.method.rawValue):\(uri):\(hash.hex(body))")
        } else {
            ha2 = hash.hex("\(request.method.rawValue):\(uri)")
        }
        let response: String
        if let qop {
            response = hash.hex("\(ha1):\(nonce):\(nc):\(clientNonce):\(qop):\(ha2)")
        } else {
            response = hash.hex("\(ha1):\(nonce):\(ha2)")
        }

        var fields: [String] = []
        if userhash {
            fields.append("username=\(quoted(hash.hex("\(username):\(realm)")))")
        } else if username.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            fields.append("username=\(quoted(username))")
        } else {
            // RFC 7616 §3.4.4: a name outside ASCII goes as an RFC 8187 extended value.
            fields.append("username*=UTF-8''\(PercentEncoding.encode(username, allowed: .unreserved))")
        }
        fields.append("realm=\(quoted(realm))")
        fields.append("nonce=\(quoted(nonce))")
        fields.append("uri=\(quoted(uri))")
        fields.append("response=\(quoted(response))")
        fields.append("algorithm=\(algorithm)")
        if let opaque { fields.append("opaque=\(quoted(opaque))") }
        if let qop {
            fields.append("qop=\(qop)")
            fields.append("nc=\(nc)")
            fields.append("cnonce=\(quoted(clientNonce))")
        }
        if userhash { fields.append("userhash=true") }
        return "Digest " + fields.joined(separator: ", ")
    }

    private func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
