import NIOCore
import NIOHTTP1

extension HTTPConnection {
    /// Adds the HTTP/1.1 codec and the handler that runs exchanges on a connection.
    static func addHTTP1Handlers(to channel: any Channel, events: ConnectionEvents) throws -> Kind {
        var encoderConfiguration = HTTPRequestEncoder.Configuration()
        encoderConfiguration.automaticallySetFramingHeaders = false
        let handler = HTTP1ClientHandler(eventLoop: channel.eventLoop)
        handler.onIdleClose = events.onIdleClose
        let phrases = ReasonPhraseRecorder()
        handler.phraseRecorder = phrases
        try channel.pipeline.syncOperations.addHandlers([
            HTTPRequestEncoder(configuration: encoderConfiguration),
            phrases,
            ByteToMessageHandler(
                HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .drop)),
            handler,
        ])
        return .http1(NIOLoopBound(handler, eventLoop: channel.eventLoop))
    }
}
