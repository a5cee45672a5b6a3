import AsyncHTTPClient
import HTTPX
import NIOCore
import NIOSSL

/// The most connections either client opens to one origin.
let concurrency = 32

/// One client under test: the operations the scenarios need.
protocol Contender: Sendable {
    func get(_ url: String) async throws -> Int
    func post(_ url: String, body: [UInt8]) async throws -> Int
    func shutdown() async throws
}

/// How a scenario reaches nginx.
enum Route: String, Sendable {
    case plain, tls, http2, proxy, tunnel
}

/// The two clients, by the name `--client` takes.
enum ClientName: String, CaseIterable, Sendable {
    case httpx = "swift-httpx"
    case ahc = "AsyncHTTPClient"

    func make(route: Route, caBundle: String?, proxy: String?) -> any Contender {
        switch self {
        case .httpx: HTTPXContender(route: route, caBundle: caBundle, proxy: proxy)
        case .ahc: AHCContender(route: route, caBundle: caBundle, proxy: proxy)
        }
    }
}

struct HTTPXContender: Contender {
    let client: AsyncClient

    init(route: Route, caBundle: String?, proxy: String?) {
        let proxies: Proxies =
            switch route {
            case .proxy: proxy.map { Proxies(Proxy($0)) } ?? .none
            case .tunnel: proxy.map { Proxies(Proxy($0, mode: .tunnelOnly)) } ?? .none
            default: .none
            }
        client = AsyncClient(.init(
            timeout: Timeout(30), limits: Limits(maxConnections: concurrency, maxKeepaliveConnections: concurrency),
            verify: caBundle.map { .caBundle($0) } ?? .system, http2: route == .http2, proxies: proxies))
    }

    func get(_ url: String) async throws -> Int {
        try await client.get(url).contentBuffer.readableBytes
    }

    func post(_ url: String, body: [UInt8]) async throws -> Int {
        try await client.post(url, content: .bytes(body)).contentBuffer.readableBytes
    }

    func shutdown() async throws { await client.close() }
}

struct AHCContender: Contender {
    let client: HTTPClient

    init(route: Route, caBundle: String?, proxy: String?) {
        var configuration = HTTPClient.Configuration()
        if route == .proxy || route == .tunnel, let proxy, let url = try? HTTPURL(proxy), let port = url.port {
            configuration.proxy = .server(host: url.host, port: port)
        }
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        configuration.decompression = .enabled(limit: .none)
        if let caBundle {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caBundle)
            configuration.tlsConfiguration = tls
        }
        configuration.httpVersion = route == .http2 ? .automatic : .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func get(_ url: String) async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return try await response.body.collect(upTo: 1 << 30).readableBytes
    }

    func post(_ url: String, body: [UInt8]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(30))
        return try await response.body.collect(upTo: 1 << 30).readableBytes
    }

    func shutdown() async throws { try await client.shutdown() }
}
