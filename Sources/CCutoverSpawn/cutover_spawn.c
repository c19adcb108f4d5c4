// Forks children for ChildProcess (CutoverPostgres); see include/cutover_spawn.h.
//
// Between fork and execve the child runs only async-signal-safe calls (prctl, getppid,
// sigprocmask, sigaction, dup2, close, syscall, execve, write, _exit): this process has other
// threads, whose locks the child's copy would never see released.
#define _GNU_SOURCE
#include "cutover_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

/// One request to the spawner thread.
struct spawn_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    const int *fds;
    pid_t pid;
    int error;
    int done;
};

static pthread_once_t spawner_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t spawner_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawner_request_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t spawner_request_done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t callers_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct spawn_request *pending = NULL;
static int spawner_start_error = 0;

/// Closes every descriptor from `low` up, except `keep`.
static void close_from(int low, int keep) {
#if defined(SYS_close_range)
    if (keep > low && syscall(SYS_close_range, (unsigned)low, (unsigned)(keep - 1), 0) != 0) goto fallback;
    if (syscall(SYS_close_range, (unsigned)(keep + 1), ~0U, 0) == 0) return;
fallback:
#endif
    {
        struct rlimit limit;
        int high = (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < 1048576) ? (int)limit.rlim_cur : 65536;
        for (int fd = low; fd < high; fd++) {
            if (fd != keep) close(fd);
        }
    }
}

/// The child's side of the fork: never returns.
static void run_child(const struct spawn_request *request, pid_t parent, int report) {
#if defined(__linux__)
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) goto failed;
    // The parent may have died before prctl took effect.
    if (getppid() != parent) _exit(127);
#endif
    sigset_t none;
    sigemptyset(&none);
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    for (int signal = 1; signal < 32; signal++) {
        if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &fallback, NULL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Move the three descriptors above 2 first, so one dup2 cannot overwrite another's source.
    int moved[3];
    for (int i = 0; i < 3; i++) {
        moved[i] = fcntl(request->fds[i], F_DUPFD_CLOEXEC, 3);
        if (moved[i] < 0) goto failed;
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(moved[i], i) < 0) goto failed;
    }
    close_from(3, report);
    execve(request->path, request->argv, request->envp);
failed:;
    int error = errno;
    ssize_t ignored = write(report, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

static void spawn_now(struct spawn_request *request) {
    int report[2];
#if defined(__linux__)
    if (pipe2(report, O_CLOEXEC) != 0) {
        request->error = errno;
        return;
    }
#else
    if (pipe(report) != 0) {
        request->error = errno;
        return;
    }
    fcntl(report[0], F_SETFD, FD_CLOEXEC);
    fcntl(report[1], F_SETFD, FD_CLOEXEC);
#endif
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        request->error = errno;
        close(report[0]);
        close(report[1]);
        return;
    }
    if (pid == 0) run_child(request, parent, report[1]);
    close(report[1]);
    // The pipe closes on exec: nothing to read means the program started.
    int error = 0;
    ssize_t got;
    do { got = read(report[0], &error, sizeof error); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof error) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        request->error = error ? error : ENOEXEC;
        return;
    }
    request->pid = pid;
    request->error = 0;
}

static void *spawner_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&spawner_mutex);
    for (;;) {
        while (pending == NULL) pthread_cond_wait(&spawner_request_ready, &spawner_mutex);
        struct spawn_request *request = pending;
        pending = NULL;
        spawn_now(request);
        request->done = 1;
        pthread_cond_broadcast(&spawner_request_done);
    }
    return NULL;
}

static void start_spawner(void) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    // Block every signal in the spawner, so no handler of the process runs on it.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    spawner_start_error = pthread_create(&thread, &attributes, spawner_main, NULL);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
}

int cutover_spawn(const char *path, char *const argv[], char *const envp[], const int fds[3], pid_t *pid) {
    pthread_once(&spawner_once, start_spawner);
    if (spawner_start_error != 0) return spawner_start_error;
    struct spawn_request request = {path, argv, envp, fds, 0, 0, 0};
    // One request at a time.
    pthread_mutex_lock(&callers_mutex);
    pthread_mutex_lock(&spawner_mutex);
    pending = &request;
    pthread_cond_signal(&spawner_request_ready);
    while (!request.done) pthread_cond_wait(&spawner_request_done, &spawner_mutex);
    pthread_mutex_unlock(&spawner_mutex);
    pthread_mutex_unlock(&callers_mutex);
    *pid = request.pid;
    return request.error;
}
