/*
 * files.c: the built console bundle, read into memory once at start:
 * index.html and the content-hashed files under assets/. Serving from
 * memory keeps requests off the file system (no path ever reaches open()).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "console/console_int.h"

/* Names esbuild writes: letters, digits, '.', '-', '_'; no leading dot. */
static bool
is_plain_name(const char *s)
{
    if (s[0] == '\0' || s[0] == '.')
        return false;
    for (const char *p = s; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            return false;
    return strlen(s) < 200;
}

const char *
gh_console_content_type(struct gh_slice name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".map", "application/json"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (gh_slice_ends_with(name, gh_slice_from_cstr(types[i].ext)))
            return types[i].type;
    return "application/octet-stream";
}

/* esbuild's "[name]-[hash]" names: a dash then 8 upper-case letters/digits before the extension. */
static bool
is_hashed(const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t n = 0;

    if (dot == NULL)
        return false;
    for (const char *p = dot - 1; p >= name && *p != '-'; p--, n++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return n == 8 && dot - 9 >= name && dot[-9] == '-';
}

static enum gh_err
read_file(const char *path, char **data, size_t *len)
{
    FILE *f = NULL;
    struct stat st;
    enum gh_err err = GH_ERR_IO;
    char *buf = NULL;

    *data = NULL;
    *len = 0;
    if ((f = fopen(path, "rb")) == NULL)
        return GH_ERR_NOT_FOUND;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        goto done;
    if ((size_t)st.st_size > GH_CONSOLE_FILE_BYTES_MAX) {
        err = GH_ERR_TOO_LARGE;
        goto done;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        goto done;
    buf[st.st_size] = '\0';
    *data = buf;
    *len = (size_t)st.st_size;
    buf = NULL;
    err = GH_OK;
done:
    free(buf);
    fclose(f);
    return err;
}

static enum gh_err
add(struct gh_console_files *out, const char *dir, const char *rel)
{
    struct gh_console_file *f;
    char path[4096];
    enum gh_err err;
    int n;

    if (out->count >= GH_CONSOLE_FILES_MAX)
        return GH_ERR_LIMIT;
    n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof(path))
        return GH_ERR_TOO_LARGE;
    f = &out->items[out->count];
    memset(f, 0, sizeof(*f));
    if ((err = read_file(path, &f->data, &f->len)) != GH_OK)
        return err;
    if ((f->name = strdup(rel)) == NULL) {
        free(f->data);
        return GH_ERR_NOMEM;
    }
    f->content_type = gh_console_content_type(gh_slice_from_cstr(rel));
    f->immutable = strncmp(rel, "assets/", 7) == 0 && is_hashed(rel + 7);
    out->count++;
    return GH_OK;
}

enum gh_err
gh_console_files_load(const char *dir, struct gh_console_files *out)
{
    char sub[4096];
    DIR *d = NULL;
    struct dirent *e;
    enum gh_err err;
    int n;

    memset(out, 0, sizeof(*out));
    if (dir == NULL)
        return GH_OK;
    if ((out->items = calloc(GH_CONSOLE_FILES_MAX, sizeof(*out->items))) == NULL)
        return GH_ERR_NOMEM;
    err = add(out, dir, "index.html");
    if (err == GH_ERR_NOT_FOUND)
        return GH_OK; /* not built: the handler says how to build it */
    if (err != GH_OK)
        goto fail;
    n = snprintf(sub, sizeof(sub), "%s/assets", dir);
    if (n < 0 || (size_t)n >= sizeof(sub)) {
        err = GH_ERR_TOO_LARGE;
        goto fail;
    }
    if ((d = opendir(sub)) == NULL)
        return GH_OK;
    while ((e = readdir(d)) != NULL) {
        char rel[256];
        if (!is_plain_name(e->d_name))
            continue;
        n = snprintf(rel, sizeof(rel), "assets/%s", e->d_name);
        if (n < 0 || (size_t)n >= sizeof(rel))
            continue;
        if ((err = add(out, dir, rel)) != GH_OK && err != GH_ERR_IO)
            goto fail;
    }
    closedir(d);
    return GH_OK;
fail:
    if (d != NULL)
        closedir(d);
    gh_console_files_cleanup(out);
    return err;
}

void
gh_console_files_cleanup(struct gh_console_files *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->items[i].name);
        free(f->items[i].data);
    }
    free(f->items);
    memset(f, 0, sizeof(*f));
}

const struct gh_console_file *
gh_console_files_find(const struct gh_console_files *f, struct gh_slice name)
{
    for (size_t i = 0; i < f->count; i++)
        if (gh_slice_eq_cstr(name, f->items[i].name))
            return &f->items[i];
    return NULL;
}
