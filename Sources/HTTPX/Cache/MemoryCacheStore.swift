import Crypto
import Synchronization

/// A ``CacheStore`` in memory, bounded by total size and entry count, evicting the least
/// recently used entries first. Its entries last as long as the store.
///
/// ```swift
/// let store = MemoryCacheStore(maxBytes: 32 << 20)
/// let client = AsyncClient(.init(transport: CacheTransport(wrapping: HTTPTransport(), store: store)))
/// ```
///
/// An entry larger than `maxBytes` is not stored. Safe to share between transports and tasks.
public final class MemoryCacheStore: CacheStore {
    private struct EntryID: Hashable, Sendable {
        var key: String
        var variantKey: String
    }

    private struct State: Sendable {
        var entries: [EntryID: CacheEntry] = [:]
        var variants: [String: Set<String>] = [:]
        var order = CacheLRU<EntryID>()
        var totalBytes = 0

        mutating func remove(_ id: EntryID) {
            guard let entry = entries.removeValue(forKey: id) else { return }
            totalBytes -= entry.approximateSize
            order.remove(id)
            variants[id.key]?.remove(id.variantKey)
            if variants[id.key]?.isEmpty == true { variants[id.key] = nil }
        }
    }

    /// The most bytes the entries may take together (approximately: bodies and headers).
    public let maxBytes: Int
    /// The most entries kept.
    public let maxEntries: Int
    private let state = Mutex(State())
    /// The key of ``secondaryKey(for:)``: random, for the life of the store.
    private let varyKey = SymmetricKey(size: .bits256)

    /// A store of at most `maxBytes` (64 MiB by default) in at most `maxEntries` entries.
    public init(maxBytes: Int = 64 << 20, maxEntries: Int = 10_000) {
        self.maxBytes = max(0, maxBytes)
        self.maxEntries = max(0, maxEntries)
    }

    /// How many entries are stored.
    public var count: Int { state.withLock { $0.entries.count } }

    /// How many bytes the entries take (approximately).
    public var totalBytes: Int { state.withLock { $0.totalBytes } }

    /// Every entry stored under `key`, one per variant; each counts as just used.
    public func entries(for key: String) async throws -> [CacheEntry] {
        state.withLock { state in
            guard let variantKeys = state.variants[key] else { return [] }
            var found: [CacheEntry] = []
            for variantKey in variantKeys {
                let id = EntryID(key: key, variantKey: variantKey)
                guard let entry = state.entries[id] else { continue }
                state.order.touch(id)
                found.append(entry)
            }
            return found
        }
    }

    /// Stores `entry` (unless it is larger than ``maxBytes``), replacing the entry with the
    /// same key and variant key, then evicts the least recently used entries beyond the bounds.
    public func put(_ entry: CacheEntry) async throws {
        let id = EntryID(key: entry.key, variantKey: entry.variantKey)
        let size = entry.approximateSize
        let (maxBytes, maxEntries) = (self.maxBytes, self.maxEntries)
        state.withLock { state in
            state.remove(id)
            guard size <= maxBytes, maxEntries > 0 else { return }
            state.entries[id] = entry
            state.variants[id.key, default: []].insert(id.variantKey)
            state.order.touch(id)
            state.totalBytes += size
            while state.totalBytes > maxBytes || state.entries.count > maxEntries, let victim = state.order.oldest {
                state.remove(victim)
            }
        }
    }

    /// Removes every entry stored under `key`.
    public func remove(key: String) async throws {
        state.withLock { state in
            for variantKey in state.variants[key] ?? [] {
                state.remove(EntryID(key: key, variantKey: variantKey))
            }
        }
    }

    /// Removes the entry stored under `key` with the secondary key `variantKey`.
    public func remove(key: String, variantKey: String) async throws {
        state.withLock { $0.remove(EntryID(key: key, variantKey: variantKey)) }
    }

    /// Removes every entry.
    public func removeAll() async throws {
        state.withLock { $0 = State() }
    }

    /// An HMAC-SHA256 of `normalized` under a key random for each store.
    public func secondaryKey(for normalized: String) -> String {
        CacheHash.hmacHex(normalized, key: varyKey)
    }
}
