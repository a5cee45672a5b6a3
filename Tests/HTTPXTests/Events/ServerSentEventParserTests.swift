import Testing

@testable import HTTPX

/// The event stream interpretation of the HTML standard, rule by rule, with no I/O.
@Suite("Server-sent event parser", .timeLimit(.minutes(1)))
struct ServerSentEventParserTests {
    /// The events that `chunks` complete, fed one after another (the stream not ended).
    static func parse(_ chunks: [String], maxEventSize: Int = 1 << 20) throws -> [ServerSentEvent] {
        try parse(bytes: chunks.map { Array($0.utf8) }, maxEventSize: maxEventSize)
    }

    static func parse(bytes chunks: [[UInt8]], maxEventSize: Int = 1 << 20) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser(maxEventSize: maxEventSize)
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += try parser.feed(chunk) }
        return events
    }

    static func data(_ chunks: [String]) throws -> [String] {
        try parse(chunks).map(\.data)
    }

    // MARK: Lines

    @Test func lineFeedsEndLines() throws {
        #expect(try Self.data(["data: a\n\ndata: b\n\n"]) == ["a", "b"])
    }

    @Test func aCarriageReturnAloneEndsALine() throws {
        #expect(try Self.data(["data: a\r\rdata: b\rdata: c\r\r"]) == ["a", "b\nc"])
    }

    @Test func crlfIsOneLineEnd() throws {
        #expect(try Self.data(["data: a\r\ndata: b\r\n\r\n"]) == ["a\nb"])
    }

    @Test func crlfSplitBetweenChunksIsOneLineEnd() throws {
        // Were the LF another line end, the blank line would split the event in two.
        #expect(try Self.data(["data: a\r", "\ndata: b\r", "\n\r", "\n"]) == ["a\nb"])
    }

    @Test func aCarriageReturnAtAChunksEndBeforeOtherTextEndsTheLine() throws {
        #expect(try Self.data(["data: a\r", "data: b\r", "\r"]) == ["a\nb"])
    }

    @Test func unicodeLineSeparatorsAreText() throws {
        let text = "a\u{2028}b\u{2029}c\u{85}d\u{0B}e\u{0C}f"
        #expect(try Self.data(["data: \(text)\n\n"]) == [text])
    }

    @Test func chunkBoundariesDoNotMatter() throws {
        let stream = "retry: 10\r\nevent: add\r\ndata: é and ü\ndata: line 2\r\rid: 7\n\n: comment\r\ndata: b\n\n"
        let whole = try Self.parse([stream])
        let bytewise = try Self.parse(bytes: Array(stream.utf8).map { [$0] })
        #expect(whole.count == 2)
        #expect(bytewise == whole)
    }

    @Test func eachLineIsDecodedAsUTF8WithReplacement() throws {
        let bytes: [[UInt8]] = [Array("data: caf".utf8) + [0xC3], [0xA9, 0xFF, 0x41, 0x0A, 0x0A]]
        #expect(try Self.parse(bytes: bytes).map(\.data) == ["caf\u{E9}\u{FFFD}A"])
    }

    // MARK: Byte order mark

    @Test func aLeadingByteOrderMarkIsSkipped() throws {
        // Were it kept, the first field would be named "\u{FEFF}data" and ignored.
        #expect(try Self.data(["\u{FEFF}data: a\n\n"]) == ["a"])
    }

    @Test func aByteOrderMarkSplitBetweenChunksIsSkipped() throws {
        let bytes: [[UInt8]] = [[0xEF], [0xBB], [0xBF] + Array("data: a\n\n".utf8)]
        #expect(try Self.parse(bytes: bytes).map(\.data) == ["a"])
    }

    @Test func onlyOneByteOrderMarkIsSkipped() throws {
        #expect(try Self.data(["\u{FEFF}\u{FEFF}data: a\n\n"]) == [])
        #expect(try Self.data(["\u{FEFF}data: a\n\n\u{FEFF}data: b\n\n"]) == ["a"])
    }

    @Test func theByteOrderMarkIsSkippedAgainAtTheStartOfTheNextStream() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("\u{FEFF}data: a\n\n".utf8)).map(\.data) == ["a"])
        parser.finish()
        #expect(try parser.feed(Array("\u{FEFF}data: b\n\n".utf8)).map(\.data) == ["b"])
    }

    // MARK: Fields

    @Test func dataLinesAreJoinedWithLineFeeds() throws {
        #expect(try Self.data(["data: a\ndata: b\ndata: c\n\n"]) == ["a\nb\nc"])
    }

    @Test func onlyTheLastLineFeedIsRemoved() throws {
        #expect(try Self.data(["data: a\ndata:\n\n"]) == ["a\n"])
        #expect(try Self.data(["data:\ndata:\n\n"]) == ["\n"])
    }

    @Test func aFieldWithoutAColonIsANameWithAnEmptyValue() throws {
        #expect(try Self.data(["data\n\n"]) == [""])
        #expect(try Self.data(["data\ndata\n\n"]) == ["\n"])
        // An `event` line without a colon sets an empty type, which dispatches as "message".
        #expect(try Self.parse(["event: add\nevent\ndata: a\n\n"]).map(\.event) == ["message"])
    }

    @Test func oneLeadingSpaceIsStripped() throws {
        #expect(try Self.data(["data:a\n\n"]) == ["a"])
        #expect(try Self.data(["data: a\n\n"]) == ["a"])
        #expect(try Self.data(["data:  a \n\n"]) == [" a "])
        #expect(try Self.data(["data:\ta\n\n"]) == ["\ta"])
    }

    @Test func theValueRunsFromTheFirstColon() throws {
        #expect(try Self.data(["data: a: b:c\n\n"]) == ["a: b:c"])
    }

    @Test func commentsAreIgnored() throws {
        #expect(try Self.data([": keep-alive\ndata: a\n: more\ndata: b\n\n"]) == ["a\nb"])
        #expect(try Self.data([":\n\n:data: x\n\n"]) == [])
    }

    @Test func unknownAndMiscasedFieldsAreIgnored() throws {
        #expect(try Self.data(["foo: bar\nData: x\n DATA: y\ndata: a\n\n"]) == ["a"])
    }

    @Test func eventSetsTheTypeOfOneEvent() throws {
        let events = try Self.parse(["event: add\ndata: 1\n\ndata: 2\n\n"])
        #expect(events.map(\.event) == ["add", "message"])
    }

    @Test func theLastEventFieldWins() throws {
        #expect(try Self.parse(["event: a\nevent: b\ndata: x\n\n"]).map(\.event) == ["b"])
    }

    // MARK: Last event ID

    @Test func theLastEventIDPersistsAcrossEvents() throws {
        let events = try Self.parse(["id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n"])
        #expect(events.map(\.id) == ["7", "7", "8"])
    }

    @Test func anEmptyIDResetsIt() throws {
        let events = try Self.parse(["id: 7\ndata: a\n\nid\ndata: b\n\nid: 9\ndata: c\n\nid:\ndata: d\n\n"])
        #expect(events.map(\.id) == ["7", "", "9", ""])
    }

    @Test func anIDContainingNULIsIgnored() throws {
        let events = try Self.parse(["id: 1\ndata: a\n\nid: 2\u{0}3\ndata: b\n\n"])
        #expect(events.map(\.id) == ["1", "1"])
    }

    @Test func anIDWithoutDataStillSetsTheLastEventID() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("id: 5\n\n".utf8)).isEmpty)
        #expect(parser.lastEventID == "5")
        #expect(try parser.feed(Array("data: a\n\n".utf8)).map(\.id) == ["5"])
    }

    @Test func theLastEventIDChangesOnlyWhenTheBlockEnds() throws {
        var parser = ServerSentEventParser(lastEventID: "1")
        _ = try parser.feed(Array("id: 2\ndata: a\n".utf8))
        #expect(parser.lastEventID == "1")
        parser.finish()
        #expect(parser.lastEventID == "1", "a block the stream ended inside sets nothing")
        #expect(try parser.feed(Array("data: b\n\n".utf8)).map(\.id) == ["1"])
    }

    // MARK: Retry

    @Test func retrySetsTheReconnectionTime() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("retry: 1500\n\n".utf8)).isEmpty)
        #expect(parser.reconnectionTime == .milliseconds(1500))
        let events = try parser.feed(Array("retry: 20\ndata: a\n\ndata: b\n\n".utf8))
        #expect(events.map(\.retry) == [.milliseconds(20), nil])
        #expect(parser.reconnectionTime == .milliseconds(20))
    }

    @Test(arguments: ["retry: 15x", "retry: -1", "retry: 1.5", "retry:", "retry:  100", "retry: 1 ", "retry: \u{661}\u{662}"])
    func retryOtherThanASCIIDigitsIsIgnored(line: String) throws {
        var parser = ServerSentEventParser()
        _ = try parser.feed(Array("retry: 300\n\(line)\ndata: a\n\n".utf8))
        #expect(parser.reconnectionTime == .milliseconds(300))
    }

    @Test func aHugeRetryDoesNotOverflow() throws {
        var parser = ServerSentEventParser()
        _ = try parser.feed(Array("retry: \(String(repeating: "9", count: 40))\n\n".utf8))
        #expect(parser.reconnectionTime == .milliseconds(1_000_000_000_000))
    }

    // MARK: Dispatch

    @Test func aBlockWithoutDataIsNotDispatched() throws {
        #expect(try Self.parse(["event: add\n\nid: 1\n\nretry: 5\n\n"]).isEmpty)
        // And its type does not leak into the next event.
        #expect(try Self.parse(["event: add\n\ndata: a\n\n"]).map(\.event) == ["message"])
    }

    @Test func aPartialEventAtTheEndIsDiscarded() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("data: a\n\ndata: b\n".utf8)).map(\.data) == ["a"])
        parser.finish()
        // The next stream starts afresh: "b" is not part of its first event.
        #expect(try parser.feed(Array("data: c\n\n".utf8)).map(\.data) == ["c"])
        _ = try parser.feed(Array("event: x\ndata: half a li".utf8))
        parser.finish()
        #expect(try parser.feed(Array("ne\n\ndata: d\n\n".utf8)).map(\.data) == ["d"])
    }

    @Test func eventsCarryEveryField() throws {
        let events = try Self.parse(["retry: 100\nid: 42\nevent: tick\ndata: {\"n\":1}\n\n"])
        #expect(events == [ServerSentEvent(event: "tick", data: "{\"n\":1}", id: "42", retry: .milliseconds(100))])
        #expect(try events.first?.json()["n"] == 1)
    }

    // MARK: Bounds

    @Test func anEndlessLineHitsTheLimit() throws {
        var parser = ServerSentEventParser(maxEventSize: 1024)
        parser.owner = "the response to <Request(GET, 'http://h/events')>"
        _ = try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 1000))
        let error = try #require(throws: HTTPXError.self) {
            _ = try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 100))
        }
        #expect(error.is(.decoding))
        #expect(error.message.contains("http://h/events"))
        #expect(error.message.contains("1024"))
        #expect(throws: HTTPXError.self, "it stays failed") { _ = try parser.feed(Array("\n\n".utf8)) }
    }

    @Test func anEndlessEventHitsTheLimit() throws {
        var parser = ServerSentEventParser(maxEventSize: 1024)
        let line = Array("data: \(String(repeating: "x", count: 90))\n".utf8)
        for _ in 0..<11 { _ = try parser.feed(line) }  // 11 × 91 bytes of data held
        #expect(throws: HTTPXError.self) {
            for _ in 0..<2 { _ = try parser.feed(line) }
        }
    }

    @Test func manyEventsTogetherLargerThanTheLimitAreFine() throws {
        var parser = ServerSentEventParser(maxEventSize: 64)
        let block = Array("data: \(String(repeating: "x", count: 40))\n\n".utf8)
        var count = 0
        for _ in 0..<100 { count += try parser.feed(block).count }
        #expect(count == 100)
        // One line just under the limit passes; the data of one event counts once.
        #expect(try parser.feed(Array("data: \(String(repeating: "y", count: 56))\n\n".utf8)).count == 1)
    }

    @Test func theEventsBeforeTheLimitAreKept() throws {
        var parser = ServerSentEventParser(maxEventSize: 64)
        var events: [ServerSentEvent] = []
        let stream = Array("data: a\n\ndata: \(String(repeating: "z", count: 100))".utf8)
        #expect(throws: HTTPXError.self) { try parser.feed(stream, into: &events) }
        #expect(events.map(\.data) == ["a"])
        parser.finish()
        #expect(try parser.feed(Array("data: b\n\n".utf8)).map(\.data) == ["b"], "a new stream starts afresh")
    }
}
