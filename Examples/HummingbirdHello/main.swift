// httpx's "Calling into Python Web Apps" example, with a Hummingbird router:
// `swift run httpx-hummingbird-hello`. The client calls the app in-process, with no socket.
import HTTPX
import HTTPXHummingbird
import Hummingbird

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let router = Router()
router.get("/") { _, _ in "Hello World!" }

let client = AsyncClient(.init(transport: try AppTransport(router: router)))
let r = try await client.get("http://example/")
print(r.statusCode, try r.text)
guard r.statusCode == 200, try r.text == "Hello World!" else {
    print("unexpected response: \(r)")
    exit(1)
}

// Inspect 500 responses instead of raising, mount at a sub-path, and set the client address.
let custom = AsyncClient(.init(transport: try AppTransport(
    router: router, raiseAppExceptions: false, rootPath: "/app", clientAddress: "1.2.3.4")))
print(try await custom.get("http://example/app/").text)
await client.close()
await custom.close()
