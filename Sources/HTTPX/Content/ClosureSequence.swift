/// An async sequence whose iterator calls a closure, used to build the body views of a response.
struct ClosureSequence<Element>: AsyncSequence, Sendable {
    typealias Failure = any Error
    private let maker: @Sendable () -> (() async throws -> Element?)

    init(_ maker: @escaping @Sendable () -> (() async throws -> Element?)) {
        self.maker = maker
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(nextElement: maker())
    }

    struct Iterator: AsyncIteratorProtocol {
        let nextElement: () async throws -> Element?

        mutating func next() async throws -> Element? {
            try await nextElement()
        }
    }
}
