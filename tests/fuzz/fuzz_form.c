/*
 * fuzz_form.c: libFuzzer harness for the Query form/query-string parser.
 */
#include <stdint.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_arena a;
    struct gh_params p;
    struct gh_diag diag;
    struct gh_slice in = {(const char *)data, size};

    gh_arena_init(&a);
    if (gh_form_parse(&a, in, size % 2 == 0, &p, &diag) == GH_OK) {
        for (size_t i = 0; i < p.count; i++)
            (void)gh_params_get(&p, p.items[i].name.ptr == NULL ? "" : "Action");
    }
    gh_arena_cleanup(&a);
    return 0;
}
