import NIOCore
import NIOHTTP1

extension HTTPTransport {
    /// Sends a request that asks to switch protocols on a connection of its own (HTTP/1.1,
    /// through a tunnel when a proxy is used) and returns the server's answer; the connection
    /// is never pooled. Connect failures and timeouts are reported as any request's.
    func handleUpgrade(_ request: Request, _ upgrade: any ConnectionUpgrade) async throws -> Response {
        guard request.content?.isEmpty ?? false else {
            throw HTTPXError(.localProtocol, "\(request) asks to switch protocols, so it cannot have a body", request: request)
        }
        let (key, _) = route(request, tunnel: true)
        var settings = connectionSettings
        settings.http1 = true
        settings.http2 = false
        settings.tls.applicationProtocols = ["http/1.1"]
        let eventLoop = eventLoopGroup.next()
        let head = HTTPRequestHead(
            version: .http1_1, method: NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue), uri: request.target,
            headers: HTTPHeaders(request.headers.fields.map { ($0.name, $0.value) }))
        let opened = HTTPConnection.openChannel(
            key: key, settings: settings, connectTimeout: request.extensions.timeout.connect, eventLoop: eventLoop,
            observer: RequestObserver(request))
        let answered = opened.flatMap { channel, _ -> EventLoopFuture<Response> in
            do {
                let response = try upgrade.start(on: channel, head: head, request: request)
                try HTTPConnection.releasePendingReads(of: channel)
                return response
            } catch {
                channel.close(promise: nil)
                return eventLoop.makeFailedFuture(error)
            }
        }
        do {
            var response = try await withTaskCancellationHandler {
                try await answered.get()
            } onCancel: {
                opened.whenSuccess { channel, _ in channel.close(promise: nil) }
            }
            response.request = request
            return response
        } catch where Task.isCancelled {
            // Cancelling closed the connection; the failure that caused is not the news.
            throw CancellationError()
        } catch let error as HTTPXError {
            throw Self.callers(error, request)
        } catch {
            let mapped = TransportErrors.map(error, phase: .connecting, request: request.description)
            if let mapped = mapped as? HTTPXError { throw Self.callers(mapped, request) }
            throw mapped
        }
    }
}
