#ifndef SIDECAR_CSPAWN_SHIM_H
#define SIDECAR_CSPAWN_SHIM_H
/*
 * Starting a hook with posix_spawn, and watching it with a pidfd. Swift's Glibc module is built without
 * _GNU_SOURCE, so it lacks posix_spawn_file_actions_addchdir_np / _addclosefrom_np (glibc 2.29 / 2.34); and
 * syscall() is variadic. Both are declared or wrapped here; only the Hooks module imports this shim.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

extern int pipe2(int __pipedes[2], int __flags);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict, const char *__restrict);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int);

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture (asm-generic numbering, Linux 5.3) */
#endif

/*
 * Starts `path` with `argv` and exactly `envp`: in a process group of its own, stdin /dev/null, stdout onto
 * `out_fd`, stderr onto `err_fd`, working directory `cwd`, no other file descriptor, every signal at its default
 * action and none blocked (the daemon ignores or blocks some). glibc's posix_spawn returns only once the child has
 * called execve, with the errno of whatever failed in the child (ENOENT for a missing file or directory, EACCES,
 * ENOEXEC...). `out_fd` and `err_fd` must be above 2. Returns 0 and sets *pid, or an errno value.
 */
static inline int sidecar_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                                int out_fd, int err_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t none, all;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    sigemptyset(&none);
    sigfillset(&all);
    if (rc == 0) rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attributes, 0);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attributes, &all);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (rc == 0) rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
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
