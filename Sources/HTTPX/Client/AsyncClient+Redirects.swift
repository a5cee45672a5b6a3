extension AsyncClient {
    /// The request that follows `response`, a redirect, built by httpx's rules.
    ///
    /// - 303 (for any method but HEAD), 302 (likewise) and 301 after a POST become GET, and
    ///   lose their body and its headers; 307 and 308 keep the method and body.
    /// - `Authorization` is dropped when the origin changes, except on an upgrade from http
    ///   to https on the same host and default ports; `Proxy-Authorization` always is.
    /// - `Cookie` is rebuilt from the jar for the new URL; `Host` follows the new URL.
    /// - A relative or scheme-relative `Location` is resolved against the request URL, and
    ///   the request's fragment is kept when the location has none.
    /// - Only `http` and `https` locations are followed (``HTTPXError/Kind/unsupportedProtocol``).
    func redirectRequest(from request: Request, response: Response) throws -> Request {
        let url = try redirectURL(from: request, response: response)
        let method = redirectMethod(request.method, status: response.statusCode)

        var headers = request.headers
        if !url.hasSameOrigin(as: request.url) {
            if !Self.isHTTPSUpgrade(from: request.url, to: url) { headers.remove("Authorization") }
            // A Proxy-Authorization the caller set goes to no other origin (the transport adds
            // the proxy's own on every hop that goes through it).
            headers.remove("Proxy-Authorization")
            headers.set("Host", url.netloc)
        }
        var body = request.body
        if method != request.method && method == .get {
            // httpx drops only the framing of the body it no longer sends; Content-Type stays.
            headers.remove("Content-Length")
            headers.remove("Transfer-Encoding")
            body = .empty
        } else if !body.isReplayable {
            throw HTTPXError(
                .streamConsumed,
                "Cannot follow the \(response.statusCode) redirect of \(request) to '\(url.redacted)': its body was a stream, which cannot be sent twice; buffer it with RequestBody.bytes or read() it first",
                request: request)
        }
        headers.remove("Cookie")
        if let cookie = cookies.header(for: url) { headers.add("Cookie", cookie) }

        var next = Request(method, url, headers: headers, body: body, extensions: request.extensions)
        next.extensions.target = nil
        return next
    }

    private func redirectMethod(_ method: HTTPMethod, status: Int) -> HTTPMethod {
        switch status {
        case 303 where method != .head, 302 where method != .head: .get
        case 301 where method == .post: .get
        default: method
        }
    }

    private func redirectURL(from request: Request, response: Response) throws -> HTTPURL {
        let location = response.headers.first("Location") ?? ""
        var url: HTTPURL
        do {
            url = try HTTPURL(location)
        } catch let error as HTTPXError {
            throw HTTPXError(
                .remoteProtocol,
                "Invalid URL in the Location header of the \(response.statusCode) response to \(request): \(error.message)",
                request: request, underlying: error)
        }
        // "https:/example.com" style locations: a scheme but no host keeps the request's host.
        if !url.scheme.isEmpty && url.rawHost.isEmpty && !url.hasAuthority {
            var fixed = url
            fixed.rawHost = request.url.rawHost
            fixed.port = request.url.port
            fixed.hasAuthority = true
            if !fixed.path.hasPrefix("/") { fixed.path = "/" + fixed.path }
            url = fixed
        }
        if url.isRelative { url = request.url.resolve(url) }
        if url.fragment == nil, let fragment = request.url.fragment { url.fragment = fragment }
        if url.userinfo.isEmpty == false, url.hasSameOrigin(as: request.url) == false {
            url.userinfo = ""
        }
        return url
    }

    /// Only HTTP is followed: a server must not steer a request (with its cookies and
    /// credentials) into another scheme (`ftp:`, `javascript:`, `file:`) that a mounted
    /// transport might act on. (Not following, the response keeps it as its `nextRequest`.)
    static func checkFollowable(_ redirect: Request, from request: Request, response: Response) throws {
        let scheme = redirect.url.scheme
        guard scheme == "http" || scheme == "https" else {
            throw HTTPXError(
                .unsupportedProtocol,
                "Will not follow the \(response.statusCode) redirect of \(request) to the '\(scheme)' scheme: only http and https are followed",
                request: request)
        }
    }

    static func isHTTPSUpgrade(from old: HTTPURL, to new: HTTPURL) -> Bool {
        old.rawHost == new.rawHost && old.scheme == "http" && old.port == nil && new.scheme == "https" && new.port == nil
    }
}
