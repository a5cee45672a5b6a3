extension AsyncClient {
    /// The `Cookie` header for the next request of an auth flow: the one it has, with the
    /// cookies `response` set added or replaced; `nil` when the response set none.
    func cookieHeader(after response: Response, for request: Request) -> String? {
        guard response.headers.contains("Set-Cookie") else { return nil }
        var set = Cookies()
        set.extract(from: response.headers, for: request.url)
        guard let added = set.header(for: request.url) else { return nil }
        let newNames = Set(set.map(\.name))
        var pairs = (request.headers.first("Cookie") ?? "").split(separator: ";").map {
            String($0.drop { $0 == " " })
        }.filter { !$0.isEmpty }
        pairs.removeAll { pair in newNames.contains(String(pair.prefix { $0 != "=" })) }
        pairs.append(added)
        return pairs.joined(separator: "; ")
    }
}
