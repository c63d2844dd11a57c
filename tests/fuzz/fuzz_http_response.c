/* Fuzz target: the HTTP response parser (net/http.h), including bodies that end with the stream,
 * fed whole and in pieces; the first byte picks limits, HEAD-style bodiless answers and the piece
 * size. Both runs must agree. */
#include <stddef.h>
#include <stdint.h>

#include "http_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    http_fuzz(WB_HTTP_RESPONSE, data, size);
    return 0;
}
