import AsyncHTTPClient
import HTTPX
import NIOSSL

/// K1 and K2: what a client costs to create, and to create and use once over HTTPS (TLS
/// contexts are cached, not rebuilt per client).
enum ClientCost {
    static func compare(_ options: Options) async throws {
        let count = 1000
        let caBundle = options.servers.caBundle
        func perClient(_ duration: Duration) -> String {
            let micros = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
            return Table.format(micros / Double(count)) + " µs"
        }
        for withRequest in [false, true] where !withRequest || options.servers.tls != nil {
            let tls = options.servers.tls
            let clock = ContinuousClock()
            var start = clock.now
            for _ in 0..<count {
                let client = AsyncClient(.init(verify: caBundle.map { .caBundle($0) } ?? .system))
                if withRequest, let tls { _ = try await client.get(tls + "/1k.bin") }
                await client.close()
            }
            let ours = clock.now - start
            start = clock.now
            for _ in 0..<count {
                var configuration = HTTPClient.Configuration()
                if let caBundle {
                    var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
                    tlsConfiguration.trustRoots = .file(caBundle)
                    configuration.tlsConfiguration = tlsConfiguration
                }
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                if withRequest, let tls {
                    _ = try await client.execute(HTTPClientRequest(url: tls + "/1k.bin"), timeout: .seconds(30))
                }
                try await client.shutdown()
            }
            let theirs = clock.now - start
            let name = withRequest ? "K2 new client + 1 HTTPS GET, x1000" : "K1 create + close a client, x1000"
            print(
                Table.pad(name, 37) + Table.pad(perClient(ours), 15) + Table.pad(perClient(theirs), 15)
                    + Table.ratio(theirs / ours) + " (time per client; lower is better)")
        }
    }
}
