import Foundation

/// The entry point: runs ``SidecarCommand/main()`` on Swift's global executor while the main thread waits.
///
/// An `async` main would hand the main thread to `dispatch_main()`, which leaves it with `pthread_exit`: a forced
/// unwind of the main thread's stack that looks up unwind tables for every frame and so maps about 1 MB of the
/// binary's `.eh_frame_hdr`/`.eh_frame` into every sidecar process for good. Nothing in sidecar or its dependencies
/// runs on the main actor or the main dispatch queue.
@main
enum SidecarEntry {
    static func main() {
        let done = DispatchSemaphore(value: 0)
        // Detached: `main` is on the main actor, and a task inheriting it would wait for the blocked main thread.
        Task.detached {
            await SidecarCommand.main()
            done.signal()
        }
        done.wait()
    }
}
