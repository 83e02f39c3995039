/*
 * siphash.c: SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed hash for
 * in-memory tables whose keys come from clients: without the key, no one
 * can choose inputs that fall into the same bucket.
 */
#include "core/core.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t
load64_le(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void
sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL(v[1], 13);
    v[1] ^= v[0];
    v[0] = ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = ROTL(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = ROTL(v[1], 17);
    v[1] ^= v[2];
    v[2] = ROTL(v[2], 32);
}

uint64_t
gh_siphash24(const uint8_t key[GH_SIPHASH_KEY_LEN], struct gh_slice in)
{
    const uint8_t *p = (const uint8_t *)in.ptr;
    uint64_t k0 = load64_le(key), k1 = load64_le(key + 8);
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                     k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    size_t full = in.len - in.len % 8;
    uint64_t m, last = (uint64_t)(in.len & 0xff) << 56;

    for (size_t i = 0; i < full; i += 8) {
        m = load64_le(p + i);
        v[3] ^= m;
        sip_round(v);
        sip_round(v);
        v[0] ^= m;
    }
    for (size_t i = 0; i < in.len % 8; i++)
        last |= (uint64_t)p[full + i] << (8 * i);
    v[3] ^= last;
    sip_round(v);
    sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for (unsigned i = 0; i < 4; i++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
