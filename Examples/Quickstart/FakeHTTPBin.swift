import HTTPX

/// Echoes requests back as JSON, like httpbin.org, with a few of its special paths.
enum FakeHTTPBin {
    static let transport = MockTransport { request in
        switch request.url.path {
        case "/cookies/set":
            let cookies = request.url.params.items.map { ("Set-Cookie", "\($0.name)=\($0.value); Path=/") }
            return Response(302, headers: Headers([("Location", "/cookies")] + cookies))
        case "/redirect":
            return Response(302, headers: ["Location": "/get"])
        case "/status/418":
            return Response(418, text: "I'm a teapot")
        case "/basic-auth":
            let ok = request.headers["Authorization"] == BasicAuth("user", "pass").headerValue
            return ok ? try Response(200, json: ["authenticated": true]) : Response(401)
        default:
            let echo: [String: JSONValue] = [
                "method": .string(request.method.rawValue),
                "url": .string(request.url.description),
                "args": .object(JSONObject(request.url.params.items.map { ($0.name, JSONValue.string($0.value)) })),
                "headers": .object(JSONObject(request.headers.fields.map { ($0.name, JSONValue.string($0.value)) })),
                "data": .string(String(decoding: request.content ?? [], as: UTF8.self)),
            ]
            return try Response(200, json: echo)
        }
    }
}
