/// Turns the bytes of a `text/event-stream` into events, as the HTML standard's "event stream
/// interpretation" does: a state machine with no I/O, fed chunks as they arrive.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// for try await chunk in response.bytes() {
///     for event in try parser.feed(chunk.readableBytesView) { print(event.data) }
/// }
/// parser.finish()   // the end of the stream: an event not ended by a blank line is dropped
/// ```
///
/// The rules, from the standard:
/// - Lines end at CR, LF or CRLF (also when a CR ends one chunk and LF starts the next), and
///   nowhere else: U+2028, NEL and the like are text. Each line is decoded as UTF-8, invalid
///   bytes becoming U+FFFD; one byte order mark at the start of the stream is skipped.
/// - A line starting with `:` is a comment. Otherwise the text before the first `:` is the
///   field's name and the rest its value, without one leading space; a line without `:` is a
///   name with an empty value. Unknown names are ignored; names are case-sensitive.
/// - `data` appends its value and a line feed to the event's data; `event` sets its type;
///   `id` sets the last event ID (unless the value contains NUL); `retry` sets the
///   reconnection time, in milliseconds, when the value is all ASCII digits.
/// - A blank line dispatches the event: the last event ID takes the `id` seen, and the event
///   is returned unless its data is empty, with the data's last line feed removed.
///
/// A server that never ends a line or an event would grow the parser without bound; past
/// ``maxEventSize`` bytes held for one event, ``feed(_:)`` throws ``HTTPXError/Kind/decoding``.
public struct ServerSentEventParser: Sendable {
    /// The most bytes held for one event: its data so far and the line being read.
    public let maxEventSize: Int
    /// The last event ID, as the standard defines it: set when an event is dispatched (or a
    /// block without data ends) from the last `id:` field seen, and kept across events and
    /// across ``finish()``. It may be as long as ``maxEventSize``; ``ServerSentEvents`` keeps
    /// it whole but sends it back as `Last-Event-ID` only when it is at most 1024 bytes and
    /// valid in a header.
    public private(set) var lastEventID: String
    /// The reconnection time the server last set with a `retry:` field, if it set one.
    public private(set) var reconnectionTime: Duration?

    /// Whose stream this is, for error messages: "the response to <Request(...)>".
    var owner = "the event stream"

    /// The bytes of the line not yet ended.
    private var line: [UInt8] = []
    /// The data buffer: each `data:` value followed by a line feed.
    private var data: [UInt8] = []
    /// The event type buffer.
    private var eventType = ""
    /// The last event ID buffer: the value of the last `id:` field, dispatched at a blank line.
    private var idBuffer: String
    /// The `retry:` of the block being read, to put in its event.
    private var eventRetry: Duration?
    /// Whether the last byte was a CR, so that an LF right after it ends nothing more.
    private var afterCR = false
    /// How many bytes of a byte order mark the stream started with; -1 once past the start.
    private var bomMatched = 0
    /// Why the parser stopped, once an event went over the limit.
    private var failure: HTTPXError?

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// A parser at the start of a stream.
    ///
    /// ```swift
    /// var parser = ServerSentEventParser(maxEventSize: 64 << 10, lastEventID: savedID)
    /// ```
    ///
    /// - Parameters:
    ///   - maxEventSize: the most bytes held for one event (1 MiB by default, as in
    ///     ``EventSourceOptions``).
    ///   - lastEventID: the last event ID to start from (an ID saved from an earlier stream).
    public init(maxEventSize: Int = EventSourceOptions().maxEventSize, lastEventID: String = "") {
        self.maxEventSize = max(1, maxEventSize)
        self.lastEventID = lastEventID
        self.idBuffer = lastEventID
    }

    /// Parses the next bytes of the stream and returns the events they complete, in order.
    ///
    /// ```swift
    /// let events = try parser.feed(Array("data: hello\n\n".utf8))   // one "message" event
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` when the line or event being read holds more
    ///   than ``maxEventSize`` bytes; the parser then stays failed until ``finish()``.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try feed(bytes, into: &events)
        return events
    }

    /// Parses the next bytes and appends the events they complete to `events`; the events
    /// completed before a failure are appended too.
    mutating func feed(_ bytes: some Sequence<UInt8>, into events: inout [ServerSentEvent]) throws {
        if let failure { throw failure }
        let done: Void? = try bytes.withContiguousStorageIfAvailable { buffer in
            try consume(buffer, into: &events)
        }
        if done == nil {
            let copy = Array(bytes)
            try copy.withUnsafeBufferPointer { buffer in
                try consume(buffer, into: &events)
            }
        }
    }

    /// Ends the stream: an event not yet dispatched (its blank line never came) is discarded,
    /// as the standard says, and the parser is ready for the next stream (a reconnection),
    /// keeping ``lastEventID`` and ``reconnectionTime``.
    ///
    /// ```swift
    /// _ = try parser.feed(Array("data: never ended\n".utf8))
    /// parser.finish()   // nothing is dispatched
    /// ```
    public mutating func finish() {
        line.removeAll()
        data.removeAll()
        eventType = ""
        idBuffer = lastEventID
        eventRetry = nil
        afterCR = false
        bomMatched = 0
        failure = nil
    }

    // MARK: Lines

    private mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]) throws {
        var position = 0
        let end = bytes.count
        // One byte order mark may start the stream, even split between chunks.
        while bomMatched >= 0 && position < end {
            if bytes[position] == Self.byteOrderMark[bomMatched] {
                bomMatched += 1
                position += 1
                if bomMatched == Self.byteOrderMark.count { bomMatched = -1 }
            } else {
                // Not a mark after all: the bytes taken for one are text (none is CR or LF).
                line.append(contentsOf: Self.byteOrderMark[0..<bomMatched])
                bomMatched = -1
            }
        }
        while position < end {
            if afterCR {
                afterCR = false
                if bytes[position] == Self.lf {
                    position += 1
                    continue
                }
            }
            var stop = position
            while stop < end && bytes[stop] != Self.lf && bytes[stop] != Self.cr { stop += 1 }
            line.append(contentsOf: bytes[position..<stop])
            try checkSize()
            guard stop < end else { return }
            afterCR = bytes[stop] == Self.cr
            position = stop + 1
            try processLine(into: &events)
        }
    }

    /// Fails when the event being read holds more than ``maxEventSize`` bytes: `held`, by
    /// default the data so far and the line not yet ended.
    private mutating func checkSize(held: Int? = nil) throws {
        guard (held ?? line.count + data.count) > maxEventSize else { return }
        let error = HTTPXError(
            .decoding,
            "An event in \(owner) grew past \(maxEventSize) bytes without ending; a line or an event that large is refused (the limit is EventSourceOptions.maxEventSize)")
        line.removeAll()
        data.removeAll()
        failure = error
        throw error
    }

    /// Interprets the line just ended.
    private mutating func processLine(into events: inout [ServerSentEvent]) throws {
        // A long line's storage is let go; a short one's is kept for the next.
        defer { line.removeAll(keepingCapacity: line.count <= 4096) }
        guard let first = line.first else {
            dispatch(into: &events)
            return
        }
        if first == Self.colon { return }
        let colon = line.firstIndex(of: Self.colon)
        let name = line[..<(colon ?? line.endIndex)]
        var value: ArraySlice<UInt8> = []
        if let colon {
            value = line[(colon + 1)...]
            if value.first == Self.space { value = value.dropFirst() }
        }
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(Self.lf)
            try checkSize(held: data.count)
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { idBuffer = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if let milliseconds = Self.milliseconds(value) {
                reconnectionTime = .milliseconds(milliseconds)
                eventRetry = reconnectionTime
            }
        }
    }

    /// The value of a `retry:` field when it is one or more ASCII digits (capped at about 31
    /// years, so no value overflows).
    static func milliseconds(_ value: ArraySlice<UInt8>) -> Int64? {
        guard !value.isEmpty else { return nil }
        var result: Int64 = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            result = min(result * 10 + Int64(byte - UInt8(ascii: "0")), 1_000_000_000_000)
        }
        return result
    }

    /// A blank line: the last event ID takes the buffer, and the event is returned unless its
    /// data is empty; the data, type and retry buffers start again.
    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        lastEventID = idBuffer
        defer {
            data.removeAll(keepingCapacity: data.count <= 4096)
            eventType = ""
            eventRetry = nil
        }
        guard !data.isEmpty else { return }
        let text = String(decoding: data.dropLast(data.last == Self.lf ? 1 : 0), as: UTF8.self)
        events.append(
            ServerSentEvent(event: eventType.isEmpty ? "message" : eventType, data: text, id: lastEventID, retry: eventRetry))
    }
}
