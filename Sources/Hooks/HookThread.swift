#if canImport(Glibc)
    import Glibc
#endif

/// The threads hook runs live on (spawn, poll, reap), so that a hook that runs for hours never holds one of the few
/// threads of Swift's cooperative pool.
///
/// Threads are kept and reused: a spawn from a thread created for it returns only after 0.4–1 ms on this
/// kind of VM (the vfork'ed child and its parent end up on one CPU), against 0.09 ms from a thread that has run
/// before. A run takes an idle thread or starts a new one; a thread that finishes a run while ``idleLimit`` others
/// are idle exits.
enum HookThread {
    /// Idle threads kept for later runs; a daemon runs one job's hooks at a time (plus pg_ctl / psql).
    static let idleLimit = 2

    private final class Job: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private final class Pool: @unchecked Sendable {
        /// Allocated, so that their addresses stay put (never the address of a Swift property).
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        /// Protected by `mutex`.
        var queue: [Job] = []
        var idle = 0

        init() {
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
        }
    }

    private static let pool = Pool()

    /// Runs `body` on a pool thread; throws ``HookError`` when the system refuses a new thread (EAGAIN).
    static func start(_ body: @escaping @Sendable () -> Void) throws(HookError) {
        let job = Job(body)
        pthread_mutex_lock(pool.mutex)
        pool.queue.append(job)
        if pool.idle >= pool.queue.count {
            // Signalled after the unlock: a thread woken while the mutex is still held would preempt this one only to
            // block on the mutex, and be woken a second time by the unlock (two more context switches per run).
            pthread_mutex_unlock(pool.mutex)
            pthread_cond_signal(pool.condition)
            return
        }
        pthread_mutex_unlock(pool.mutex)
        let rc = startThread()
        if rc != 0 {
            pthread_mutex_lock(pool.mutex)
            // The body may have been taken by a thread that went idle in between; otherwise it is withdrawn.
            let index = pool.queue.firstIndex { $0 === job }
            if let index { pool.queue.remove(at: index) }
            let withdrawn = index != nil
            pthread_mutex_unlock(pool.mutex)
            if withdrawn { throw HookError(.spawn, String(cString: strerror(rc))) }
        }
    }

    /// Unblocks SIGCHLD on the calling pool thread, whose hooks are its children.
    ///
    /// When a child exits, the kernel drops its SIGCHLD at once (default action: ignore) unless the thread that
    /// started it blocks the signal; then the signal is queued for the process and wakes the one thread that does
    /// not block it, the main thread, for nothing. A pool thread inherits the mask of the thread that creates it, and
    /// Swift's cooperative threads block SIGCHLD: before this, `perf sched` counted about 200 wake-ups of the main
    /// thread for a chain of 200 hooks, and 5 after (docs/runner.md, "Seventh session"). The daemon never handles
    /// SIGCHLD: hooks are reaped by pid with `waitid`.
    static func unblockChildSignal() {
        var childSignal = sigset_t()
        sigemptyset(&childSignal)
        sigaddset(&childSignal, SIGCHLD)
        pthread_sigmask(SIG_UNBLOCK, &childSignal, nil)
    }

    private static func startThread() -> Int32 {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // 1 MiB (reserved, touched only as used): the run's thread also calls `onStart` and the sink, which commit to
        // SQLite and log.
        pthread_attr_setstacksize(&attributes, 1024 * 1024)
        var thread = pthread_t()
        return pthread_create(
            &thread, &attributes,
            { _ in
                HookThread.work()
                return nil
            }, nil)
    }

    /// A pool thread: runs queued bodies, waits while there are none, exits when enough others are idle.
    private static func work() {
        unblockChildSignal()
        pthread_mutex_lock(pool.mutex)
        while true {
            if !pool.queue.isEmpty {
                let job = pool.queue.removeFirst()
                pthread_mutex_unlock(pool.mutex)
                job.body()
                pthread_mutex_lock(pool.mutex)
                continue
            }
            if pool.idle >= idleLimit { break }
            pool.idle += 1
            pthread_cond_wait(pool.condition, pool.mutex)
            pool.idle -= 1
        }
        pthread_mutex_unlock(pool.mutex)
    }
}
