import NIOCore

/// A timeout on inactivity that costs one clock read per activity instead of a scheduled
/// task: a single check is scheduled, and when it fires it either expires or moves itself to
/// `lastActivity + timeout`. Lives on the event loop.
final class ActivityTimer {
    private let eventLoop: any EventLoop
    private var scheduled: Scheduled<Void>?
    private var fireAt = NIODeadline.distantFuture
    private var timeout: TimeAmount?
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private(set) var isWatching = false
    /// Called when `timeout` passes with no activity while watching.
    var onExpire: (() -> Void)?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Starts (or continues) watching, counting from now; `nil` stops watching.
    func watch(timeout: TimeAmount?) {
        guard let timeout else {
            isWatching = false
            return
        }
        self.timeout = timeout
        isWatching = true
        lastActivity = eventLoop.now
        let due = lastActivity + timeout
        if scheduled == nil || due < fireAt { schedule(at: due) }
    }

    /// Records activity: the timeout counts again from now.
    func touch() {
        if isWatching { lastActivity = eventLoop.now }
    }

    /// Stops watching; a pending check will find nothing to do.
    func stop() {
        isWatching = false
    }

    /// Stops and drops the pending check, for good.
    func cancel() {
        isWatching = false
        scheduled?.cancel()
        scheduled = nil
        onExpire = nil
    }

    private func schedule(at due: NIODeadline) {
        scheduled?.cancel()
        fireAt = due
        scheduled = eventLoop.assumeIsolated().scheduleTask(deadline: due) { [weak self] in
            self?.fire()
        }
    }

    private func fire() {
        scheduled = nil
        fireAt = .distantFuture
        guard isWatching, let timeout else { return }
        let due = lastActivity + timeout
        if due <= eventLoop.now {
            isWatching = false
            onExpire?()
        } else {
            schedule(at: due)
        }
    }
}
