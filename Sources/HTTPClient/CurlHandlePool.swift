import CCurl
import Synchronization

/// libcurl global initialisation and a small pool of easy handles. A handle keeps its
/// connection cache, so reusing handles reuses TCP/TLS connections to the provider.
enum CurlGlobal {
    private static let initialized: Bool = {
        // CURL_GLOBAL_DEFAULT; Swift does not import the compound macro.
        curl_global_init(3) == CURLE_OK
    }()

    static func initializeOnce() {
        precondition(initialized, "curl_global_init failed")
    }
}

/// One easy handle; used by one thread at a time (the pool hands it out exclusively).
final class CurlHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init() {
        guard let pointer = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.pointer = pointer
    }

    deinit {
        curl_easy_cleanup(pointer)
    }
}

final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlHandle]>([])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func checkOut() -> CurlHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return CurlHandle()
    }

    /// Returns a handle for reuse after clearing its options (connections stay cached).
    /// Handles from aborted transfers are dropped, so no half-read connection is reused.
    func checkIn(_ handle: CurlHandle, reusable: Bool) {
        guard reusable else { return }
        curl_easy_reset(handle.pointer)
        idle.withLock { idle in
            if idle.count < capacity { idle.append(handle) }
        }
    }
}
