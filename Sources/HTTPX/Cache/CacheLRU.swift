/// The order of use of a store's entries, least recently used first: a doubly linked list
/// kept in a dictionary, so using, removing and evicting an entry cost O(1).
struct CacheLRU<Key: Hashable & Sendable>: Sendable {
    private struct Node: Sendable {
        var older: Key?
        var newer: Key?
    }

    private var nodes: [Key: Node] = [:]
    /// The least recently used key.
    private(set) var oldest: Key?
    /// The most recently used key.
    private(set) var newest: Key?

    /// How many keys are tracked.
    var count: Int { nodes.count }

    func contains(_ key: Key) -> Bool { nodes[key] != nil }

    /// Marks `key` as just used, adding it when new.
    mutating func touch(_ key: Key) {
        if newest == key { return }
        if nodes[key] != nil { unlink(key) }
        nodes[key] = Node(older: newest, newer: nil)
        if let previous = newest { nodes[previous]?.newer = key } else { oldest = key }
        newest = key
    }

    /// Stops tracking `key`.
    mutating func remove(_ key: Key) {
        guard nodes[key] != nil else { return }
        unlink(key)
        nodes[key] = nil
    }

    /// Removes and returns the least recently used key.
    mutating func popOldest() -> Key? {
        guard let victim = oldest else { return nil }
        remove(victim)
        return victim
    }

    private mutating func unlink(_ key: Key) {
        guard let node = nodes[key] else { return }
        if let older = node.older { nodes[older]?.newer = node.newer } else { oldest = node.newer }
        if let newer = node.newer { nodes[newer]?.older = node.older } else { newest = node.older }
        nodes[key] = Node(older: nil, newer: nil)
    }
}
