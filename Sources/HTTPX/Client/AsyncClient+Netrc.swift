import Synchronization

/// A client's `.netrc` file, read once at the first request that needs it and kept for the
/// client's life (as httpx does): create a new client to see changes to the file. A missing
/// or malformed file gives no credentials.
final class NetrcCache: Sendable {
    private enum Load {
        case notLoaded
        case loaded(Netrc?)
    }

    private let state = Mutex(Load.notLoaded)

    var netrc: Netrc? {
        state.withLock { state in
            if case .loaded(let netrc) = state { return netrc }
            let netrc = Netrc.defaultPath().flatMap { try? Netrc(contentsOf: $0) }
            state = .loaded(netrc)
            return netrc
        }
    }
}
