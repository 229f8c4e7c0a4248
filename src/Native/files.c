/* READ_FILE: open, read until EOF (or EAGAIN with nonblock, or max_len), close. /dev/kmsg gives
 * one record per read, so reading in a loop concatenates records. */
#include "exec.h"
#include "obs.h"
#include "sys.h"

void read_file(struct actor *a, u16 step, const char *path, u32 max_len, u8 nonblock)
{
    u32 cap = OBS_MAX_PAYLOAD - 12, n = 0;
    long fd, r = 0;
    u8 *p;
    if (max_len > cap) max_len = cap;
    /* Reading straight into the claimed record means no buffer shared between threads; the
     * record is claimed at the maximum size and shrinks to what was read. */
    p = obs_begin(a, step, 12 + (usize)max_len);
    if (!p) return;
    fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0), 0);
    if (fd < 0) {
        r = fd;
    } else {
        while (n < max_len) {
            r = sys_read((int)fd, p + 12 + n, max_len - n);
            if (r == -EINTR) continue;
            if (r == -EAGAIN && nonblock) { r = 0; break; }
            if (r <= 0) break;
            n += (u32)r;
        }
        sys_close((int)fd);
    }
    st64(p, (u64)(r < 0 ? (i64)r : (i64)n));
    st32(p + 8, n);
    obs_commit(p, OBS_FILE, 0);
}
