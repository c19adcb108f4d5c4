#ifndef CUTOVER_SPAWN_H
#define CUTOVER_SPAWN_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp`, its stdin, stdout and stderr duplicated from
/// `fds[0..2]`, every other descriptor closed, signal mask and dispositions reset.
///
/// On Linux the child asks the kernel (`prctl(PR_SET_PDEATHSIG, SIGKILL)`) to be killed when
/// this process dies, so a `kill -9` of Cutover never leaves `pg_dump`, `pg_restore` or `psql`
/// running on their own. The kernel sends that signal when the *thread* that forked the child
/// ends, not the process, and Swift's pool threads come and go; so every child is forked by one
/// thread of this library that lives as long as the process.
///
/// Returns 0 and the child's pid in `pid`, or an errno value (the child's `execve` failure is
/// reported here too).
int cutover_spawn(const char *path, char *const argv[], char *const envp[], const int fds[3], pid_t *pid);

#endif
