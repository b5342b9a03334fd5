import CLinux
import Glibc

/// How many malloc arenas the process keeps. glibc gives threads up to eight arenas per core,
/// and each keeps the memory freed in it: with 64 worker threads that is megabytes of RSS
/// after a burst of sign-ins, for no speed, since only as many threads run at once as there
/// are cores. Two per core keep allocation uncontended and the RSS down (about 1.2 MB less
/// at the peak of `bench/http.sh`). A MALLOC_ARENA_MAX in the environment wins.
enum MallocArenas {
    /// Sets the limit, unless the environment already chose one. Call before any thread starts.
    static func limit() {
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        _ = clinux_limit_malloc_arenas(Int32(min(2 * cores, 64)))
    }
}
