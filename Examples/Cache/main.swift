// HTTP caching, as the README shows it, against an in-process app that counts its requests:
// `swift run httpx-cache-example`. A miss, a hit, a revalidation (304), and a hit from a new
// store on the same directory (a restart). Exits with 1 if a step does not behave.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPX
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time the cache sees: moved forward by hand, so the example never sleeps.
final class ExampleClock: Sendable {
    private let current = Mutex(Date())
    var now: Date { current.withLock { $0 } }
    func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Serves `/report`, fresh for a minute, with an ETag; answers 304 when the client has it.
final class ReportApp: Sendable {
    private let calls = Mutex(0)
    var requests: Int { calls.withLock { $0 } }

    func answer(_ request: Request) -> Response {
        calls.withLock { $0 += 1 }
        let headers: Headers = ["Cache-Control": "max-age=60", "ETag": #""report-v1""#]
        if request.headers["If-None-Match"] == #""report-v1""# {
            return Response(304, headers: headers)
        }
        return Response(200, headers: headers, text: "quarterly numbers")
    }
}

/// Prints the outcome of a step; returns 1 when it failed.
func check(_ ok: Bool, _ what: String) -> Int {
    print((ok ? "ok: " : "FAILED: ") + what)
    return ok ? 0 : 1
}

/// A client whose cache keeps its responses in `store`.
func client(_ store: DiskCacheStore, app: ReportApp, clock: ExampleClock) -> AsyncClient {
    let cache = CacheTransport(
        wrapping: AppTransport { request in app.answer(request) }, store: store, now: { clock.now })
    return AsyncClient(.init(baseURL: "http://reports.internal", transport: cache))
}

let clock = ExampleClock()
let app = ReportApp()
let directory = FileManager.default.temporaryDirectory.path + "/httpx-cache-example-\(UInt64.random(in: 0...UInt64.max))"

var failures = 0
do {
    let first = client(try DiskCacheStore(directory: directory), app: app, clock: clock)
    let miss = try await first.get("/report")
    failures += check(miss.cacheStatus == .miss && app.requests == 1, "first request: \(miss.cacheStatus?.description ?? "none"), the app answered")

    clock.advance(seconds: 30)
    let hit = try await first.get("/report")
    let hitText = try hit.text
    failures += check(
        hit.cacheStatus == .hit && app.requests == 1 && hit.headers["Age"] == "30" && hitText == "quarterly numbers",
        "30 s later: \(hit.cacheStatus?.description ?? "none") (Age: \(hit.headers["Age"] ?? "-")), the app was not asked")

    clock.advance(seconds: 60)
    let revalidated = try await first.get("/report")
    let revalidatedText = try revalidated.text
    failures += check(
        revalidated.cacheStatus == .revalidated && app.requests == 2 && revalidatedText == "quarterly numbers",
        "90 s later: \(revalidated.cacheStatus?.description ?? "none"), the app answered 304 Not Modified")
    await first.close()

    // A new store on the same directory: what the first one stored survives the "restart".
    let second = client(try DiskCacheStore(directory: directory), app: app, clock: clock)
    let restarted = try await second.get("/report")
    failures += check(
        restarted.cacheStatus == .hit && app.requests == 2,
        "after a restart: \(restarted.cacheStatus?.description ?? "none") from \(directory)")
    await second.close()
} catch {
    failures += check(false, "the example failed: \(error)")
}
try? FileManager.default.removeItem(atPath: directory)
exit(failures == 0 ? 0 : 1)
