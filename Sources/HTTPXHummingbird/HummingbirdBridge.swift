import HTTPTypes
import HTTPX
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

/// Turns a client request into a Hummingbird request, runs the responder, and turns its
/// response (streamed through a ``BodyPipe``) into a client response.
struct HummingbirdBridge<Responder: HTTPResponder>: Sendable
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    let responder: Responder
    let channel: NIOAsyncTestingChannel
    let logger: Logger

    func respond(to request: HTTPX.Request, appContext: AppContext) async throws -> HTTPX.Response {
        let head = try makeHead(request, appContext: appContext)
        let hbRequest = Hummingbird.Request(head: head, body: Hummingbird.RequestBody(asyncSequence: request.body.stream))
        let context = Responder.Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        let hbResponse: Hummingbird.Response
        do {
            hbResponse = try await responder.respond(to: hbRequest, context: context)
        } catch let error as any HTTPResponseError {
            // What Hummingbird's server does: errors that describe a response become it.
            hbResponse = try error.response(from: hbRequest, context: context)
        }
        return makeResponse(hbResponse)
    }

    private func makeHead(_ request: HTTPX.Request, appContext: AppContext) throws -> HTTPRequest {
        var fields = HTTPFields()
        for (name, value) in request.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        if fields[.contentLength] == nil, fields[.transferEncoding] == nil, let length = request.body.length {
            fields[.contentLength] = String(length)
        }
        // The path below the root, as the client encoded it.
        let below = request.url.path.dropFirst(appContext.rootPath.count)
        var target = below.isEmpty ? "/" : String(below)
        if let query = request.url.query { target += "?" + query }
        return HTTPRequest(
            method: HTTPRequest.Method(request.method.rawValue) ?? .get, scheme: request.url.scheme,
            authority: request.url.netloc, path: target, headerFields: fields)
    }

    private func makeResponse(_ hbResponse: Hummingbird.Response) -> HTTPX.Response {
        var headers = Headers()
        for field in hbResponse.head.headerFields { headers.add(field.name.rawName, field.value) }
        if !headers.contains("Content-Length"), !headers.contains("Transfer-Encoding"),
            let length = hbResponse.body.contentLength
        {
            headers.set("Content-Length", String(length))
        }
        let pipe = BodyPipe()
        let body = hbResponse.body
        let writer = Task {
            do {
                try await body.write(PipeWriter(pipe: pipe))
                pipe.finish(.success(()))
            } catch {
                pipe.finish(.failure(error))
            }
        }
        let status = hbResponse.head.status
        return HTTPX.Response(
            status.code, reasonPhrase: status.reasonPhrase, headers: headers,
            body: HTTPX.ResponseBody(stream: pipe, onClose: {
                pipe.close()
                writer.cancel()
            }))
    }
}

/// A Hummingbird response writer that feeds a ``BodyPipe``.
struct PipeWriter: ResponseBodyWriter {
    let pipe: BodyPipe

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await pipe.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
