import HTTPX
import HTTPXHummingbird
import Hummingbird
import NIOCore

/// 64 MiB up, 64 MiB echoed and 64 MiB down through a Hummingbird router in-process.
func hummingbirdTransfers() async throws {
    let router = Router()
    router.post("/count") { request, _ -> String in
        var total = 0
        for try await buffer in request.body { total += buffer.readableBytes }
        return "\(total)"
    }
    router.post("/echo") { request, _ in
        Hummingbird.Response(status: .ok, body: ResponseBody(asyncSequence: request.body))
    }
    router.get("/large") { _, _ in
        Hummingbird.Response(status: .ok, body: ResponseBody { writer in
            for _ in 0..<1024 { try await writer.write(ByteBuffer(repeating: 1, count: 64 << 10)) }
            try await writer.finish(nil)
        })
    }
    let client = AsyncClient(.init(baseURL: "http://example", transport: try AppTransport(router: router)))
    _ = try await client.post("/count", content: .bytes([1])).text  // warm up, small
    let baseline = Memory.status("VmRSS")
    Memory.resetPeak()
    let chunk = [UInt8](repeating: 7, count: 64 << 10)
    let counted = try await client.post("/count", content: .stream(bytes: GeneratedChunks(chunk: chunk, count: 1024))).text
    guard counted == "\(64 << 20)" else { throw ProbeFailure("the app counted \(counted)") }
    let echoed = try await client.stream(.post, "/echo", content: .stream(bytes: GeneratedChunks(chunk: chunk, count: 1024))) {
        response in
        var total = 0
        for try await part in response.bytes() { total += part.readableBytes }
        return total
    }
    guard echoed == 64 << 20 else { throw ProbeFailure("echoed \(echoed) bytes") }
    let downloaded = try await client.stream(.get, "/large") { response in
        var total = 0
        for try await part in response.bytes() { total += part.readableBytes }
        return total
    }
    guard downloaded == 64 << 20 else { throw ProbeFailure("downloaded \(downloaded) bytes") }
    print("baseline=\(baseline) peak=\(Memory.status("VmHWM"))")
}
