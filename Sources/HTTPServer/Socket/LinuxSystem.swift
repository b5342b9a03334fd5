import CLinux
import Glibc

/// The Linux system calls the event loop needs beyond Swift's Glibc module (epoll, eventfd,
/// accept4, CPU affinity), reached through the CLinux shim, in the shapes the
/// server uses them.
enum Linux {
    static let EPOLLIN = CLinux.EPOLLIN.rawValue
    static let EPOLLOUT = CLinux.EPOLLOUT.rawValue
    static let EPOLLERR = CLinux.EPOLLERR.rawValue
    static let EPOLLHUP = CLinux.EPOLLHUP.rawValue
    static let EPOLLRDHUP = CLinux.EPOLLRDHUP.rawValue
    static let EPOLLEXCLUSIVE = CLinux.EPOLLEXCLUSIVE.rawValue

    static let EPOLL_CTL_ADD = CLinux.EPOLL_CTL_ADD
    static let EPOLL_CTL_DEL = CLinux.EPOLL_CTL_DEL
    static let EPOLL_CTL_MOD = CLinux.EPOLL_CTL_MOD

    /// The size of one struct epoll_event (packed on x86_64), for sizing epoll_wait buffers.
    static let epollEventSize = clinux_epoll_event_size()

    static func epollCreate() -> Int32 { epoll_create1(Int32(EPOLL_CLOEXEC)) }

    static func epollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, events: UInt32, data: UInt64) -> Int32 {
        clinux_epoll_ctl(epfd, op, fd, events, data)
    }

    static func epollWait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, _ maxEvents: Int32, _ timeoutMs: Int32) -> Int32 {
        epoll_wait(epfd, events.assumingMemoryBound(to: epoll_event.self), maxEvents, timeoutMs)
    }

    /// Reads event `index` from an epoll_wait buffer.
    static func epollEvent(_ buffer: UnsafeMutableRawPointer, _ index: Int) -> (events: UInt32, data: UInt64) {
        (clinux_epoll_event_flags(buffer, Int32(index)), clinux_epoll_event_data(buffer, Int32(index)))
    }

    static func eventfd() -> Int32 { CLinux.eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }

    static func accept4(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>) -> Int32 {
        clinux_accept4(fd, address, length, O_NONBLOCK | O_CLOEXEC)
    }

    /// CPUs this process may run on (respects taskset), at least 1.
    static func availableCPUCount() -> Int {
        var mask = [UInt64](repeating: 0, count: 16)
        let result = mask.withUnsafeMutableBytes { clinux_sched_getaffinity($0.count, $0.baseAddress) }
        guard result == 0 else { return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
        return max(1, mask.reduce(0) { $0 + $1.nonzeroBitCount })
    }

    static func errorString(_ code: Int32) -> String { String(cString: strerror(code)) }
}
