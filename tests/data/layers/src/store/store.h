#include "core/core.h"
#include "crypto/crypto.h"
