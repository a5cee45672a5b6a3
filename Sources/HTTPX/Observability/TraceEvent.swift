#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One step of a request on its way through the transport, as a trace callback receives it:
/// httpx's `trace` request extension, with typed details.
///
/// ```swift
/// var extensions = RequestExtensions()
/// extensions.trace = { event in print(event.name, event) }
/// let r = try await client.get("https://example.org/", extensions: extensions)
/// // connection.connect_tcp.started  connecting to example.org:443
/// // connection.resolve_dns.complete  example.org is 93.184.215.14
/// // ...
/// // http11.receive_response_body.complete  1256 bytes
/// ```
///
/// The callback runs synchronously where the event happens, often on a connection's event
/// loop: it must return quickly and must not block. Connection events (`connecting` to
/// `tlsHandshakeCompleted`) reach the request that opened the connection; a request that
/// reuses one sees only `connectionAcquired(reused: true, ...)`.
public enum TraceEvent: Sendable, CustomStringConvertible {
    /// A new connection to `host`:`port` is being opened, through `proxy` when there is one
    /// (its URL without credentials).
    case connecting(host: String, port: Int, proxy: String?)
    /// The name was resolved to these addresses (only when the client resolves it: not for an
    /// IP address, a Unix socket, or a name a proxy resolves).
    case dnsResolved(host: String, addresses: [String])
    /// The TCP connection is up: the local address and the peer's (the proxy's, through one).
    case tcpConnected(local: String, remote: String)
    /// The TLS handshake with the origin (or an HTTPS proxy) finished.
    case tlsHandshakeCompleted(TLSDetails)
    /// The request has its connection: a new one or one reused from the pool, after waiting
    /// this long for it (connecting included).
    case connectionAcquired(reused: Bool, httpVersion: String, waited: Duration)
    /// The request head was handed to the socket.
    case requestHeadSent(httpVersion: String)
    /// The whole request body was handed to the socket.
    case requestBodySent(httpVersion: String)
    /// The response head arrived.
    case responseHeadReceived(statusCode: Int, httpVersion: String)
    /// The response body was read to its end (its bytes as received, before decoding).
    case responseBodyCompleted(bytes: Int, httpVersion: String)
    /// The request is sent again on another connection, as nothing of a response came back
    /// on the first (a kept-alive connection the server had closed, a refused HTTP/2 stream).
    case sentAgain(reason: String)
    /// The client's ``RetryPolicy`` sends the request again after `delay`, for `reason` (a
    /// status or the failure); `attempt` is 1 for the first retry.
    case retrying(attempt: Int, delay: Duration, reason: String)

    /// The event's name, in httpx's (httpcore's) style: `connection.connect_tcp.complete`,
    /// `http11.send_request_headers.complete`, `http2.receive_response_headers.complete`.
    public var name: String {
        switch self {
        case .connecting: "connection.connect_tcp.started"
        case .dnsResolved: "connection.resolve_dns.complete"
        case .tcpConnected: "connection.connect_tcp.complete"
        case .tlsHandshakeCompleted: "connection.start_tls.complete"
        case .connectionAcquired: "connection.acquired"
        case .requestHeadSent(let version): "\(Self.prefix(version)).send_request_headers.complete"
        case .requestBodySent(let version): "\(Self.prefix(version)).send_request_body.complete"
        case .responseHeadReceived(_, let version): "\(Self.prefix(version)).receive_response_headers.complete"
        case .responseBodyCompleted(_, let version): "\(Self.prefix(version)).receive_response_body.complete"
        case .sentAgain: "connection.retry"
        case .retrying: "client.retry"
        }
    }

    private static func prefix(_ version: String) -> String {
        version == "HTTP/2" ? "http2" : "http11"
    }

    public var description: String {
        switch self {
        case .connecting(let host, let port, let proxy):
            "connecting to \(host):\(port)" + (proxy.map { " through \($0)" } ?? "")
        case .dnsResolved(let host, let addresses): "\(host) is \(addresses.joined(separator: ", "))"
        case .tcpConnected(let local, let remote): "connected to \(remote) from \(local)"
        case .tlsHandshakeCompleted(let details): "\(details)"
        case .connectionAcquired(let reused, let version, let waited):
            "\(reused ? "reused" : "new") \(version) connection after \(waited.secondsDescription) s"
        case .requestHeadSent, .requestBodySent: "sent"
        case .responseHeadReceived(let status, let version): "\(version) \(status)"
        case .responseBodyCompleted(let bytes, _): "\(bytes) bytes"
        case .sentAgain(let reason): "sending again: \(reason)"
        case .retrying(let attempt, let delay, let reason):
            "retry \(attempt) in \(delay.secondsDescription) s after \(reason)"
        }
    }
}

/// What a finished TLS handshake agreed on, and who the peer says it is.
public struct TLSDetails: Sendable, CustomStringConvertible {
    /// The name the handshake verified (and sent as SNI).
    public let serverName: String
    /// The protocol version, such as `TLSv1.3`.
    public let version: String?
    /// The cipher suite's standard name, such as `TLS_AES_128_GCM_SHA256`.
    public let cipher: String?
    /// The protocol chosen by ALPN (`h2`, `http/1.1`), if any.
    public let alpn: String?
    /// The peer certificate's subject, such as `CN=example.org, O=Example`.
    public let peerSubject: String?
    /// When the peer certificate expires.
    public let peerNotValidAfter: Date?

    public var description: String {
        var parts = ["\(version ?? "TLS") with \(serverName)"]
        if let cipher { parts.append("cipher \(cipher)") }
        if let alpn { parts.append("ALPN \(alpn)") }
        if let peerSubject { parts.append("subject \(peerSubject)") }
        if let peerNotValidAfter { parts.append("expires \(peerNotValidAfter)") }
        return parts.joined(separator: ", ")
    }
}
