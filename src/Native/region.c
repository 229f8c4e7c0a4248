/* The per-process private region: blobs (16-byte aligned) then 64 KiB of zeroed scratch, plus
 * each filter's instructions and sock_fprog. It lives in .bss so an image that was just exec'd
 * has it without a system call, and sits below 4 GiB in these non-PIE binaries, which compat
 * (int $0x80) calls need. */
#include "case.h"
#include "program.h"
#include "sys.h"
#include "util.h"

#define DATA_MAX (PROGRAM_MAX + SCRATCH_SIZE + MAX_BLOBS * 16)

u8 data_area[DATA_MAX] __attribute__((aligned(4096)));
u32 blob_off[MAX_BLOBS], blob_len[MAX_BLOBS];
u32 blob_count, scratch_off;
struct sock_fprog fprogs[MAX_FILTERS];
u32 filter_count;

static u8 filter_area[PROGRAM_MAX] __attribute__((aligned(8)));
static u16 filter_len[MAX_FILTERS];
static u32 filter_off[MAX_FILTERS];

/* FPROG operands with a length larger than the filter: the instructions are placed so that they
 * end exactly at an unmapped guard page, so the kernel's copy of the extra instructions faults
 * (a "short buffer"). The variant sock_fprogs come from a small ring. */
#define STAGING_SIZE (4096 * 8)
static u8 staging[STAGING_SIZE + 4096] __attribute__((aligned(4096)));
static int guard_ready;
static struct sock_fprog fprog_ring[16];
static u32 fprog_ring_next;

void fprog_guard_init(void)
{
    if (guard_ready) return;
    sys_munmap(staging + STAGING_SIZE, 4096);
    guard_ready = 1;
}

void private_region_build(const u8 *program, u32 len, u32 *high_water)
{
    struct cursor c = { program, program, program + len, NULL, 0 };
    struct program_layout l;
    const u8 *p;
    u32 i, off = 0;
    if (program_layout(&c, &l)) return;   /* validated by the serving agent */
    p = l.filters;
    filter_count = l.filter_count;
    for (i = 0; i < l.filter_count; i++) {
        u16 n = ld16(p);
        filter_len[i] = n;
        filter_off[i] = off;
        memcpy(filter_area + off, p + 2, (usize)n * 8);
        fprogs[i].len = n;
        fprogs[i].filter = filter_area + off;
        off += (u32)n * 8;
        p += 2 + (usize)n * 8;
    }
    p = l.blobs;
    blob_count = l.blob_count;
    off = 0;
    for (i = 0; i < l.blob_count; i++) {
        u32 n = ld32(p);
        blob_off[i] = off;
        blob_len[i] = n;
        memcpy(data_area + off, p + 4, n);
        off = ALIGN_UP(off + n, 16);
        p += 4 + n;
    }
    scratch_off = off;
    /* Scratch must read as zero; only bytes an earlier case wrote here can be dirty. */
    if (high_water) {
        if (*high_water > off) memset(data_area + off, 0, *high_water - off);
        *high_water = off;
    }
}

void *fprog_for(u32 f, u8 mode, u32 len)
{
    struct sock_fprog *fp;
    if (mode == 0 && len == 0xffffffffu) return &fprogs[f];
    fp = &fprog_ring[__atomic_fetch_add(&fprog_ring_next, 1, __ATOMIC_RELAXED) % 16];
    fp->len = (u16)(len == 0xffffffffu ? filter_len[f] : len);
    if (mode == 1) {
        fp->filter = NULL;
    } else if (mode == 2) {
        fp->filter = (void *)BAD_ADDRESS;
    } else if (len > filter_len[f] && len <= 4096) {
        u8 *at = staging + STAGING_SIZE - (usize)filter_len[f] * 8;
        fprog_guard_init();
        memcpy(at, filter_area + filter_off[f], (usize)filter_len[f] * 8);
        fp->filter = at;
    } else {
        fp->filter = filter_area + filter_off[f];
    }
    return fp;
}
