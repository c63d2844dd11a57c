/* An exclusive lock on a store directory, so two wabot processes never run one device (two
 * clients with the same keys would fight over the connection, 440 after 440, and their ratchets
 * would diverge). The lock is an fcntl write lock on DIR/wabot.lock, which holds the owner's pid
 * as text; the kernel drops it when the process ends, however it ends (kill -9 included), so a
 * stale lock never blocks a restart. */
#ifndef WB_STORE_LOCK_H
#define WB_STORE_LOCK_H

#include <sys/types.h>

#include "core/err.h"

typedef struct wb_store_lock wb_store_lock;

/* Takes the lock of dir (made 0700 when missing). Returns 0 and *out; WB_EEXIST when another
 * process holds it (*holder gets its pid, 0 when unknown); WB_EIO with a sentence in err. */
int wb_store_lock_take(const char *dir, wb_store_lock **out, pid_t *holder, wb_error *err);
/* Releases it (NULL is a no-op). */
void wb_store_lock_release(wb_store_lock *l);

#endif
