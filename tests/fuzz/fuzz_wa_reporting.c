/* Fuzz target: the reporting token's field reader (wa/reporting.c) over arbitrary bytes as an
 * encoded Message. The messages it reads are wabot's own, but the reader must stay memory-safe
 * whatever it is given (it walks nested lengths). Oracle: the sanitizers; a result of 1 must come
 * with the same token when computed again (the reader is deterministic). */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "wa/reporting.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t secret[32] = {1, 2, 3};
    uint8_t a[WB_WA_REPORTING_TOKEN_LEN], b[WB_WA_REPORTING_TOKEN_LEN];
    int rc = wb_wa_reporting_token(data, size, secret, "3EB0FUZZ", "15550001111@s.whatsapp.net", a);
    if (rc == 1 &&
        (wb_wa_reporting_token(data, size, secret, "3EB0FUZZ", "15550001111@s.whatsapp.net", b) != 1 ||
         memcmp(a, b, sizeof a) != 0))
        __builtin_trap();
    return 0;
}
