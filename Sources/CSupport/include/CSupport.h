#ifndef LIP_C_SUPPORT_H
#define LIP_C_SUPPORT_H
/// Asks glibc to keep freed memory in the heap (no mmap for large blocks, no trimming),
/// so that buffers freed by one training step are reused by the next without page faults.
void lip_keep_freed_memory(void);
/// Peak resident set size of this process in bytes (getrusage).
long lip_peak_rss_bytes(void);
#endif
