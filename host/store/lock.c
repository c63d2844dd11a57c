/* The store directory's lock (lock.h). */
#include "store/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct wb_store_lock {
    int fd;
};

/* mkdir -p with mode 0700 for what is made. */
static int make_dirs(const char *dir) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int wb_store_lock_take(const char *dir, wb_store_lock **out, pid_t *holder, wb_error *err) {
    char path[4096];
    *holder = 0;
    if (make_dirs(dir) < 0)
        return wb_error_set(err, WB_EIO, 0, "cannot make %s: %s", dir, strerror(errno));
    if (snprintf(path, sizeof path, "%s/wabot.lock", dir) >= (int)sizeof path)
        return wb_error_set(err, WB_EIO, 0, "store path too long");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return wb_error_set(err, WB_EIO, 0, "cannot open %s: %s", path, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) < 0) {
        int e = errno;
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK)
            *holder = q.l_pid;
        close(fd);
        if (e == EACCES || e == EAGAIN)
            return wb_error_set(err, WB_EEXIST, 0, "%s is in use by another wabot (pid %ld)", dir,
                                (long)*holder);
        return wb_error_set(err, WB_EIO, 0, "cannot lock %s: %s", path, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        close(fd);
        return wb_error_set(err, WB_EIO, 0, "cannot write %s: %s", path, strerror(errno));
    }
    wb_store_lock *l = malloc(sizeof *l);
    if (!l) {
        close(fd);
        return WB_ENOMEM;
    }
    l->fd = fd;
    *out = l;
    return 0;
}

void wb_store_lock_release(wb_store_lock *l) {
    if (!l)
        return;
    close(l->fd); /* closing drops the lock */
    free(l);
}
