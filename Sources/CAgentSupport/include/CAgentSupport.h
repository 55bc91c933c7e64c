#ifndef ROLLOUT_CAGENTSUPPORT_H
#define ROLLOUT_CAGENTSUPPORT_H

// glibc pieces Swift cannot import directly (macros, _GNU_SOURCE-only calls).
// Every symbol is prefixed `cas_` so its origin is obvious at the call site.

/// WIFEXITED / WEXITSTATUS / WIFSIGNALED / WTERMSIG for a wait(2) status.
int cas_wifexited(int status);
int cas_wexitstatus(int status);
int cas_wifsignaled(int status);
int cas_wtermsig(int status);

#endif
