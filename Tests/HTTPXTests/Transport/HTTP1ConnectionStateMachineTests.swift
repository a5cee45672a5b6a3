import Testing

@testable import HTTPX

/// Every transition of the HTTP/1.1 exchange, without a channel.
@Suite("HTTP/1.1 connection state machine")
struct HTTP1ConnectionStateMachineTests {
    typealias Machine = HTTP1ConnectionStateMachine

    /// Starts an exchange and writes its head and end, as a request with its body in memory.
    private func sentRequest(keepAlive: Bool = true, isStream: Bool = false) -> (Machine, UInt64) {
        var machine = Machine(isStream: isStream)
        #expect(machine.start(requestKeepAlive: keepAlive) == true)
        let id = machine.exchangeID ?? 0
        #expect(machine.willWrite() == .watch)
        #expect(machine.willWrite() == Machine.TimerCommand.none)
        #expect(machine.writeCompleted(id: id) == .touch)
        #expect(machine.writeCompleted(id: id) == .stop)
        #expect(machine.requestSent(id: id, readerPaused: false) == .watch)
        return (machine, id)
    }

    @Test("A keep-alive exchange leaves the connection idle and reusable")
    func keepAliveExchange() {
        var (machine, _) = sentRequest()
        #expect(machine.receivedHead(keepAlive: true) == true)
        #expect(machine.receivedBodyPart())
        #expect(machine.bodyPartForwarded(readerPaused: false) == .touch)
        #expect(machine.receivedEnd() == Machine.Completion(reusable: true, close: false, readAgain: false))
        #expect(machine.state == .idle)
        #expect(machine.start(requestKeepAlive: true) == true)
    }

    @Test("Connection: close on either side ends the connection with the exchange")
    func connectionClose() {
        var (server, _) = sentRequest()
        #expect(server.receivedHead(keepAlive: false) == true)
        #expect(server.receivedEnd() == Machine.Completion(reusable: false, close: true, readAgain: false))
        #expect(server.state == .closing)
        #expect(server.start(requestKeepAlive: true) == false)

        var (client, _) = sentRequest(keepAlive: false)
        #expect(client.receivedHead(keepAlive: true) == true)
        #expect(client.receivedEnd()?.reusable == false)
    }

    @Test("A response that ends before the request was sent leaves the connection unusable")
    func earlyResponse() {
        var machine = Machine(isStream: false)
        #expect(machine.start(requestKeepAlive: true) == true)
        #expect(machine.willWrite() == .watch)
        #expect(machine.receivedHead(keepAlive: true) == true)
        #expect(machine.bodyFailureEndsExchange == false)
        #expect(machine.receivedEnd() == Machine.Completion(reusable: false, close: true, readAgain: false))
    }

    @Test("An HTTP/2 stream closes after its exchange but reports its connection reusable")
    func streamCloses() {
        var (machine, _) = sentRequest(isStream: true)
        #expect(machine.receivedHead(keepAlive: true) == true)
        #expect(machine.read(readerPaused: true) == false)
        #expect(machine.receivedEnd() == Machine.Completion(reusable: true, close: true, readAgain: false))
    }

    @Test("Only one exchange at a time, and none on a connection that is not active")
    func startRefused() {
        var busy = Machine(isStream: false)
        #expect(busy.start(requestKeepAlive: true) == true)
        #expect(busy.start(requestKeepAlive: true) == false)

        var inactive = Machine(isStream: false, active: false)
        #expect(!inactive.isActive)
        #expect(inactive.start(requestKeepAlive: true) == false)
        inactive.channelActive()
        #expect(inactive.start(requestKeepAlive: true) == true)

        var closed = Machine(isStream: false)
        _ = closed.channelInactive()
        #expect(closed.start(requestKeepAlive: true) == false)
        closed.channelActive()
        #expect(!closed.isActive)
    }

    @Test("Reads are held while the body's reader is behind, and issued when it catches up")
    func heldReads() {
        var (machine, _) = sentRequest()
        #expect(machine.receivedHead(keepAlive: true) == true)
        #expect(machine.bodyPartForwarded(readerPaused: true) == .stop)
        #expect(machine.read(readerPaused: true) == false)
        #expect(machine.readHeld)
        #expect(machine.readerResumed() == true)
        #expect(machine.readerResumed() == false)
        #expect(machine.read(readerPaused: false) == true)
        // A read held at the end is issued on the idle connection, to notice a close.
        #expect(machine.read(readerPaused: true) == false)
        #expect(machine.receivedEnd() == Machine.Completion(reusable: true, close: false, readAgain: true))
        #expect(!machine.readHeld)
        // Idle: reads always go through.
        #expect(machine.read(readerPaused: true) == true)
    }

    @Test("The read timer waits for the reader when the request is sent to a paused body")
    func readTimerWaitsForReader() {
        var machine = Machine(isStream: false)
        #expect(machine.start(requestKeepAlive: true) == true)
        let id = machine.exchangeID ?? 0
        #expect(machine.willWrite() == .watch)
        #expect(machine.requestSent(id: id, readerPaused: true) == Machine.TimerCommand.none)
    }

    @Test("Write completions of an earlier exchange do not count for the next")
    func staleWriteCompletions() {
        var (machine, oldID) = sentRequest()
        #expect(machine.receivedHead(keepAlive: true) == true)
        _ = machine.receivedEnd()
        #expect(machine.start(requestKeepAlive: true) == true)
        #expect(machine.willWrite() == .watch)
        #expect(machine.writeCompleted(id: oldID) == Machine.TimerCommand.none)
        #expect(machine.requestSent(id: oldID, readerPaused: false) == Machine.TimerCommand.none)
        #expect(machine.exchangeID != oldID)
    }

    @Test("A closed channel fails the exchange according to how far the response came")
    func channelInactive() {
        var waiting = sentRequest().0
        #expect(waiting.channelInactive() == (.closedBeforeResponse, false))
        #expect(waiting.channelInactive() == (nil, false))

        var midBody = sentRequest().0
        #expect(midBody.receivedHead(keepAlive: true) == true)
        #expect(midBody.channelInactive() == (.closedMidResponse, false))
        #expect(!midBody.receivedBodyPart())
        #expect(midBody.receivedEnd() == nil)

        var idle = Machine(isStream: false)
        #expect(idle.channelInactive() == (nil, true))
    }

    @Test("Errors are the request's until it is sent, then the response's")
    func errorPhases() {
        var writing = Machine(isStream: false)
        #expect(writing.start(requestKeepAlive: true) == true)
        #expect(writing.errorCaught() == .error(reading: false, responseStarted: false))

        var reading = sentRequest().0
        #expect(reading.errorCaught() == .error(reading: true, responseStarted: false))
        #expect(reading.receivedHead(keepAlive: true) == true)
        #expect(reading.errorCaught() == .error(reading: true, responseStarted: true))

        var idle = Machine(isStream: false)
        #expect(idle.errorCaught() == nil)
        #expect(idle.state == .closing)
    }

    @Test("A failed exchange closes the connection; later events find nothing to do")
    func failing() {
        var machine = sentRequest().0
        #expect(machine.bodyFailureEndsExchange)
        #expect(machine.fail() == true)
        #expect(machine.state == .closing)
        #expect(machine.fail() == false)
        #expect(machine.receivedHead(keepAlive: true) == false)
        #expect(machine.willWrite() == nil)
        #expect(machine.channelInactive() == (nil, true))
        #expect(machine.state == .closed)
    }

    @Test("Parts that arrive out of place are ignored")
    func outOfPlace() {
        var idle = Machine(isStream: false)
        #expect(idle.receivedHead(keepAlive: true) == false)
        #expect(!idle.receivedBodyPart())
        #expect(idle.receivedEnd() == nil)

        var waiting = sentRequest().0
        #expect(!waiting.receivedBodyPart())
        #expect(waiting.receivedEnd() == nil)
        #expect(waiting.receivedHead(keepAlive: true) == true)
        #expect(waiting.receivedHead(keepAlive: true) == false)
    }
}
