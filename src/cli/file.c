/*
 * file.c: writes the files the subcommands keep in a directory (keys,
 * certificates) atomically and with their final mode from the start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_int.h"

/* Makes a rename in `path`'s directory durable (best effort: the data itself was fsynced). */
static void
dir_sync(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int dfd;

    if (slash == NULL)
        (void)snprintf(dir, sizeof(dir), ".");
    else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
        return;
    if (dir[0] == '\0')
        (void)snprintf(dir, sizeof(dir), "/");
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
}

enum gh_err
gh_cli_file_write(const char *path, struct gh_slice data, mode_t mode)
{
    char tmp[4096];
    int fd = -1;
    enum gh_err err = GH_ERR_IO;
    size_t off = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return GH_ERR_TOO_LARGE;
    (void)unlink(tmp);
    /*
     * Created with `mode` (never wider: the umask only narrows it), O_EXCL
     * and O_NOFOLLOW, so no one else's file or link is written through;
     * renamed over `path`, so an older file with a wider mode is replaced,
     * not rewritten in place.
     */
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) < 0)
        goto done;
    if (fchmod(fd, mode) != 0)
        goto done;
    while (off < data.len) {
        ssize_t n = write(fd, data.ptr + off, data.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto done;
        off += (size_t)n;
    }
    if (fsync(fd) != 0)
        goto done;
    if (close(fd) != 0) {
        fd = -1;
        goto done;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto done;
    dir_sync(path);
    err = GH_OK;
done:
    if (fd >= 0)
        close(fd);
    if (err != GH_OK)
        (void)unlink(tmp);
    return err;
}
