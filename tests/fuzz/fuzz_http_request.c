/* Fuzz target: the HTTP request parser (net/http.h) over pipelined streams, fed whole and in
 * pieces; the first byte picks limits and the piece size. Both runs must agree. */
#include <stddef.h>
#include <stdint.h>

#include "http_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    http_fuzz(WB_HTTP_REQUEST, data, size);
    return 0;
}
