/* Internal to net/: the part of a websocket handle that runs on a wb_conn, shared by the
 * server (http_server.c) and the client (ws_client.c). The owner of the connection feeds it
 * plaintext and EOF, and hands over when the connection has closed. */
#ifndef WB_NET_WS_LINK_H
#define WB_NET_WS_LINK_H

#include "net/conn.h"
#include "net/ws.h"

#define WB_WS_CLOSE_TIMEOUT_MS 5000

/* Attaches a new link to ws, on conn, not yet open (no session). Returns 0 or WB_ENOMEM. */
int wb_ws_link_new(wb_ws *ws, wb_conn *conn, wb_ws_role role, size_t max_message,
                   const wb_ws_callbacks *cb);
/* Starts the session: messages may flow. Returns 0 or WB_ENOMEM. */
int wb_ws_link_open(wb_ws *ws);
/* Client: tells the application (on_open). */
void wb_ws_link_opened(wb_ws *ws);
/* Frees a link that never ran, calling nothing. */
void wb_ws_link_drop(wb_ws *ws);
/* Plaintext from the peer, for an open link. */
void wb_ws_link_data(wb_ws *ws, const uint8_t *data, size_t len);
/* Bytes the link holds for a message being assembled (for a memory budget). */
size_t wb_ws_link_buffered(const wb_ws *ws);
/* 1 once our close frame has gone out (the closing handshake runs on its own deadline). */
int wb_ws_link_closing(const wb_ws *ws);
/* The peer closed its sending side. */
void wb_ws_link_eof(wb_ws *ws);
/* The connection has closed with conn_status and conn_reason (copied by the caller before it
 * freed the connection): frees the link and calls on_close, the last thing done with ws. */
void wb_ws_link_finish(wb_ws *ws, int conn_status, const char *conn_reason);

#endif
