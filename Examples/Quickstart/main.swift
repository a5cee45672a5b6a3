// The README quickstart, runnable: `swift run httpx-quickstart`.
//
// Every request goes to a small in-memory stand-in for httpbin.org through a MockTransport, so
// this runs anywhere, without a network.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization
import HTTPX

func show(_ title: String, _ value: Any) {
    print(title + String(repeating: " ", count: max(1, 34 - title.count)) + "\(value)")
}

func asyncDemo() async throws {
try await AsyncClient.withClient(.init(
    baseURL: "https://httpbin.org",
    params: ["api-version": "2"],
    headers: ["User-Agent": "my-app/0.0.1"],
    transport: FakeHTTPBin.transport
)) { client in
    // Client-level headers and params merge into every request; a base URL joins relative URLs.
    let r = try await client.get("/get", params: ["q": "swift"])
    show("GET /get", r)
    show("  url", r.url)
    show("  User-Agent sent", try r.json()["headers"]?["User-Agent"] ?? "-")

    // Bodies: a form, JSON, and a multipart upload.
    let form = try await client.post("/post", data: ["name": "swift", "tags": "nio"])
    show("POST form", try form.json()["data"] ?? "-")
    let json = try await client.post("/post", json: ["name": "swift", "stars": 5] as JSONValue)
    show("POST json", try json.json()["data"] ?? "-")
    let upload = try await client.post(
        "/post", files: ["upload-file": MultipartFile(filename: "report.csv", content: "a,b\n1,2\n")])
    show("POST multipart Content-Type", upload.request.headers["Content-Type"] ?? "-")

    // Cookies persist across requests; redirects are followed on request.
    let cookies = try await client.get("/cookies/set", params: ["flavour": "oat"], followRedirects: true)
    show("cookies after redirect", cookies.history.map(\.statusCode))
    show("  jar", try client.cookies.get("flavour") ?? "-")

    // Redirects are not followed by default; the next request is ready to send.
    let hop = try await client.get("/redirect")
    show("unfollowed redirect", "\(hop.statusCode) → \(hop.nextRequest?.url.description ?? "-")")

    // Build a request, change it, then send it: OPTIONS *.
    var options = try client.buildRequest(.options, "https://httpbin.org")
    options.target = "*"
    show("OPTIONS *", try await client.send(options))

    // Auth, status errors, streaming.
    show("basic auth", try await client.get("/basic-auth", auth: .basic("user", "pass")))
    do {
        try await client.get("/status/418").raiseForStatus()
    } catch let error as HTTPXError where error.is(.httpStatus) {
        show("raiseForStatus", error.message.split(separator: "\n")[0])
    }
    let lines = try await client.stream(.get, "/stream") { response in
        var count = 0
        for try await _ in response.lines() { count += 1 }
        return count
    }
    show("streamed lines", lines)
}

}

// The blocking client: the same options and pipeline, no await. It is for code outside Swift
// concurrency, like this synchronous main, and refuses to block inside a task.
func blockingDemo() throws {
    let client = Client(.init(baseURL: "https://httpbin.org", transport: FakeHTTPBin.transport))
    defer { client.close() }
    let r = try client.get("/get", params: ["from": "blocking"])
    show("blocking Client GET", "\(r) args=\(try r.json()["args"] ?? "-")")
}

try blockingDemo()
let done = DispatchSemaphore(value: 0)
let failed = Mutex(false)
// Detached: a plain Task here would run on the main actor, whose thread is waiting below.
Task.detached {
    do {
        try await asyncDemo()
    } catch {
        print("error: \(error)")
        failed.withLock { $0 = true }
    }
    done.signal()
}
done.wait()
if failed.withLock({ $0 }) { exit(1) }
