#define _GNU_SOURCE
#include "CSupport.h"
#include <malloc.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

void lip_keep_freed_memory(void) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
}

long lip_peak_rss_bytes(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
    return usage.ru_maxrss * 1024L;
}

/* A parent may start this process with these signals blocked (test runners do): then
   no thread would ever take them. Unblocked in the calling thread, and so in every
   thread it starts afterwards. */
static void unblock_stop_signals(void) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
}

int lip_bind_to_parent(int parent) {
    unblock_stop_signals();
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The parent may have died before prctl: then this process was re-parented already. */
    return getppid() == (pid_t)parent ? 0 : -1;
}

static int signal_pipe[2] = {-1, -1};

static void signal_pipe_handler(int signal_number) {
    unsigned char byte = (unsigned char)signal_number;
    ssize_t ignored = write(signal_pipe[1], &byte, 1);
    (void)ignored;
}

int lip_signal_pipe_install(void) {
    if (signal_pipe[0] >= 0) return signal_pipe[0];
    if (pipe2(signal_pipe, O_CLOEXEC) != 0) return -1;
    int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = signal_pipe_handler;
        action.sa_flags = SA_RESTART;
        sigaction(signals[i], &action, NULL);
    }
    unblock_stop_signals();
    return signal_pipe[0];
}

int lip_exchange_paths(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

static char crash_dump_path[4096];
static const void *crash_dump_data;
static unsigned long crash_dump_length;

static void crash_dump_handler(int signal_number) {
    int descriptor = open(crash_dump_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (descriptor >= 0) {
        const char *bytes = (const char *)crash_dump_data;
        unsigned long written = 0;
        while (written < crash_dump_length) {
            long n = write(descriptor, bytes + written, crash_dump_length - written);
            if (n <= 0) break;
            written += (unsigned long)n;
        }
        close(descriptor);
    }
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void lip_crash_dump_install(const char *path) {
    strncpy(crash_dump_path, path, sizeof(crash_dump_path) - 1);
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = crash_dump_handler;
        sigaction(signals[i], &action, NULL);
    }
}

void lip_crash_dump_set(const void *data, unsigned long length) {
    crash_dump_data = data;
    crash_dump_length = length;
}
