import HTTPTypes
import HTTPX
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

extension AppTransport {
    /// A transport into a Hummingbird application, in-process: requests go straight to its
    /// responder (router and middleware), with no server and no socket.
    ///
    /// ```swift
    /// let router = Router()
    /// router.get("/") { _, _ in "Hello World!" }
    /// let app = Application(router: router)
    /// let client = AsyncClient(.init(baseURL: "http://testserver", transport: try await AppTransport(application: app)))
    /// let r = try await client.get("/")      // r.text == "Hello World!"
    /// ```
    ///
    /// The options are ``AppTransport``'s: errors the app throws reach the caller (or, with
    /// `raiseAppExceptions: false`, become a 500 response); errors Hummingbird turns into
    /// responses (`HTTPError`, a route not found) arrive as those responses either way. The
    /// context's channel reports `clientAddress:clientPort` as the remote address. Processes
    /// the app runs before its server starts, and its services, are not run.
    public init<App: ApplicationProtocol>(
        application: App, raiseAppExceptions: Bool = true, rootPath: String = "", clientAddress: String = "127.0.0.1",
        clientPort: Int = 123
    ) async throws where App.Responder.Context: RequestContext, App.Responder.Context.Source == ApplicationRequestContextSource {
        let responder = try await application.responder
        try self.init(
            responder: responder, logger: application.logger, raiseAppExceptions: raiseAppExceptions,
            rootPath: rootPath, clientAddress: clientAddress, clientPort: clientPort)
    }

    /// A transport into a Hummingbird router (or any responder builder), in-process.
    ///
    /// ```swift
    /// let router = Router()
    /// router.get("/hello") { _, _ in "Hello World!" }
    /// let client = AsyncClient(.init(transport: try AppTransport(router: router)))
    /// let r = try await client.get("http://testserver/hello")
    /// ```
    public init<Builder: HTTPResponderBuilder>(
        router: Builder, raiseAppExceptions: Bool = true, rootPath: String = "", clientAddress: String = "127.0.0.1",
        clientPort: Int = 123, logger: Logger = Logger(label: "HTTPXHummingbird")
    ) throws where Builder.Responder.Context: RequestContext, Builder.Responder.Context.Source == ApplicationRequestContextSource {
        try self.init(
            responder: router.buildResponder(), logger: logger, raiseAppExceptions: raiseAppExceptions,
            rootPath: rootPath, clientAddress: clientAddress, clientPort: clientPort)
    }

    private init<Responder: HTTPResponder>(
        responder: Responder, logger: Logger, raiseAppExceptions: Bool, rootPath: String, clientAddress: String,
        clientPort: Int
    ) throws where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
        let channel = NIOAsyncTestingChannel()
        do {
            channel.remoteAddress = try SocketAddress(ipAddress: clientAddress, port: clientPort)
        } catch {
            throw HTTPXError(.invalidArgument, "Invalid client address '\(clientAddress)': it must be an IP address")
        }
        let bridge = HummingbirdBridge(responder: responder, channel: channel, logger: logger)
        self.init(
            raiseAppExceptions: raiseAppExceptions, rootPath: rootPath, clientAddress: clientAddress,
            clientPort: clientPort
        ) { request, context in
            try await bridge.respond(to: request, appContext: context)
        }
    }
}
