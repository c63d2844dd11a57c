/* Logging. One process-wide sink (stderr by default) and a level filter.
 *
 * Rule: key material never reaches a log line. Log a key's length or a short fingerprint
 * (wb_log_fingerprint), never its bytes. */
#ifndef WB_CORE_LOG_H
#define WB_CORE_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum { WB_LOG_DEBUG = 0, WB_LOG_INFO = 1, WB_LOG_WARN = 2, WB_LOG_ERROR = 3, WB_LOG_OFF = 4 } wb_log_level;

/* A sink receives one formatted line without its newline. component names the unit ("noise"). */
typedef void (*wb_log_sink)(void *ud, wb_log_level level, const char *component, const char *line);

/* Replaces the sink; NULL restores the stderr sink. */
void wb_log_set_sink(wb_log_sink sink, void *ud);
void wb_log_set_level(wb_log_level level);
wb_log_level wb_log_get_level(void);
/* Parses "debug", "info", "warn", "error" or "off"; returns -1 for anything else. */
int wb_log_parse_level(const char *name);

void wb_logf(wb_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define WB_LOG(level, comp, ...)                                                                   \
    do {                                                                                           \
        if ((level) >= wb_log_get_level())                                                         \
            wb_logf((level), (comp), __VA_ARGS__);                                                 \
    } while (0)
#define WB_DEBUG(comp, ...) WB_LOG(WB_LOG_DEBUG, comp, __VA_ARGS__)
#define WB_INFO(comp, ...) WB_LOG(WB_LOG_INFO, comp, __VA_ARGS__)
#define WB_WARN(comp, ...) WB_LOG(WB_LOG_WARN, comp, __VA_ARGS__)
#define WB_ERROR(comp, ...) WB_LOG(WB_LOG_ERROR, comp, __VA_ARGS__)

/* Writes an 8-hex-digit fingerprint of data (a non-cryptographic hash, enough to tell keys
 * apart in a log, useless for recovering them) into out, which must hold 9 bytes. */
void wb_log_fingerprint(char out[9], const uint8_t *data, size_t len);

#endif
