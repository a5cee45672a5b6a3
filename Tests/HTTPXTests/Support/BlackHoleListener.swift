#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A port on 127.0.0.1 that never completes a connection: a listening socket whose accept
/// queue is full and never drained, so the kernel drops further SYNs and a connect hangs
/// until its timeout, as with an unreachable host, but on loopback.
struct BlackHoleListener {
    let port: Int
    private let sockets: [Int32]

    #if os(Linux)
    static func start() async throws -> BlackHoleListener {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        try #require(bound == 0)
        try #require(listen(listener, 0) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        // Fill the accept queue.
        var sockets = [listener]
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
            sockets.append(filler)
        }
        try await Task.sleep(for: .milliseconds(100))
        return BlackHoleListener(port: Int(UInt16(bigEndian: address.sin_port)), sockets: sockets)
    }
    #endif

    func close() {
        #if os(Linux)
        for socket in sockets { Glibc.close(socket) }
        #endif
    }
}
