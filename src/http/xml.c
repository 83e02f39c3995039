/*
 * xml.c: a minimal writer for AWS Query responses: elements with escaped
 * text, into a gh_buf whose errors are sticky.
 */
#include <inttypes.h>

#include "http/http.h"

void
gh_xml_open(struct gh_buf *b, const char *tag)
{
    gh_buf_putf(b, "<%s>", tag);
}

void
gh_xml_close(struct gh_buf *b, const char *tag)
{
    gh_buf_putf(b, "</%s>", tag);
}

void
gh_xml_elem(struct gh_buf *b, const char *tag, struct gh_slice value)
{
    gh_xml_open(b, tag);
    gh_xml_escape(b, value);
    gh_xml_close(b, tag);
}

void
gh_xml_elem_cstr(struct gh_buf *b, const char *tag, const char *value)
{
    gh_xml_elem(b, tag, gh_slice_from_cstr(value));
}

void
gh_xml_elem_int(struct gh_buf *b, const char *tag, int64_t v)
{
    gh_buf_putf(b, "<%s>%" PRId64 "</%s>", tag, v, tag);
}

void
gh_xml_elem_bool(struct gh_buf *b, const char *tag, bool v)
{
    gh_buf_putf(b, "<%s>%s</%s>", tag, v ? "true" : "false", tag);
}

void
gh_xml_elem_time(struct gh_buf *b, const char *tag, int64_t t)
{
    char iso[21];

    gh_time_iso8601(t, iso);
    gh_buf_putf(b, "<%s>%s</%s>", tag, iso, tag);
}
