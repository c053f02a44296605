#ifndef SIDECAR_CSPAWN_SHIM_H
#define SIDECAR_CSPAWN_SHIM_H
/*
 * Starting a hook (vfork and execve, in C: the child between the two must run nothing but system calls), and watching
 * it with a pidfd. Swift's Glibc module is built without _GNU_SOURCE, so it lacks pipe2; and syscall()
 * is variadic. Those are declared or wrapped here; only the Hooks module imports this shim.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

extern int pipe2(int __pipedes[2], int __flags);

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every architecture (asm-generic numbering, Linux 5.9) */
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture (asm-generic numbering, Linux 5.3) */
#endif

/* The kernel's struct sigaction, as rt_sigaction reads and writes it: the handler first; room for the flags, the
 * restorer (where the architecture has one) and the 64-bit mask after it. The mask's size, the calls' last argument,
 * is 8 bytes (64 signals) on the architectures sidecar is built for (x86_64, aarch64; not MIPS, which has 128). */
_Static_assert(sizeof(void *) == 8, "sidecar_spawn assumes a 64-bit Linux (x86_64 or aarch64)");
struct sidecar_kernel_sigaction {
    void (*handler)(int);
    unsigned long words[3];
};
extern pid_t waitpid(pid_t __pid, int *__stat_loc, int __options);

/*
 * Starts `path` with `argv` and exactly `envp`: in a process group of its own, stdin /dev/null, stdout onto
 * `out_fd`, stderr onto `err_fd`, working directory `cwd`, no other file descriptor, every signal at its default
 * action and none blocked (the daemon ignores or blocks some). Returns once the child has called execve, with the
 * errno of whatever failed in the child (ENOENT for a missing file or directory, EACCES, ENOEXEC...).
 * `out_fd` and `err_fd` must be above 2. Returns 0 and sets *pid, or an errno value.
 *
 * vfork, as glibc's posix_spawn does (a child sharing the parent's memory until execve), but on the calling thread's
 * stack: posix_spawn maps and unmaps a stack for every child, and the unmap interrupts every CPU that runs another
 * thread of this process to flush its TLB (measured in C: 48 against 81 us per spawn with one busy thread beside
 * it). Every signal, glibc's own included, is blocked around the vfork so that no handler of the daemon runs in the
 * child; the child sets every disposition that is not the default back to it, then unblocks them all. It makes
 * system calls only (the raw ones where glibc would refuse its own signals, 32 and 33, which a runtime may ignore).
 */
__attribute__((noinline)) static int sidecar_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                                                   const char *cwd, int out_fd, int err_fd) {
    uint64_t all = ~(uint64_t)0, none = 0, saved = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &saved, sizeof all);
    volatile int failure = 0;
    pid_t child = vfork();
    if (child == 0) {
        struct sidecar_kernel_sigaction default_action = {0}, current;
        for (int signal = 1; signal <= 64; signal++) {
            if (signal == SIGKILL || signal == SIGSTOP) continue;
            if (syscall(SYS_rt_sigaction, signal, NULL, &current, sizeof none) == 0 && current.handler != SIG_DFL)
                syscall(SYS_rt_sigaction, signal, &default_action, NULL, sizeof none);
        }
        int null_fd;
        if (setpgid(0, 0) != 0 || dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0 ||
            (null_fd = open("/dev/null", O_RDONLY)) < 0 || (null_fd != STDIN_FILENO && dup2(null_fd, STDIN_FILENO) < 0) ||
            chdir(cwd) != 0) {
            failure = errno;
            _exit(127);
        }
        // close_range (Linux 5.9); before it, every descriptor up to the soft limit (at most 65,536). Not glibc's
        // closefrom: when it cannot close, it aborts, which in a vfork child would take a lock the daemon shares.
        if (syscall(SYS_close_range, 3, ~0U, 0) != 0) {
            struct rlimit limit;
            long highest = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? (long)limit.rlim_cur : 65536;
            for (long fd = 3; fd < highest; fd++) close((int)fd);
        }
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
        execve(path, argv, envp);
        failure = errno;
        _exit(127);
    }
    int rc = child < 0 ? errno : failure;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &saved, NULL, sizeof saved);
    if (child > 0 && rc != 0) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    }
    if (rc == 0) *pid = child;
    return rc;
}

/*
 * A pipe, both ends close-on-exec and above 2 (so that the spawn's dup2 onto stdout and stderr never meets its
 * own source, even in a process started with 0-2 closed). Returns 0, or -1 with errno.
 */
static inline int sidecar_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] > 2) continue;
        int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        int saved = errno;
        close(fds[i]);
        if (moved < 0) {
            close(fds[1 - i]);
            errno = saved;
            return -1;
        }
        fds[i] = moved;
    }
    return 0;
}

/* A counter that polls readable once written to: how another thread wakes a run's poll. -1 with errno on failure. */
static inline int sidecar_wakeup_fd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/* A file descriptor that polls readable once process `pid` has exited (Linux 5.3+), or -1 with errno (ENOSYS). */
static inline int sidecar_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

#endif
