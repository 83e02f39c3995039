/* auth.h: may include only core and crypto; store/ would be exported. */
#include "core/core.h"
#include "crypto/crypto.h"
#include "store/store.h"
