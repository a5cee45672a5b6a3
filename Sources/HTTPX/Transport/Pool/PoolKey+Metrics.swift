extension PoolKey {
    /// The origin's metric dimensions: `server.address`, `server.port`, `url.scheme`.
    var metricsOrigin: [(String, String)] {
        ClientMetrics.origin(scheme: scheme, host: host, port: port)
    }
}
