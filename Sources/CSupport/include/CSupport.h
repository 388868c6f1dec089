#ifndef LIP_C_SUPPORT_H
#define LIP_C_SUPPORT_H
/// Asks glibc to keep freed memory in the heap (no mmap for large blocks, no trimming),
/// so that buffers freed by one training step are reused by the next without page faults.
void lip_keep_freed_memory(void);
/// Peak resident set size of this process in bytes (getrusage).
long lip_peak_rss_bytes(void);
/// Ties this process to the runner that started it: a process group of its own (so the
/// runner can stop it and its helpers, such as gnuplot, together) and SIGKILL when the
/// runner dies, however it dies (prctl PR_SET_PDEATHSIG). Returns 0, or -1 when the
/// runner `parent` is already gone (the caller then exits).
int lip_bind_to_parent(int parent);
/// Handlers for SIGINT, SIGTERM and SIGHUP that write the signal's number (one byte) to
/// a pipe; returns the pipe's read end, or -1. Unlike SIG_IGN, a handled signal is reset
/// to its default in programs this process starts, so they stay stoppable.
int lip_signal_pipe_install(void);
/// Atomically swaps two existing paths (renameat2 RENAME_EXCHANGE). Returns 0, or -1
/// with errno set.
int lip_exchange_paths(const char *a, const char *b);
/// Fuzzing: on a crash signal (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE) write
/// the input under test to `path` with async-signal-safe calls, then die of the signal.
void lip_crash_dump_install(const char *path);
/// The input under test, for lip_crash_dump_install (the caller keeps it alive).
void lip_crash_dump_set(const void *data, unsigned long length);
#endif
