// Retries and deadlines, as the README shows them, against an in-process server that fails
// on purpose: `swift run httpx-resilience-example`. Exits with 1 if a step does not behave.
import HTTPX

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers 503 (asking to retry after 0 s) twice, then 200; `/slow` takes 5 s.
actor FlakyServer {
    private var calls = 0

    func answer(_ request: Request) async throws -> Response {
        if request.url.path == "/slow" {
            try await Task.sleep(for: .seconds(5))
            return Response(200, text: "late")
        }
        calls += 1
        return calls <= 2 ? Response(503, headers: ["Retry-After": "0"], text: "busy") : Response(200, text: "done")
    }
}

let server = FlakyServer()

/// Prints the outcome of a step; returns 1 when it failed.
func check(_ ok: Bool, _ what: String) -> Int {
    print((ok ? "ok: " : "FAILED: ") + what)
    return ok ? 0 : 1
}

let failures = try await AsyncClient.withClient(.init(
    transport: MockTransport { try await server.answer($0) },
    retry: RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(10)),
    deadline: .seconds(1)
)) { client in
    var extensions = RequestExtensions()
    extensions.trace = { event in if case .retrying = event { print("  \(event)") } }
    let r = try await client.get("https://api.example.org/items", extensions: extensions)
    var failed = check(r.statusCode == 200 && r.retries == 2, "two 503s, then 200 after \(r.retries) retries")

    do {
        _ = try await client.get("https://api.example.org/slow")
        failed += check(false, "the deadline stops a slow request")
    } catch let error as HTTPXError where error.kind == .deadlineExceeded {
        failed += check(error.is(.timeout), "the deadline stops a slow request: \(error.message)")
    }
    return failed
}
exit(failures == 0 ? 0 : 1)
