/// Linux system calls that Swift's Glibc module does not import: it has no sys/epoll.h or
/// sys/eventfd.h, and lacks the _GNU_SOURCE declarations (accept4, sched_getaffinity).
/// They are looked up once with dlsym and called through @convention(c) function
/// pointers, which keeps the C calling convention without a C shim target.
import Glibc

enum Linux {
    static let EPOLLIN: UInt32 = 0x001
    static let EPOLLOUT: UInt32 = 0x004
    static let EPOLLERR: UInt32 = 0x008
    static let EPOLLHUP: UInt32 = 0x010
    static let EPOLLRDHUP: UInt32 = 0x2000
    static let EPOLLEXCLUSIVE: UInt32 = 1 << 28

    static let EPOLL_CTL_ADD: Int32 = 1
    static let EPOLL_CTL_DEL: Int32 = 2
    static let EPOLL_CTL_MOD: Int32 = 3

    /// struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere.
    #if arch(x86_64)
    static let epollEventSize = 12
    static let epollDataOffset = 4
    #else
    static let epollEventSize = 16
    static let epollDataOffset = 8
    #endif

    private typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    private typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    private typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    private typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
    private typealias SchedGetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
    private typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32

    private struct Functions: @unchecked Sendable {
        let epollCreate1: EpollCreate1
        let epollCtl: EpollCtl
        let epollWait: EpollWait
        let eventfd: EventFD
        let accept4: Accept4
        let schedGetAffinity: SchedGetAffinity
        let setThreadName: SetThreadName

        init() {
            let handle = dlopen(nil, RTLD_NOW)
            func symbol<T>(_ name: String, as type: T.Type) -> T {
                guard let pointer = dlsym(handle, name) else {
                    fatalError("HTTPServer needs Linux's \(name), which libc does not provide")
                }
                return unsafeBitCast(pointer, to: type)
            }
            epollCreate1 = symbol("epoll_create1", as: EpollCreate1.self)
            epollCtl = symbol("epoll_ctl", as: EpollCtl.self)
            epollWait = symbol("epoll_wait", as: EpollWait.self)
            eventfd = symbol("eventfd", as: EventFD.self)
            accept4 = symbol("accept4", as: Accept4.self)
            schedGetAffinity = symbol("sched_getaffinity", as: SchedGetAffinity.self)
            setThreadName = symbol("pthread_setname_np", as: SetThreadName.self)
        }
    }

    private static let functions = Functions()

    static func epollCreate() -> Int32 { functions.epollCreate1(O_CLOEXEC) }

    static func epollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, events: UInt32, data: UInt64) -> Int32 {
        var raw: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &raw) { buffer in
            buffer.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: data, toByteOffset: epollDataOffset, as: UInt64.self)
            return functions.epollCtl(epfd, op, fd, buffer.baseAddress)
        }
    }

    static func epollWait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, _ maxEvents: Int32, _ timeoutMs: Int32) -> Int32 {
        functions.epollWait(epfd, events, maxEvents, timeoutMs)
    }

    /// Reads event `index` from an epoll_wait buffer.
    static func epollEvent(_ buffer: UnsafeMutableRawPointer, _ index: Int) -> (events: UInt32, data: UInt64) {
        let base = buffer + index * epollEventSize
        return (base.loadUnaligned(as: UInt32.self), (base + epollDataOffset).loadUnaligned(as: UInt64.self))
    }

    static func eventfd() -> Int32 { functions.eventfd(0, O_NONBLOCK | O_CLOEXEC) }

    static func accept4(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>) -> Int32 {
        functions.accept4(fd, address, length, O_NONBLOCK | O_CLOEXEC)
    }

    /// CPUs this process may run on (respects taskset), at least 1.
    static func availableCPUCount() -> Int {
        var mask = [UInt64](repeating: 0, count: 16)
        let result = mask.withUnsafeMutableBytes { functions.schedGetAffinity(0, $0.count, $0.baseAddress) }
        guard result == 0 else { return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
        return max(1, mask.reduce(0) { $0 + $1.nonzeroBitCount })
    }

    /// Names the calling thread (visible in top and gdb); Linux allows 15 bytes.
    static func setCurrentThreadName(_ name: String) {
        _ = functions.setThreadName(pthread_self(), String(name.prefix(15)))
    }

    static func errorString(_ code: Int32) -> String { String(cString: strerror(code)) }
}
