// Expiry rules: sliding idle timeout, absolute lifetime and how often a read refreshes the
// idle timer.
import FoundationEssentials

/// How long sessions live. All intervals are in seconds.
public struct SessionPolicy: Sendable, Equatable {
    /// A session not seen for this long is expired (sliding). Default 1 hour.
    public var idleTimeout: TimeInterval
    /// A session older than this is expired however active it is. Default 24 hours.
    public var absoluteLifetime: TimeInterval
    /// A read refreshes `lastSeen` on disk at most this often, so that reading a session is
    /// not a write on every request. The idle timeout is therefore enforced with up to this
    /// much slack (a session may expire up to `touchInterval` earlier than the idle timeout
    /// measured from the very last request). Default 60 seconds.
    public var touchInterval: TimeInterval
    /// Temporary files older than this are leftovers of a crash and removed by the sweep;
    /// younger ones may belong to a write in progress in another process. Default 10 minutes.
    public var temporaryFileGrace: TimeInterval
    /// Session files larger than this are treated as corrupt rather than read into memory.
    /// Default 1 MiB (a token cache is a few kilobytes).
    public var maxFileSize: Int

    public init(
        idleTimeout: TimeInterval = 60 * 60,
        absoluteLifetime: TimeInterval = 24 * 60 * 60,
        touchInterval: TimeInterval = 60,
        temporaryFileGrace: TimeInterval = 10 * 60,
        maxFileSize: Int = 1 << 20
    ) {
        precondition(idleTimeout > 0 && absoluteLifetime > 0, "session lifetimes must be positive")
        precondition(touchInterval >= 0 && touchInterval < idleTimeout, "touchInterval must be shorter than idleTimeout")
        self.idleTimeout = idleTimeout
        self.absoluteLifetime = absoluteLifetime
        self.touchInterval = touchInterval
        self.temporaryFileGrace = temporaryFileGrace
        self.maxFileSize = maxFileSize
    }

    /// When a session with these timestamps stops being valid.
    public func expiry(createdAt: Date, lastSeen: Date) -> Date {
        min(lastSeen.addingTimeInterval(idleTimeout), createdAt.addingTimeInterval(absoluteLifetime))
    }

    /// When `session` stops being valid unless it is used again.
    public func expiry(of session: Session) -> Date {
        expiry(createdAt: session.createdAt, lastSeen: session.lastSeen)
    }

    package func isExpired(createdAt: Date, lastSeen: Date, now: Date) -> Bool {
        now >= expiry(createdAt: createdAt, lastSeen: lastSeen)
    }

    /// Whether an update that turned `stored` into `updated` must be written: it changed
    /// something, or the sliding-expiry touch is due anyway.
    package func needsWrite(_ updated: Session, over stored: Session, now: Date) -> Bool {
        !updated.hasSameContent(as: stored) || isTouchDue(lastSeen: stored.lastSeen, now: now)
    }

    package func isTouchDue(lastSeen: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeen) >= touchInterval
    }
}
