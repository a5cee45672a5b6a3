import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a name as SwiftNIO's own resolver does (`getaddrinfo`, off the event loop) and
/// reports the addresses it found. Installed only when a request is observed, so the
/// ``TraceEvent/dnsResolved(host:addresses:)`` event can be given; SwiftNIO's resolver, which
/// reports nothing, is not public.
final class ObservingResolver: Resolver, Sendable {
    private let lookup: EventLoopFuture<[SocketAddress]>

    init(host: String, port: Int, eventLoop: any EventLoop, report: @escaping @Sendable ([SocketAddress]) -> Void) {
        lookup = NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try Self.resolve(host, port: port)
        }
        lookup.whenSuccess(report)
    }

    func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        lookup.map { $0.filter { $0.protocol == .inet } }
    }

    func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        lookup.map { $0.filter { $0.protocol == .inet6 } }
    }

    func cancelQueries() {}

    /// Every TCP address of `host`, in the order `getaddrinfo` gives them.
    static func resolve(_ host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            let reason = status == 0 ? "no addresses" : String(cString: gai_strerror(status))
            throw HTTPXError(.connectError, "Could not resolve host '\(host)': \(reason)")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: host))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: host))
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}

extension SocketAddress {
    /// `127.0.0.1:443` or `[::1]:443` (a Unix socket by its path).
    var endpointDescription: String {
        guard let ip = ipAddress else { return pathname ?? "\(self)" }
        let port = self.port.map { ":\($0)" } ?? ""
        return (self.protocol == .inet6 ? "[\(ip)]" : ip) + port
    }
}
