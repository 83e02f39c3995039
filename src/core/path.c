/*
 * path.c: paths of the files the build installs beside the gatehouse
 * binary (the console bundle, the AWS data).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

enum gh_err
gh_path_beside_exe(const char *rel, char *out, size_t out_len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;
    int w;

    if (out_len > 0)
        out[0] = '\0';
    if (n <= 0)
        return GH_ERR_NOT_FOUND;
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) == NULL)
        return GH_ERR_NOT_FOUND;
    *slash = '\0';
    w = snprintf(out, out_len, "%s/%s", exe, rel);
    if (w < 0 || (size_t)w >= out_len) {
        if (out_len > 0)
            out[0] = '\0';
        return GH_ERR_TOO_LARGE;
    }
    return GH_OK;
}
