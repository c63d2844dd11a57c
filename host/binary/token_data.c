/* The token dictionaries of the WhatsApp binary node format, dictionary version 3: 236
 * single-byte tokens and 4 x 256 double-byte tokens. The lists are facts of the protocol, the same
 * in Baileys (lib/WABinary/constants.js) and whatsmeow (binary/token/token.go);
 * tests/interop/binary.test.mjs checks that this table equals Baileys' exactly.
 *
 * Layout: every token lives in one pool as [code hi][code lo][length] chars NUL, so a string
 * pointer that lies inside the pool can be turned back into its token code in O(1) (the decoder
 * hands out pointers into the pool; the encoder recognises them). Codes: 1..235 single-byte,
 * 256 + dict*256 + index double-byte. Token 0 is the empty string and is never written. */
#include "binary/token.h"

const char wb_token_pool[] =
    "\x00" "\x00" "\x00" "\0" /* 0 */
    "\x00" "\x01" "\x0e" "xmlstreamstart\0" /* 1 */
    "\x00" "\x02" "\x0c" "xmlstreamend\0" /* 2 */
    "\x00" "\x03" "\x0e" "s.whatsapp.net\0" /* 3 */
    "\x00" "\x04" "\x04" "type\0" /* 4 */
    "\x00" "\x05" "\x0b" "participant\0" /* 5 */
    "\x00" "\x06" "\x04" "from\0" /* 6 */
    "\x00" "\x07" "\x07" "receipt\0" /* 7 */
    "\x00" "\x08" "\x02" "id\0" /* 8 */
    "\x00" "\x09" "\x0c" "notification\0" /* 9 */
    "\x00" "\x0a" "\x11" "disappearing_mode\0" /* 10 */
    "\x00" "\x0b" "\x06" "status\0" /* 11 */
    "\x00" "\x0c" "\x03" "jid\0" /* 12 */
    "\x00" "\x0d" "\x09" "broadcast\0" /* 13 */
    "\x00" "\x0e" "\x04" "user\0" /* 14 */
    "\x00" "\x0f" "\x07" "devices\0" /* 15 */
    "\x00" "\x10" "\x0b" "device_hash\0" /* 16 */
    "\x00" "\x11" "\x02" "to\0" /* 17 */
    "\x00" "\x12" "\x07" "offline\0" /* 18 */
    "\x00" "\x13" "\x07" "message\0" /* 19 */
    "\x00" "\x14" "\x06" "result\0" /* 20 */
    "\x00" "\x15" "\x05" "class\0" /* 21 */
    "\x00" "\x16" "\x05" "xmlns\0" /* 22 */
    "\x00" "\x17" "\x08" "duration\0" /* 23 */
    "\x00" "\x18" "\x06" "notify\0" /* 24 */
    "\x00" "\x19" "\x02" "iq\0" /* 25 */
    "\x00" "\x1a" "\x01" "t\0" /* 26 */
    "\x00" "\x1b" "\x03" "ack\0" /* 27 */
    "\x00" "\x1c" "\x04" "g.us\0" /* 28 */
    "\x00" "\x1d" "\x03" "enc\0" /* 29 */
    "\x00" "\x1e" "\x16" "urn:xmpp:whatsapp:push\0" /* 30 */
    "\x00" "\x1f" "\x08" "presence\0" /* 31 */
    "\x00" "\x20" "\x0c" "config_value\0" /* 32 */
    "\x00" "\x21" "\x07" "picture\0" /* 33 */
    "\x00" "\x22" "\x0d" "verified_name\0" /* 34 */
    "\x00" "\x23" "\x0b" "config_code\0" /* 35 */
    "\x00" "\x24" "\x0e" "key-index-list\0" /* 36 */
    "\x00" "\x25" "\x07" "contact\0" /* 37 */
    "\x00" "\x26" "\x09" "mediatype\0" /* 38 */
    "\x00" "\x27" "\x0c" "routing_info\0" /* 39 */
    "\x00" "\x28" "\x0c" "edge_routing\0" /* 40 */
    "\x00" "\x29" "\x03" "get\0" /* 41 */
    "\x00" "\x2a" "\x04" "read\0" /* 42 */
    "\x00" "\x2b" "\x0d" "urn:xmpp:ping\0" /* 43 */
    "\x00" "\x2c" "\x11" "fallback_hostname\0" /* 44 */
    "\x00" "\x2d" "\x01" "0\0" /* 45 */
    "\x00" "\x2e" "\x09" "chatstate\0" /* 46 */
    "\x00" "\x2f" "\x15" "business_hours_config\0" /* 47 */
    "\x00" "\x30" "\x0b" "unavailable\0" /* 48 */
    "\x00" "\x31" "\x10" "download_buckets\0" /* 49 */
    "\x00" "\x32" "\x05" "skmsg\0" /* 50 */
    "\x00" "\x33" "\x0e" "verified_level\0" /* 51 */
    "\x00" "\x34" "\x09" "composing\0" /* 52 */
    "\x00" "\x35" "\x09" "handshake\0" /* 53 */
    "\x00" "\x36" "\x0b" "device-list\0" /* 54 */
    "\x00" "\x37" "\x05" "media\0" /* 55 */
    "\x00" "\x38" "\x04" "text\0" /* 56 */
    "\x00" "\x39" "\x0c" "fallback_ip4\0" /* 57 */
    "\x00" "\x3a" "\x0a" "media_conn\0" /* 58 */
    "\x00" "\x3b" "\x06" "device\0" /* 59 */
    "\x00" "\x3c" "\x08" "creation\0" /* 60 */
    "\x00" "\x3d" "\x08" "location\0" /* 61 */
    "\x00" "\x3e" "\x06" "config\0" /* 62 */
    "\x00" "\x3f" "\x04" "item\0" /* 63 */
    "\x00" "\x40" "\x0c" "fallback_ip6\0" /* 64 */
    "\x00" "\x41" "\x05" "count\0" /* 65 */
    "\x00" "\x42" "\x11" "w:profile:picture\0" /* 66 */
    "\x00" "\x43" "\x05" "image\0" /* 67 */
    "\x00" "\x44" "\x08" "business\0" /* 68 */
    "\x00" "\x45" "\x01" "2\0" /* 69 */
    "\x00" "\x46" "\x08" "hostname\0" /* 70 */
    "\x00" "\x47" "\x0c" "call-creator\0" /* 71 */
    "\x00" "\x48" "\x0c" "display_name\0" /* 72 */
    "\x00" "\x49" "\x0c" "relaylatency\0" /* 73 */
    "\x00" "\x4a" "\x08" "platform\0" /* 74 */
    "\x00" "\x4b" "\x07" "abprops\0" /* 75 */
    "\x00" "\x4c" "\x07" "success\0" /* 76 */
    "\x00" "\x4d" "\x03" "msg\0" /* 77 */
    "\x00" "\x4e" "\x0f" "offline_preview\0" /* 78 */
    "\x00" "\x4f" "\x04" "prop\0" /* 79 */
    "\x00" "\x50" "\x09" "key-index\0" /* 80 */
    "\x00" "\x51" "\x01" "v\0" /* 81 */
    "\x00" "\x52" "\x0b" "day_of_week\0" /* 82 */
    "\x00" "\x53" "\x05" "pkmsg\0" /* 83 */
    "\x00" "\x54" "\x07" "version\0" /* 84 */
    "\x00" "\x55" "\x01" "1\0" /* 85 */
    "\x00" "\x56" "\x04" "ping\0" /* 86 */
    "\x00" "\x57" "\x03" "w:p\0" /* 87 */
    "\x00" "\x58" "\x08" "download\0" /* 88 */
    "\x00" "\x59" "\x05" "video\0" /* 89 */
    "\x00" "\x5a" "\x03" "set\0" /* 90 */
    "\x00" "\x5b" "\x0e" "specific_hours\0" /* 91 */
    "\x00" "\x5c" "\x05" "props\0" /* 92 */
    "\x00" "\x5d" "\x07" "primary\0" /* 93 */
    "\x00" "\x5e" "\x07" "unknown\0" /* 94 */
    "\x00" "\x5f" "\x04" "hash\0" /* 95 */
    "\x00" "\x60" "\x13" "commerce_experience\0" /* 96 */
    "\x00" "\x61" "\x04" "last\0" /* 97 */
    "\x00" "\x62" "\x09" "subscribe\0" /* 98 */
    "\x00" "\x63" "\x0b" "max_buckets\0" /* 99 */
    "\x00" "\x64" "\x04" "call\0" /* 100 */
    "\x00" "\x65" "\x07" "profile\0" /* 101 */
    "\x00" "\x66" "\x11" "member_since_text\0" /* 102 */
    "\x00" "\x67" "\x0a" "close_time\0" /* 103 */
    "\x00" "\x68" "\x07" "call-id\0" /* 104 */
    "\x00" "\x69" "\x07" "sticker\0" /* 105 */
    "\x00" "\x6a" "\x04" "mode\0" /* 106 */
    "\x00" "\x6b" "\x0c" "participants\0" /* 107 */
    "\x00" "\x6c" "\x05" "value\0" /* 108 */
    "\x00" "\x6d" "\x05" "query\0" /* 109 */
    "\x00" "\x6e" "\x0f" "profile_options\0" /* 110 */
    "\x00" "\x6f" "\x09" "open_time\0" /* 111 */
    "\x00" "\x70" "\x04" "code\0" /* 112 */
    "\x00" "\x71" "\x04" "list\0" /* 113 */
    "\x00" "\x72" "\x04" "host\0" /* 114 */
    "\x00" "\x73" "\x02" "ts\0" /* 115 */
    "\x00" "\x74" "\x08" "contacts\0" /* 116 */
    "\x00" "\x75" "\x06" "upload\0" /* 117 */
    "\x00" "\x76" "\x03" "lid\0" /* 118 */
    "\x00" "\x77" "\x07" "preview\0" /* 119 */
    "\x00" "\x78" "\x06" "update\0" /* 120 */
    "\x00" "\x79" "\x05" "usync\0" /* 121 */
    "\x00" "\x7a" "\x07" "w:stats\0" /* 122 */
    "\x00" "\x7b" "\x08" "delivery\0" /* 123 */
    "\x00" "\x7c" "\x08" "auth_ttl\0" /* 124 */
    "\x00" "\x7d" "\x07" "context\0" /* 125 */
    "\x00" "\x7e" "\x04" "fail\0" /* 126 */
    "\x00" "\x7f" "\x0c" "cart_enabled\0" /* 127 */
    "\x00" "\x80" "\x07" "appdata\0" /* 128 */
    "\x00" "\x81" "\x08" "category\0" /* 129 */
    "\x00" "\x82" "\x03" "atn\0" /* 130 */
    "\x00" "\x83" "\x11" "direct_connection\0" /* 131 */
    "\x00" "\x84" "\x0c" "decrypt-fail\0" /* 132 */
    "\x00" "\x85" "\x08" "relay_id\0" /* 133 */
    "\x00" "\x86" "\x19" "mmg-fallback.whatsapp.net\0" /* 134 */
    "\x00" "\x87" "\x06" "target\0" /* 135 */
    "\x00" "\x88" "\x09" "available\0" /* 136 */
    "\x00" "\x89" "\x04" "name\0" /* 137 */
    "\x00" "\x8a" "\x07" "last_id\0" /* 138 */
    "\x00" "\x8b" "\x10" "mmg.whatsapp.net\0" /* 139 */
    "\x00" "\x8c" "\x0a" "categories\0" /* 140 */
    "\x00" "\x8d" "\x03" "401\0" /* 141 */
    "\x00" "\x8e" "\x06" "is_new\0" /* 142 */
    "\x00" "\x8f" "\x05" "index\0" /* 143 */
    "\x00" "\x90" "\x07" "tctoken\0" /* 144 */
    "\x00" "\x91" "\x03" "ip4\0" /* 145 */
    "\x00" "\x92" "\x08" "token_id\0" /* 146 */
    "\x00" "\x93" "\x07" "latency\0" /* 147 */
    "\x00" "\x94" "\x09" "recipient\0" /* 148 */
    "\x00" "\x95" "\x04" "edit\0" /* 149 */
    "\x00" "\x96" "\x03" "ip6\0" /* 150 */
    "\x00" "\x97" "\x03" "add\0" /* 151 */
    "\x00" "\x98" "\x12" "thumbnail-document\0" /* 152 */
    "\x00" "\x99" "\x02" "26\0" /* 153 */
    "\x00" "\x9a" "\x06" "paused\0" /* 154 */
    "\x00" "\x9b" "\x04" "true\0" /* 155 */
    "\x00" "\x9c" "\x08" "identity\0" /* 156 */
    "\x00" "\x9d" "\x0c" "stream:error\0" /* 157 */
    "\x00" "\x9e" "\x03" "key\0" /* 158 */
    "\x00" "\x9f" "\x08" "sidelist\0" /* 159 */
    "\x00" "\xa0" "\x0a" "background\0" /* 160 */
    "\x00" "\xa1" "\x05" "audio\0" /* 161 */
    "\x00" "\xa2" "\x01" "3\0" /* 162 */
    "\x00" "\xa3" "\x0f" "thumbnail-image\0" /* 163 */
    "\x00" "\xa4" "\x0f" "biz-cover-photo\0" /* 164 */
    "\x00" "\xa5" "\x03" "cat\0" /* 165 */
    "\x00" "\xa6" "\x03" "gcm\0" /* 166 */
    "\x00" "\xa7" "\x0f" "thumbnail-video\0" /* 167 */
    "\x00" "\xa8" "\x05" "error\0" /* 168 */
    "\x00" "\xa9" "\x04" "auth\0" /* 169 */
    "\x00" "\xaa" "\x04" "deny\0" /* 170 */
    "\x00" "\xab" "\x06" "serial\0" /* 171 */
    "\x00" "\xac" "\x02" "in\0" /* 172 */
    "\x00" "\xad" "\x0c" "registration\0" /* 173 */
    "\x00" "\xae" "\x0e" "thumbnail-link\0" /* 174 */
    "\x00" "\xaf" "\x06" "remove\0" /* 175 */
    "\x00" "\xb0" "\x02" "00\0" /* 176 */
    "\x00" "\xb1" "\x03" "gif\0" /* 177 */
    "\x00" "\xb2" "\x0d" "thumbnail-gif\0" /* 178 */
    "\x00" "\xb3" "\x03" "tag\0" /* 179 */
    "\x00" "\xb4" "\x0a" "capability\0" /* 180 */
    "\x00" "\xb5" "\x09" "multicast\0" /* 181 */
    "\x00" "\xb6" "\x0e" "item-not-found\0" /* 182 */
    "\x00" "\xb7" "\x0b" "description\0" /* 183 */
    "\x00" "\xb8" "\x0e" "business_hours\0" /* 184 */
    "\x00" "\xb9" "\x0f" "config_expo_key\0" /* 185 */
    "\x00" "\xba" "\x0c" "md-app-state\0" /* 186 */
    "\x00" "\xbb" "\x0a" "expiration\0" /* 187 */
    "\x00" "\xbc" "\x08" "fallback\0" /* 188 */
    "\x00" "\xbd" "\x03" "ttl\0" /* 189 */
    "\x00" "\xbe" "\x03" "300\0" /* 190 */
    "\x00" "\xbf" "\x0b" "md-msg-hist\0" /* 191 */
    "\x00" "\xc0" "\x12" "device_orientation\0" /* 192 */
    "\x00" "\xc1" "\x03" "out\0" /* 193 */
    "\x00" "\xc2" "\x03" "w:m\0" /* 194 */
    "\x00" "\xc3" "\x08" "open_24h\0" /* 195 */
    "\x00" "\xc4" "\x09" "side_list\0" /* 196 */
    "\x00" "\xc5" "\x05" "token\0" /* 197 */
    "\x00" "\xc6" "\x08" "inactive\0" /* 198 */
    "\x00" "\xc7" "\x02" "01\0" /* 199 */
    "\x00" "\xc8" "\x08" "document\0" /* 200 */
    "\x00" "\xc9" "\x03" "te2\0" /* 201 */
    "\x00" "\xca" "\x06" "played\0" /* 202 */
    "\x00" "\xcb" "\x07" "encrypt\0" /* 203 */
    "\x00" "\xcc" "\x04" "msgr\0" /* 204 */
    "\x00" "\xcd" "\x04" "hide\0" /* 205 */
    "\x00" "\xce" "\x0b" "direct_path\0" /* 206 */
    "\x00" "\xcf" "\x02" "12\0" /* 207 */
    "\x00" "\xd0" "\x05" "state\0" /* 208 */
    "\x00" "\xd1" "\x0e" "not-authorized\0" /* 209 */
    "\x00" "\xd2" "\x03" "url\0" /* 210 */
    "\x00" "\xd3" "\x09" "terminate\0" /* 211 */
    "\x00" "\xd4" "\x09" "signature\0" /* 212 */
    "\x00" "\xd5" "\x13" "status-revoke-delay\0" /* 213 */
    "\x00" "\xd6" "\x02" "02\0" /* 214 */
    "\x00" "\xd7" "\x02" "te\0" /* 215 */
    "\x00" "\xd8" "\x0f" "linked_accounts\0" /* 216 */
    "\x00" "\xd9" "\x0f" "trusted_contact\0" /* 217 */
    "\x00" "\xda" "\x08" "timezone\0" /* 218 */
    "\x00" "\xdb" "\x03" "ptt\0" /* 219 */
    "\x00" "\xdc" "\x06" "kyc-id\0" /* 220 */
    "\x00" "\xdd" "\x0d" "privacy_token\0" /* 221 */
    "\x00" "\xde" "\x0c" "readreceipts\0" /* 222 */
    "\x00" "\xdf" "\x10" "appointment_only\0" /* 223 */
    "\x00" "\xe0" "\x07" "address\0" /* 224 */
    "\x00" "\xe1" "\x0b" "expected_ts\0" /* 225 */
    "\x00" "\xe2" "\x07" "privacy\0" /* 226 */
    "\x00" "\xe3" "\x01" "7\0" /* 227 */
    "\x00" "\xe4" "\x07" "android\0" /* 228 */
    "\x00" "\xe5" "\x0b" "interactive\0" /* 229 */
    "\x00" "\xe6" "\x0f" "device-identity\0" /* 230 */
    "\x00" "\xe7" "\x07" "enabled\0" /* 231 */
    "\x00" "\xe8" "\x11" "attribute_padding\0" /* 232 */
    "\x00" "\xe9" "\x04" "1080\0" /* 233 */
    "\x00" "\xea" "\x02" "03\0" /* 234 */
    "\x00" "\xeb" "\x0d" "screen_height\0" /* 235 */
    "\x01" "\x00" "\x09" "read-self\0" /* dict 0/0 */
    "\x01" "\x01" "\x06" "active\0" /* dict 0/1 */
    "\x01" "\x02" "\x04" "fbns\0" /* dict 0/2 */
    "\x01" "\x03" "\x08" "protocol\0" /* dict 0/3 */
    "\x01" "\x04" "\x08" "reaction\0" /* dict 0/4 */
    "\x01" "\x05" "\x0c" "screen_width\0" /* dict 0/5 */
    "\x01" "\x06" "\x09" "heartbeat\0" /* dict 0/6 */
    "\x01" "\x07" "\x08" "deviceid\0" /* dict 0/7 */
    "\x01" "\x08" "\x0a" "2:47DEQpj8\0" /* dict 0/8 */
    "\x01" "\x09" "\x0f" "uploadfieldstat\0" /* dict 0/9 */
    "\x01" "\x0a" "\x0d" "voip_settings\0" /* dict 0/10 */
    "\x01" "\x0b" "\x05" "retry\0" /* dict 0/11 */
    "\x01" "\x0c" "\x08" "priority\0" /* dict 0/12 */
    "\x01" "\x0d" "\x09" "longitude\0" /* dict 0/13 */
    "\x01" "\x0e" "\x08" "conflict\0" /* dict 0/14 */
    "\x01" "\x0f" "\x05" "false\0" /* dict 0/15 */
    "\x01" "\x10" "\x0f" "ig_professional\0" /* dict 0/16 */
    "\x01" "\x11" "\x08" "replaced\0" /* dict 0/17 */
    "\x01" "\x12" "\x09" "preaccept\0" /* dict 0/18 */
    "\x01" "\x13" "\x0b" "cover_photo\0" /* dict 0/19 */
    "\x01" "\x14" "\x0c" "uncompressed\0" /* dict 0/20 */
    "\x01" "\x15" "\x06" "encopt\0" /* dict 0/21 */
    "\x01" "\x16" "\x04" "ppic\0" /* dict 0/22 */
    "\x01" "\x17" "\x02" "04\0" /* dict 0/23 */
    "\x01" "\x18" "\x07" "passive\0" /* dict 0/24 */
    "\x01" "\x19" "\x12" "status-revoke-drop\0" /* dict 0/25 */
    "\x01" "\x1a" "\x06" "keygen\0" /* dict 0/26 */
    "\x01" "\x1b" "\x03" "540\0" /* dict 0/27 */
    "\x01" "\x1c" "\x05" "offer\0" /* dict 0/28 */
    "\x01" "\x1d" "\x04" "rate\0" /* dict 0/29 */
    "\x01" "\x1e" "\x04" "opus\0" /* dict 0/30 */
    "\x01" "\x1f" "\x08" "latitude\0" /* dict 0/31 */
    "\x01" "\x20" "\x05" "w:gp2\0" /* dict 0/32 */
    "\x01" "\x21" "\x03" "ver\0" /* dict 0/33 */
    "\x01" "\x22" "\x01" "4\0" /* dict 0/34 */
    "\x01" "\x23" "\x10" "business_profile\0" /* dict 0/35 */
    "\x01" "\x24" "\x06" "medium\0" /* dict 0/36 */
    "\x01" "\x25" "\x06" "sender\0" /* dict 0/37 */
    "\x01" "\x26" "\x09" "prev_v_id\0" /* dict 0/38 */
    "\x01" "\x27" "\x05" "email\0" /* dict 0/39 */
    "\x01" "\x28" "\x07" "website\0" /* dict 0/40 */
    "\x01" "\x29" "\x07" "invited\0" /* dict 0/41 */
    "\x01" "\x2a" "\x0f" "sign_credential\0" /* dict 0/42 */
    "\x01" "\x2b" "\x02" "05\0" /* dict 0/43 */
    "\x01" "\x2c" "\x09" "transport\0" /* dict 0/44 */
    "\x01" "\x2d" "\x04" "skey\0" /* dict 0/45 */
    "\x01" "\x2e" "\x06" "reason\0" /* dict 0/46 */
    "\x01" "\x2f" "\x12" "peer_abtest_bucket\0" /* dict 0/47 */
    "\x01" "\x30" "\x11" "America/Sao_Paulo\0" /* dict 0/48 */
    "\x01" "\x31" "\x05" "appid\0" /* dict 0/49 */
    "\x01" "\x32" "\x07" "refresh\0" /* dict 0/50 */
    "\x01" "\x33" "\x03" "100\0" /* dict 0/51 */
    "\x01" "\x34" "\x02" "06\0" /* dict 0/52 */
    "\x01" "\x35" "\x03" "404\0" /* dict 0/53 */
    "\x01" "\x36" "\x03" "101\0" /* dict 0/54 */
    "\x01" "\x37" "\x03" "104\0" /* dict 0/55 */
    "\x01" "\x38" "\x03" "107\0" /* dict 0/56 */
    "\x01" "\x39" "\x03" "102\0" /* dict 0/57 */
    "\x01" "\x3a" "\x03" "109\0" /* dict 0/58 */
    "\x01" "\x3b" "\x03" "103\0" /* dict 0/59 */
    "\x01" "\x3c" "\x0f" "member_add_mode\0" /* dict 0/60 */
    "\x01" "\x3d" "\x03" "105\0" /* dict 0/61 */
    "\x01" "\x3e" "\x0e" "transaction-id\0" /* dict 0/62 */
    "\x01" "\x3f" "\x03" "110\0" /* dict 0/63 */
    "\x01" "\x40" "\x03" "106\0" /* dict 0/64 */
    "\x01" "\x41" "\x08" "outgoing\0" /* dict 0/65 */
    "\x01" "\x42" "\x03" "108\0" /* dict 0/66 */
    "\x01" "\x43" "\x03" "111\0" /* dict 0/67 */
    "\x01" "\x44" "\x06" "tokens\0" /* dict 0/68 */
    "\x01" "\x45" "\x09" "followers\0" /* dict 0/69 */
    "\x01" "\x46" "\x09" "ig_handle\0" /* dict 0/70 */
    "\x01" "\x47" "\x08" "self_pid\0" /* dict 0/71 */
    "\x01" "\x48" "\x03" "tue\0" /* dict 0/72 */
    "\x01" "\x49" "\x03" "dec\0" /* dict 0/73 */
    "\x01" "\x4a" "\x03" "thu\0" /* dict 0/74 */
    "\x01" "\x4b" "\x08" "joinable\0" /* dict 0/75 */
    "\x01" "\x4c" "\x08" "peer_pid\0" /* dict 0/76 */
    "\x01" "\x4d" "\x03" "mon\0" /* dict 0/77 */
    "\x01" "\x4e" "\x08" "features\0" /* dict 0/78 */
    "\x01" "\x4f" "\x03" "wed\0" /* dict 0/79 */
    "\x01" "\x50" "\x14" "peer_device_presence\0" /* dict 0/80 */
    "\x01" "\x51" "\x02" "pn\0" /* dict 0/81 */
    "\x01" "\x52" "\x06" "delete\0" /* dict 0/82 */
    "\x01" "\x53" "\x02" "07\0" /* dict 0/83 */
    "\x01" "\x54" "\x03" "fri\0" /* dict 0/84 */
    "\x01" "\x55" "\x0e" "audio_duration\0" /* dict 0/85 */
    "\x01" "\x56" "\x05" "admin\0" /* dict 0/86 */
    "\x01" "\x57" "\x09" "connected\0" /* dict 0/87 */
    "\x01" "\x58" "\x05" "delta\0" /* dict 0/88 */
    "\x01" "\x59" "\x04" "rcat\0" /* dict 0/89 */
    "\x01" "\x5a" "\x07" "disable\0" /* dict 0/90 */
    "\x01" "\x5b" "\x0a" "collection\0" /* dict 0/91 */
    "\x01" "\x5c" "\x02" "08\0" /* dict 0/92 */
    "\x01" "\x5d" "\x03" "480\0" /* dict 0/93 */
    "\x01" "\x5e" "\x03" "sat\0" /* dict 0/94 */
    "\x01" "\x5f" "\x05" "phash\0" /* dict 0/95 */
    "\x01" "\x60" "\x03" "all\0" /* dict 0/96 */
    "\x01" "\x61" "\x06" "invite\0" /* dict 0/97 */
    "\x01" "\x62" "\x06" "accept\0" /* dict 0/98 */
    "\x01" "\x63" "\x14" "critical_unblock_low\0" /* dict 0/99 */
    "\x01" "\x64" "\x0c" "group_update\0" /* dict 0/100 */
    "\x01" "\x65" "\x11" "signed_credential\0" /* dict 0/101 */
    "\x01" "\x66" "\x12" "blinded_credential\0" /* dict 0/102 */
    "\x01" "\x67" "\x0b" "eph_setting\0" /* dict 0/103 */
    "\x01" "\x68" "\x03" "net\0" /* dict 0/104 */
    "\x01" "\x69" "\x02" "09\0" /* dict 0/105 */
    "\x01" "\x6a" "\x13" "background_location\0" /* dict 0/106 */
    "\x01" "\x6b" "\x0a" "refresh_id\0" /* dict 0/107 */
    "\x01" "\x6c" "\x0c" "Asia/Kolkata\0" /* dict 0/108 */
    "\x01" "\x6d" "\x0f" "privacy_mode_ts\0" /* dict 0/109 */
    "\x01" "\x6e" "\x0c" "account_sync\0" /* dict 0/110 */
    "\x01" "\x6f" "\x11" "voip_payload_type\0" /* dict 0/111 */
    "\x01" "\x70" "\x0d" "service_areas\0" /* dict 0/112 */
    "\x01" "\x71" "\x0e" "acs_public_key\0" /* dict 0/113 */
    "\x01" "\x72" "\x04" "v_id\0" /* dict 0/114 */
    "\x01" "\x73" "\x02" "0a\0" /* dict 0/115 */
    "\x01" "\x74" "\x0e" "fallback_class\0" /* dict 0/116 */
    "\x01" "\x75" "\x05" "relay\0" /* dict 0/117 */
    "\x01" "\x76" "\x0d" "actual_actors\0" /* dict 0/118 */
    "\x01" "\x77" "\x08" "metadata\0" /* dict 0/119 */
    "\x01" "\x78" "\x05" "w:biz\0" /* dict 0/120 */
    "\x01" "\x79" "\x01" "5\0" /* dict 0/121 */
    "\x01" "\x7a" "\x0f" "connected-limit\0" /* dict 0/122 */
    "\x01" "\x7b" "\x06" "notice\0" /* dict 0/123 */
    "\x01" "\x7c" "\x02" "0b\0" /* dict 0/124 */
    "\x01" "\x7d" "\x0c" "host_storage\0" /* dict 0/125 */
    "\x01" "\x7e" "\x07" "fb_page\0" /* dict 0/126 */
    "\x01" "\x7f" "\x07" "subject\0" /* dict 0/127 */
    "\x01" "\x80" "\x0c" "privatestats\0" /* dict 0/128 */
    "\x01" "\x81" "\x05" "invis\0" /* dict 0/129 */
    "\x01" "\x82" "\x08" "groupadd\0" /* dict 0/130 */
    "\x01" "\x83" "\x03" "010\0" /* dict 0/131 */
    "\x01" "\x84" "\x08" "note.m4r\0" /* dict 0/132 */
    "\x01" "\x85" "\x04" "uuid\0" /* dict 0/133 */
    "\x01" "\x86" "\x02" "0c\0" /* dict 0/134 */
    "\x01" "\x87" "\x04" "8000\0" /* dict 0/135 */
    "\x01" "\x88" "\x03" "sun\0" /* dict 0/136 */
    "\x01" "\x89" "\x03" "372\0" /* dict 0/137 */
    "\x01" "\x8a" "\x04" "1020\0" /* dict 0/138 */
    "\x01" "\x8b" "\x05" "stage\0" /* dict 0/139 */
    "\x01" "\x8c" "\x04" "1200\0" /* dict 0/140 */
    "\x01" "\x8d" "\x03" "720\0" /* dict 0/141 */
    "\x01" "\x8e" "\x09" "canonical\0" /* dict 0/142 */
    "\x01" "\x8f" "\x02" "fb\0" /* dict 0/143 */
    "\x01" "\x90" "\x03" "011\0" /* dict 0/144 */
    "\x01" "\x91" "\x0e" "video_duration\0" /* dict 0/145 */
    "\x01" "\x92" "\x02" "0d\0" /* dict 0/146 */
    "\x01" "\x93" "\x04" "1140\0" /* dict 0/147 */
    "\x01" "\x94" "\x0a" "superadmin\0" /* dict 0/148 */
    "\x01" "\x95" "\x03" "012\0" /* dict 0/149 */
    "\x01" "\x96" "\x0b" "Opening.m4r\0" /* dict 0/150 */
    "\x01" "\x97" "\x14" "keystore_attestation\0" /* dict 0/151 */
    "\x01" "\x98" "\x0a" "dleq_proof\0" /* dict 0/152 */
    "\x01" "\x99" "\x03" "013\0" /* dict 0/153 */
    "\x01" "\x9a" "\x09" "timestamp\0" /* dict 0/154 */
    "\x01" "\x9b" "\x06" "ab_key\0" /* dict 0/155 */
    "\x01" "\x9c" "\x10" "w:sync:app:state\0" /* dict 0/156 */
    "\x01" "\x9d" "\x02" "0e\0" /* dict 0/157 */
    "\x01" "\x9e" "\x08" "vertical\0" /* dict 0/158 */
    "\x01" "\x9f" "\x03" "600\0" /* dict 0/159 */
    "\x01" "\xa0" "\x06" "p_v_id\0" /* dict 0/160 */
    "\x01" "\xa1" "\x01" "6\0" /* dict 0/161 */
    "\x01" "\xa2" "\x05" "likes\0" /* dict 0/162 */
    "\x01" "\xa3" "\x03" "014\0" /* dict 0/163 */
    "\x01" "\xa4" "\x03" "500\0" /* dict 0/164 */
    "\x01" "\xa5" "\x04" "1260\0" /* dict 0/165 */
    "\x01" "\xa6" "\x07" "creator\0" /* dict 0/166 */
    "\x01" "\xa7" "\x02" "0f\0" /* dict 0/167 */
    "\x01" "\xa8" "\x03" "rte\0" /* dict 0/168 */
    "\x01" "\xa9" "\x0b" "destination\0" /* dict 0/169 */
    "\x01" "\xaa" "\x05" "group\0" /* dict 0/170 */
    "\x01" "\xab" "\x0a" "group_info\0" /* dict 0/171 */
    "\x01" "\xac" "\x2c" "syncd_anti_tampering_fatal_exception_enabled\0" /* dict 0/172 */
    "\x01" "\xad" "\x03" "015\0" /* dict 0/173 */
    "\x01" "\xae" "\x05" "dl_bw\0" /* dict 0/174 */
    "\x01" "\xaf" "\x0c" "Asia/Jakarta\0" /* dict 0/175 */
    "\x01" "\xb0" "\x09" "vp8/h.264\0" /* dict 0/176 */
    "\x01" "\xb1" "\x06" "online\0" /* dict 0/177 */
    "\x01" "\xb2" "\x04" "1320\0" /* dict 0/178 */
    "\x01" "\xb3" "\x0b" "fb:multiway\0" /* dict 0/179 */
    "\x01" "\xb4" "\x02" "10\0" /* dict 0/180 */
    "\x01" "\xb5" "\x07" "timeout\0" /* dict 0/181 */
    "\x01" "\xb6" "\x03" "016\0" /* dict 0/182 */
    "\x01" "\xb7" "\x09" "nse_retry\0" /* dict 0/183 */
    "\x01" "\xb8" "\x17" "urn:xmpp:whatsapp:dirty\0" /* dict 0/184 */
    "\x01" "\xb9" "\x03" "017\0" /* dict 0/185 */
    "\x01" "\xba" "\x06" "a_v_id\0" /* dict 0/186 */
    "\x01" "\xbb" "\x24" "web_shops_chat_header_button_enabled\0" /* dict 0/187 */
    "\x01" "\xbc" "\x08" "nse_call\0" /* dict 0/188 */
    "\x01" "\xbd" "\x10" "inactive-upgrade\0" /* dict 0/189 */
    "\x01" "\xbe" "\x04" "none\0" /* dict 0/190 */
    "\x01" "\xbf" "\x03" "web\0" /* dict 0/191 */
    "\x01" "\xc0" "\x06" "groups\0" /* dict 0/192 */
    "\x01" "\xc1" "\x04" "2250\0" /* dict 0/193 */
    "\x01" "\xc2" "\x23" "mms_hot_content_timespan_in_seconds\0" /* dict 0/194 */
    "\x01" "\xc3" "\x11" "contact_blacklist\0" /* dict 0/195 */
    "\x01" "\xc4" "\x08" "nse_read\0" /* dict 0/196 */
    "\x01" "\xc5" "\x25" "suspended_group_deletion_notification\0" /* dict 0/197 */
    "\x01" "\xc6" "\x0e" "binary_version\0" /* dict 0/198 */
    "\x01" "\xc7" "\x03" "018\0" /* dict 0/199 */
    "\x01" "\xc8" "\x22" "https://www.whatsapp.com/otp/copy/\0" /* dict 0/200 */
    "\x01" "\xc9" "\x08" "reg_push\0" /* dict 0/201 */
    "\x01" "\xca" "\x28" "shops_hide_catalog_attachment_entrypoint\0" /* dict 0/202 */
    "\x01" "\xcb" "\x0b" "server_sync\0" /* dict 0/203 */
    "\x01" "\xcc" "\x01" ".\0" /* dict 0/204 */
    "\x01" "\xcd" "\x21" "ephemeral_messages_allowed_values\0" /* dict 0/205 */
    "\x01" "\xce" "\x03" "019\0" /* dict 0/206 */
    "\x01" "\xcf" "\x1e" "mms_vcache_aggregation_enabled\0" /* dict 0/207 */
    "\x01" "\xd0" "\x06" "iphone\0" /* dict 0/208 */
    "\x01" "\xd1" "\x1e" "America/Argentina/Buenos_Aires\0" /* dict 0/209 */
    "\x01" "\xd2" "\x03" "01a\0" /* dict 0/210 */
    "\x01" "\xd3" "\x1e" "mms_vcard_autodownload_size_kb\0" /* dict 0/211 */
    "\x01" "\xd4" "\x07" "nse_ver\0" /* dict 0/212 */
    "\x01" "\xd5" "\x1f" "shops_header_dropdown_menu_item\0" /* dict 0/213 */
    "\x01" "\xd6" "\x05" "dhash\0" /* dict 0/214 */
    "\x01" "\xd7" "\x0e" "catalog_status\0" /* dict 0/215 */
    "\x01" "\xd8" "\x22" "communities_mvp_new_iqs_serverprop\0" /* dict 0/216 */
    "\x01" "\xd9" "\x09" "blocklist\0" /* dict 0/217 */
    "\x01" "\xda" "\x07" "default\0" /* dict 0/218 */
    "\x01" "\xdb" "\x02" "11\0" /* dict 0/219 */
    "\x01" "\xdc" "\x1a" "ephemeral_messages_enabled\0" /* dict 0/220 */
    "\x01" "\xdd" "\x03" "01b\0" /* dict 0/221 */
    "\x01" "\xde" "\x13" "original_dimensions\0" /* dict 0/222 */
    "\x01" "\xdf" "\x01" "8\0" /* dict 0/223 */
    "\x01" "\xe0" "\x30" "mms4_media_retry_notification_encryption_enabled\0" /* dict 0/224 */
    "\x01" "\xe1" "\x2c" "mms4_server_error_receipt_encryption_enabled\0" /* dict 0/225 */
    "\x01" "\xe2" "\x12" "original_image_url\0" /* dict 0/226 */
    "\x01" "\xe3" "\x04" "sync\0" /* dict 0/227 */
    "\x01" "\xe4" "\x08" "multiway\0" /* dict 0/228 */
    "\x01" "\xe5" "\x03" "420\0" /* dict 0/229 */
    "\x01" "\xe6" "\x14" "companion_enc_static\0" /* dict 0/230 */
    "\x01" "\xe7" "\x1f" "shops_profile_drawer_entrypoint\0" /* dict 0/231 */
    "\x01" "\xe8" "\x03" "01c\0" /* dict 0/232 */
    "\x01" "\xe9" "\x19" "vcard_as_document_size_kb\0" /* dict 0/233 */
    "\x01" "\xea" "\x19" "status_video_max_duration\0" /* dict 0/234 */
    "\x01" "\xeb" "\x11" "request_image_url\0" /* dict 0/235 */
    "\x01" "\xec" "\x03" "01d\0" /* dict 0/236 */
    "\x01" "\xed" "\x0c" "regular_high\0" /* dict 0/237 */
    "\x01" "\xee" "\x03" "s_t\0" /* dict 0/238 */
    "\x01" "\xef" "\x03" "abt\0" /* dict 0/239 */
    "\x01" "\xf0" "\x27" "share_ext_min_preliminary_image_quality\0" /* dict 0/240 */
    "\x01" "\xf1" "\x03" "01e\0" /* dict 0/241 */
    "\x01" "\xf2" "\x02" "32\0" /* dict 0/242 */
    "\x01" "\xf3" "\x1a" "syncd_key_rotation_enabled\0" /* dict 0/243 */
    "\x01" "\xf4" "\x0e" "data_namespace\0" /* dict 0/244 */
    "\x01" "\xf5" "\x1b" "md_downgrade_read_receipts2\0" /* dict 0/245 */
    "\x01" "\xf6" "\x05" "patch\0" /* dict 0/246 */
    "\x01" "\xf7" "\x08" "polltype\0" /* dict 0/247 */
    "\x01" "\xf8" "\x1a" "ephemeral_messages_setting\0" /* dict 0/248 */
    "\x01" "\xf9" "\x08" "userrate\0" /* dict 0/249 */
    "\x01" "\xfa" "\x02" "15\0" /* dict 0/250 */
    "\x01" "\xfb" "\x1a" "partial_pjpeg_bw_threshold\0" /* dict 0/251 */
    "\x01" "\xfc" "\x0b" "played-self\0" /* dict 0/252 */
    "\x01" "\xfd" "\x0e" "catalog_exists\0" /* dict 0/253 */
    "\x01" "\xfe" "\x03" "01f\0" /* dict 0/254 */
    "\x01" "\xff" "\x07" "mute_v2\0" /* dict 0/255 */
    "\x02" "\x00" "\x06" "reject\0" /* dict 1/0 */
    "\x02" "\x01" "\x05" "dirty\0" /* dict 1/1 */
    "\x02" "\x02" "\x0c" "announcement\0" /* dict 1/2 */
    "\x02" "\x03" "\x03" "020\0" /* dict 1/3 */
    "\x02" "\x04" "\x02" "13\0" /* dict 1/4 */
    "\x02" "\x05" "\x01" "9\0" /* dict 1/5 */
    "\x02" "\x06" "\x18" "status_video_max_bitrate\0" /* dict 1/6 */
    "\x02" "\x07" "\x0c" "fb:thrift_iq\0" /* dict 1/7 */
    "\x02" "\x08" "\x0d" "offline_batch\0" /* dict 1/8 */
    "\x02" "\x09" "\x03" "022\0" /* dict 1/9 */
    "\x02" "\x0a" "\x04" "full\0" /* dict 1/10 */
    "\x02" "\x0b" "\x21" "ctwa_first_business_reply_logging\0" /* dict 1/11 */
    "\x02" "\x0c" "\x05" "h.264\0" /* dict 1/12 */
    "\x02" "\x0d" "\x07" "smax_id\0" /* dict 1/13 */
    "\x02" "\x0e" "\x18" "group_description_length\0" /* dict 1/14 */
    "\x02" "\x0f" "\x21" "https://www.whatsapp.com/otp/code\0" /* dict 1/15 */
    "\x02" "\x10" "\x15" "status_image_max_edge\0" /* dict 1/16 */
    "\x02" "\x11" "\x23" "smb_upsell_business_profile_enabled\0" /* dict 1/17 */
    "\x02" "\x12" "\x03" "021\0" /* dict 1/18 */
    "\x02" "\x13" "\x17" "web_upgrade_to_md_modal\0" /* dict 1/19 */
    "\x02" "\x14" "\x02" "14\0" /* dict 1/20 */
    "\x02" "\x15" "\x03" "023\0" /* dict 1/21 */
    "\x02" "\x16" "\x03" "s_o\0" /* dict 1/22 */
    "\x02" "\x17" "\x23" "smaller_video_thumbs_status_enabled\0" /* dict 1/23 */
    "\x02" "\x18" "\x16" "media_max_autodownload\0" /* dict 1/24 */
    "\x02" "\x19" "\x03" "960\0" /* dict 1/25 */
    "\x02" "\x1a" "\x0f" "blocking_status\0" /* dict 1/26 */
    "\x02" "\x1b" "\x08" "peer_msg\0" /* dict 1/27 */
    "\x02" "\x1c" "\x22" "joinable_group_call_client_version\0" /* dict 1/28 */
    "\x02" "\x1d" "\x25" "group_call_video_maximization_enabled\0" /* dict 1/29 */
    "\x02" "\x1e" "\x0f" "return_snapshot\0" /* dict 1/30 */
    "\x02" "\x1f" "\x04" "high\0" /* dict 1/31 */
    "\x02" "\x20" "\x13" "America/Mexico_City\0" /* dict 1/32 */
    "\x02" "\x21" "\x21" "entry_point_block_logging_enabled\0" /* dict 1/33 */
    "\x02" "\x22" "\x03" "pop\0" /* dict 1/34 */
    "\x02" "\x23" "\x03" "024\0" /* dict 1/35 */
    "\x02" "\x24" "\x04" "1050\0" /* dict 1/36 */
    "\x02" "\x25" "\x02" "16\0" /* dict 1/37 */
    "\x02" "\x26" "\x04" "1380\0" /* dict 1/38 */
    "\x02" "\x27" "\x22" "one_tap_calling_in_group_chat_size\0" /* dict 1/39 */
    "\x02" "\x28" "\x0b" "regular_low\0" /* dict 1/40 */
    "\x02" "\x29" "\x21" "inline_joinable_education_enabled\0" /* dict 1/41 */
    "\x02" "\x2a" "\x11" "hq_image_max_edge\0" /* dict 1/42 */
    "\x02" "\x2b" "\x06" "locked\0" /* dict 1/43 */
    "\x02" "\x2c" "\x0e" "America/Bogota\0" /* dict 1/44 */
    "\x02" "\x2d" "\x1d" "smb_biztools_deeplink_enabled\0" /* dict 1/45 */
    "\x02" "\x2e" "\x14" "status_image_quality\0" /* dict 1/46 */
    "\x02" "\x2f" "\x04" "1088\0" /* dict 1/47 */
    "\x02" "\x30" "\x03" "025\0" /* dict 1/48 */
    "\x02" "\x31" "\x25" "payments_upi_intent_transaction_limit\0" /* dict 1/49 */
    "\x02" "\x32" "\x04" "voip\0" /* dict 1/50 */
    "\x02" "\x33" "\x04" "w:g2\0" /* dict 1/51 */
    "\x02" "\x34" "\x03" "027\0" /* dict 1/52 */
    "\x02" "\x35" "\x13" "md_pin_chat_enabled\0" /* dict 1/53 */
    "\x02" "\x36" "\x03" "026\0" /* dict 1/54 */
    "\x02" "\x37" "\x21" "multi_scan_pjpeg_download_enabled\0" /* dict 1/55 */
    "\x02" "\x38" "\x12" "shops_product_grid\0" /* dict 1/56 */
    "\x02" "\x39" "\x0e" "transaction_id\0" /* dict 1/57 */
    "\x02" "\x3a" "\x14" "ctwa_context_enabled\0" /* dict 1/58 */
    "\x02" "\x3b" "\x02" "20\0" /* dict 1/59 */
    "\x02" "\x3c" "\x03" "fna\0" /* dict 1/60 */
    "\x02" "\x3d" "\x10" "hq_image_quality\0" /* dict 1/61 */
    "\x02" "\x3e" "\x1e" "alt_jpeg_doc_detection_quality\0" /* dict 1/62 */
    "\x02" "\x3f" "\x1b" "group_call_max_participants\0" /* dict 1/63 */
    "\x02" "\x40" "\x04" "pkey\0" /* dict 1/64 */
    "\x02" "\x41" "\x0d" "America/Belem\0" /* dict 1/65 */
    "\x02" "\x42" "\x10" "image_max_kbytes\0" /* dict 1/66 */
    "\x02" "\x43" "\x2b" "web_cart_v1_1_order_message_changes_enabled\0" /* dict 1/67 */
    "\x02" "\x44" "\x1f" "ctwa_context_enterprise_enabled\0" /* dict 1/68 */
    "\x02" "\x45" "\x19" "urn:xmpp:whatsapp:account\0" /* dict 1/69 */
    "\x02" "\x46" "\x03" "840\0" /* dict 1/70 */
    "\x02" "\x47" "\x11" "Asia/Kuala_Lumpur\0" /* dict 1/71 */
    "\x02" "\x48" "\x10" "max_participants\0" /* dict 1/72 */
    "\x02" "\x49" "\x20" "video_remux_after_repair_enabled\0" /* dict 1/73 */
    "\x02" "\x4a" "\x23" "stella_addressbook_restriction_type\0" /* dict 1/74 */
    "\x02" "\x4b" "\x03" "660\0" /* dict 1/75 */
    "\x02" "\x4c" "\x03" "900\0" /* dict 1/76 */
    "\x02" "\x4d" "\x03" "780\0" /* dict 1/77 */
    "\x02" "\x4e" "\x1a" "context_menu_ios13_enabled\0" /* dict 1/78 */
    "\x02" "\x4f" "\x0a" "mute-state\0" /* dict 1/79 */
    "\x02" "\x50" "\x03" "ref\0" /* dict 1/80 */
    "\x02" "\x51" "\x19" "payments_request_messages\0" /* dict 1/81 */
    "\x02" "\x52" "\x03" "029\0" /* dict 1/82 */
    "\x02" "\x53" "\x07" "frskmsg\0" /* dict 1/83 */
    "\x02" "\x54" "\x11" "vcard_max_size_kb\0" /* dict 1/84 */
    "\x02" "\x55" "\x20" "sample_buffer_gif_player_enabled\0" /* dict 1/85 */
    "\x02" "\x56" "\x0f" "match_last_seen\0" /* dict 1/86 */
    "\x02" "\x57" "\x03" "510\0" /* dict 1/87 */
    "\x02" "\x58" "\x04" "4983\0" /* dict 1/88 */
    "\x02" "\x59" "\x11" "video_max_bitrate\0" /* dict 1/89 */
    "\x02" "\x5a" "\x03" "028\0" /* dict 1/90 */
    "\x02" "\x5b" "\x0c" "w:comms:chat\0" /* dict 1/91 */
    "\x02" "\x5c" "\x02" "17\0" /* dict 1/92 */
    "\x02" "\x5d" "\x18" "frequently_forwarded_max\0" /* dict 1/93 */
    "\x02" "\x5e" "\x18" "groups_privacy_blacklist\0" /* dict 1/94 */
    "\x02" "\x5f" "\x0c" "Asia/Karachi\0" /* dict 1/95 */
    "\x02" "\x60" "\x03" "02a\0" /* dict 1/96 */
    "\x02" "\x61" "\x27" "web_download_document_thumb_mms_enabled\0" /* dict 1/97 */
    "\x02" "\x62" "\x03" "02b\0" /* dict 1/98 */
    "\x02" "\x63" "\x09" "hist_sync\0" /* dict 1/99 */
    "\x02" "\x64" "\x19" "biz_block_reasons_version\0" /* dict 1/100 */
    "\x02" "\x65" "\x04" "1024\0" /* dict 1/101 */
    "\x02" "\x66" "\x02" "18\0" /* dict 1/102 */
    "\x02" "\x67" "\x2c" "web_is_direct_connection_for_plm_transparent\0" /* dict 1/103 */
    "\x02" "\x68" "\x0f" "view_once_write\0" /* dict 1/104 */
    "\x02" "\x69" "\x0d" "file_max_size\0" /* dict 1/105 */
    "\x02" "\x6a" "\x0d" "paid_convo_id\0" /* dict 1/106 */
    "\x02" "\x6b" "\x16" "online_privacy_setting\0" /* dict 1/107 */
    "\x02" "\x6c" "\x0e" "video_max_edge\0" /* dict 1/108 */
    "\x02" "\x6d" "\x0e" "view_once_read\0" /* dict 1/109 */
    "\x02" "\x6e" "\x1b" "enhanced_storage_management\0" /* dict 1/110 */
    "\x02" "\x6f" "\x21" "multi_scan_pjpeg_encoding_enabled\0" /* dict 1/111 */
    "\x02" "\x70" "\x1c" "ctwa_context_forward_enabled\0" /* dict 1/112 */
    "\x02" "\x71" "\x20" "video_transcode_downgrade_enable\0" /* dict 1/113 */
    "\x02" "\x72" "\x17" "template_doc_mime_types\0" /* dict 1/114 */
    "\x02" "\x73" "\x15" "hq_image_bw_threshold\0" /* dict 1/115 */
    "\x02" "\x74" "\x02" "30\0" /* dict 1/116 */
    "\x02" "\x75" "\x04" "body\0" /* dict 1/117 */
    "\x02" "\x76" "\x1d" "u_aud_limit_sil_restarts_ctrl\0" /* dict 1/118 */
    "\x02" "\x77" "\x05" "other\0" /* dict 1/119 */
    "\x02" "\x78" "\x0d" "participating\0" /* dict 1/120 */
    "\x02" "\x79" "\x0f" "w:biz:directory\0" /* dict 1/121 */
    "\x02" "\x7a" "\x04" "1110\0" /* dict 1/122 */
    "\x02" "\x7b" "\x03" "vp8\0" /* dict 1/123 */
    "\x02" "\x7c" "\x04" "4018\0" /* dict 1/124 */
    "\x02" "\x7d" "\x04" "meta\0" /* dict 1/125 */
    "\x02" "\x7e" "\x1c" "doc_detection_image_max_edge\0" /* dict 1/126 */
    "\x02" "\x7f" "\x0d" "image_quality\0" /* dict 1/127 */
    "\x02" "\x80" "\x04" "1170\0" /* dict 1/128 */
    "\x02" "\x81" "\x03" "02c\0" /* dict 1/129 */
    "\x02" "\x82" "\x1e" "smb_upsell_chat_banner_enabled\0" /* dict 1/130 */
    "\x02" "\x83" "\x16" "key_expiry_time_second\0" /* dict 1/131 */
    "\x02" "\x84" "\x03" "pid\0" /* dict 1/132 */
    "\x02" "\x85" "\x16" "stella_interop_enabled\0" /* dict 1/133 */
    "\x02" "\x86" "\x02" "19\0" /* dict 1/134 */
    "\x02" "\x87" "\x17" "linked_device_max_count\0" /* dict 1/135 */
    "\x02" "\x88" "\x16" "md_device_sync_enabled\0" /* dict 1/136 */
    "\x02" "\x89" "\x03" "02d\0" /* dict 1/137 */
    "\x02" "\x8a" "\x03" "02e\0" /* dict 1/138 */
    "\x02" "\x8b" "\x03" "360\0" /* dict 1/139 */
    "\x02" "\x8c" "\x16" "enhanced_block_enabled\0" /* dict 1/140 */
    "\x02" "\x8d" "\x1c" "ephemeral_icon_in_forwarding\0" /* dict 1/141 */
    "\x02" "\x8e" "\x11" "paid_convo_status\0" /* dict 1/142 */
    "\x02" "\x8f" "\x0c" "gif_provider\0" /* dict 1/143 */
    "\x02" "\x90" "\x0c" "project_name\0" /* dict 1/144 */
    "\x02" "\x91" "\x0c" "server-error\0" /* dict 1/145 */
    "\x02" "\x92" "\x20" "canonical_url_validation_enabled\0" /* dict 1/146 */
    "\x02" "\x93" "\x0d" "wallpapers_v2\0" /* dict 1/147 */
    "\x02" "\x94" "\x24" "syncd_clear_chat_delete_chat_enabled\0" /* dict 1/148 */
    "\x02" "\x95" "\x0b" "medianotify\0" /* dict 1/149 */
    "\x02" "\x96" "\x03" "02f\0" /* dict 1/150 */
    "\x02" "\x97" "\x1a" "shops_required_tos_version\0" /* dict 1/151 */
    "\x02" "\x98" "\x04" "vote\0" /* dict 1/152 */
    "\x02" "\x99" "\x17" "reset_skey_on_id_change\0" /* dict 1/153 */
    "\x02" "\x9a" "\x03" "030\0" /* dict 1/154 */
    "\x02" "\x9b" "\x0e" "image_max_edge\0" /* dict 1/155 */
    "\x02" "\x9c" "\x16" "multicast_limit_global\0" /* dict 1/156 */
    "\x02" "\x9d" "\x05" "ul_bw\0" /* dict 1/157 */
    "\x02" "\x9e" "\x02" "21\0" /* dict 1/158 */
    "\x02" "\x9f" "\x02" "25\0" /* dict 1/159 */
    "\x02" "\xa0" "\x04" "5000\0" /* dict 1/160 */
    "\x02" "\xa1" "\x04" "poll\0" /* dict 1/161 */
    "\x02" "\xa2" "\x03" "570\0" /* dict 1/162 */
    "\x02" "\xa3" "\x02" "22\0" /* dict 1/163 */
    "\x02" "\xa4" "\x03" "031\0" /* dict 1/164 */
    "\x02" "\xa5" "\x04" "1280\0" /* dict 1/165 */
    "\x02" "\xa6" "\x08" "WhatsApp\0" /* dict 1/166 */
    "\x02" "\xa7" "\x03" "032\0" /* dict 1/167 */
    "\x02" "\xa8" "\x13" "bloks_shops_enabled\0" /* dict 1/168 */
    "\x02" "\xa9" "\x02" "50\0" /* dict 1/169 */
    "\x02" "\xaa" "\x1d" "upload_host_switching_enabled\0" /* dict 1/170 */
    "\x02" "\xab" "\x20" "web_ctwa_context_compose_enabled\0" /* dict 1/171 */
    "\x02" "\xac" "\x1e" "ptt_forwarded_features_enabled\0" /* dict 1/172 */
    "\x02" "\xad" "\x09" "unblocked\0" /* dict 1/173 */
    "\x02" "\xae" "\x15" "partial_pjpeg_enabled\0" /* dict 1/174 */
    "\x02" "\xaf" "\x0c" "fbid:devices\0" /* dict 1/175 */
    "\x02" "\xb0" "\x06" "height\0" /* dict 1/176 */
    "\x02" "\xb1" "\x18" "ephemeral_group_query_ts\0" /* dict 1/177 */
    "\x02" "\xb2" "\x16" "group_join_permissions\0" /* dict 1/178 */
    "\x02" "\xb3" "\x05" "order\0" /* dict 1/179 */
    "\x02" "\xb4" "\x03" "033\0" /* dict 1/180 */
    "\x02" "\xb5" "\x17" "alt_jpeg_status_quality\0" /* dict 1/181 */
    "\x02" "\xb6" "\x07" "migrate\0" /* dict 1/182 */
    "\x02" "\xb7" "\x0c" "popular-bank\0" /* dict 1/183 */
    "\x02" "\xb8" "\x26" "win_uwp_deprecation_killswitch_enabled\0" /* dict 1/184 */
    "\x02" "\xb9" "\x25" "web_download_status_thumb_mms_enabled\0" /* dict 1/185 */
    "\x02" "\xba" "\x08" "blocking\0" /* dict 1/186 */
    "\x02" "\xbb" "\x08" "url_text\0" /* dict 1/187 */
    "\x02" "\xbc" "\x03" "035\0" /* dict 1/188 */
    "\x02" "\xbd" "\x1e" "web_forwarding_limit_to_groups\0" /* dict 1/189 */
    "\x02" "\xbe" "\x04" "1600\0" /* dict 1/190 */
    "\x02" "\xbf" "\x03" "val\0" /* dict 1/191 */
    "\x02" "\xc0" "\x04" "1000\0" /* dict 1/192 */
    "\x02" "\xc1" "\x16" "syncd_msg_date_enabled\0" /* dict 1/193 */
    "\x02" "\xc2" "\x0b" "bank-ref-id\0" /* dict 1/194 */
    "\x02" "\xc3" "\x0b" "max_subject\0" /* dict 1/195 */
    "\x02" "\xc4" "\x14" "payments_web_enabled\0" /* dict 1/196 */
    "\x02" "\xc5" "\x25" "web_upload_document_thumb_mms_enabled\0" /* dict 1/197 */
    "\x02" "\xc6" "\x04" "size\0" /* dict 1/198 */
    "\x02" "\xc7" "\x07" "request\0" /* dict 1/199 */
    "\x02" "\xc8" "\x09" "ephemeral\0" /* dict 1/200 */
    "\x02" "\xc9" "\x02" "24\0" /* dict 1/201 */
    "\x02" "\xca" "\x0b" "receipt_agg\0" /* dict 1/202 */
    "\x02" "\xcb" "\x1a" "ptt_remember_play_position\0" /* dict 1/203 */
    "\x02" "\xcc" "\x0f" "sampling_weight\0" /* dict 1/204 */
    "\x02" "\xcd" "\x09" "enc_rekey\0" /* dict 1/205 */
    "\x02" "\xce" "\x0b" "mute_always\0" /* dict 1/206 */
    "\x02" "\xcf" "\x03" "037\0" /* dict 1/207 */
    "\x02" "\xd0" "\x03" "034\0" /* dict 1/208 */
    "\x02" "\xd1" "\x02" "23\0" /* dict 1/209 */
    "\x02" "\xd2" "\x03" "036\0" /* dict 1/210 */
    "\x02" "\xd3" "\x06" "action\0" /* dict 1/211 */
    "\x02" "\xd4" "\x18" "click_to_chat_qr_enabled\0" /* dict 1/212 */
    "\x02" "\xd5" "\x05" "width\0" /* dict 1/213 */
    "\x02" "\xd6" "\x08" "disabled\0" /* dict 1/214 */
    "\x02" "\xd7" "\x03" "038\0" /* dict 1/215 */
    "\x02" "\xd8" "\x0f" "md_blocklist_v2\0" /* dict 1/216 */
    "\x02" "\xd9" "\x13" "played_self_enabled\0" /* dict 1/217 */
    "\x02" "\xda" "\x1b" "web_buttons_message_enabled\0" /* dict 1/218 */
    "\x02" "\xdb" "\x07" "flow_id\0" /* dict 1/219 */
    "\x02" "\xdc" "\x05" "clear\0" /* dict 1/220 */
    "\x02" "\xdd" "\x03" "450\0" /* dict 1/221 */
    "\x02" "\xde" "\x0b" "fbid:thread\0" /* dict 1/222 */
    "\x02" "\xdf" "\x13" "bloks_session_state\0" /* dict 1/223 */
    "\x02" "\xe0" "\x0c" "America/Lima\0" /* dict 1/224 */
    "\x02" "\xe1" "\x19" "attachment_picker_refresh\0" /* dict 1/225 */
    "\x02" "\xe2" "\x1f" "download_host_switching_enabled\0" /* dict 1/226 */
    "\x02" "\xe3" "\x04" "1792\0" /* dict 1/227 */
    "\x02" "\xe4" "\x1e" "u_aud_limit_sil_restarts_test2\0" /* dict 1/228 */
    "\x02" "\xe5" "\x0b" "custom_urls\0" /* dict 1/229 */
    "\x02" "\xe6" "\x0d" "device_fanout\0" /* dict 1/230 */
    "\x02" "\xe7" "\x11" "optimistic_upload\0" /* dict 1/231 */
    "\x02" "\xe8" "\x04" "2000\0" /* dict 1/232 */
    "\x02" "\xe9" "\x10" "key_cipher_suite\0" /* dict 1/233 */
    "\x02" "\xea" "\x25" "web_smb_upsell_in_biz_profile_enabled\0" /* dict 1/234 */
    "\x02" "\xeb" "\x01" "e\0" /* dict 1/235 */
    "\x02" "\xec" "\x03" "039\0" /* dict 1/236 */
    "\x02" "\xed" "\x19" "siri_post_status_shortcut\0" /* dict 1/237 */
    "\x02" "\xee" "\x0b" "pair-device\0" /* dict 1/238 */
    "\x02" "\xef" "\x02" "lg\0" /* dict 1/239 */
    "\x02" "\xf0" "\x02" "lc\0" /* dict 1/240 */
    "\x02" "\xf1" "\x16" "stream_attribution_url\0" /* dict 1/241 */
    "\x02" "\xf2" "\x05" "model\0" /* dict 1/242 */
    "\x02" "\xf3" "\x11" "mspjpeg_phash_gen\0" /* dict 1/243 */
    "\x02" "\xf4" "\x10" "catalog_send_all\0" /* dict 1/244 */
    "\x02" "\xf5" "\x13" "new_multi_vcards_ui\0" /* dict 1/245 */
    "\x02" "\xf6" "\x17" "share_biz_vcard_enabled\0" /* dict 1/246 */
    "\x02" "\xf7" "\x01" "-\0" /* dict 1/247 */
    "\x02" "\xf8" "\x05" "clean\0" /* dict 1/248 */
    "\x02" "\xf9" "\x03" "200\0" /* dict 1/249 */
    "\x02" "\xfa" "\x16" "md_blocklist_v2_server\0" /* dict 1/250 */
    "\x02" "\xfb" "\x03" "03b\0" /* dict 1/251 */
    "\x02" "\xfc" "\x03" "03a\0" /* dict 1/252 */
    "\x02" "\xfd" "\x1b" "web_md_migration_experience\0" /* dict 1/253 */
    "\x02" "\xfe" "\x19" "ptt_conversation_waveform\0" /* dict 1/254 */
    "\x02" "\xff" "\x1e" "u_aud_limit_sil_restarts_test1\0" /* dict 1/255 */
    "\x03" "\x00" "\x02" "64\0" /* dict 2/0 */
    "\x03" "\x01" "\x1a" "ptt_playback_speed_enabled\0" /* dict 2/1 */
    "\x03" "\x02" "\x20" "web_product_list_message_enabled\0" /* dict 2/2 */
    "\x03" "\x03" "\x0d" "paid_convo_ts\0" /* dict 2/3 */
    "\x03" "\x04" "\x02" "27\0" /* dict 2/4 */
    "\x03" "\x05" "\x0c" "manufacturer\0" /* dict 2/5 */
    "\x03" "\x06" "\x0b" "psp-routing\0" /* dict 2/6 */
    "\x03" "\x07" "\x0f" "grp_uii_cleanup\0" /* dict 2/7 */
    "\x03" "\x08" "\x11" "ptt_draft_enabled\0" /* dict 2/8 */
    "\x03" "\x09" "\x03" "03c\0" /* dict 2/9 */
    "\x03" "\x0a" "\x12" "business_initiated\0" /* dict 2/10 */
    "\x03" "\x0b" "\x1a" "web_catalog_products_onoff\0" /* dict 2/11 */
    "\x03" "\x0c" "\x21" "web_upload_link_thumb_mms_enabled\0" /* dict 2/12 */
    "\x03" "\x0d" "\x03" "03e\0" /* dict 2/13 */
    "\x03" "\x0e" "\x0a" "mediaretry\0" /* dict 2/14 */
    "\x03" "\x0f" "\x02" "35\0" /* dict 2/15 */
    "\x03" "\x10" "\x12" "hfm_string_changes\0" /* dict 2/16 */
    "\x03" "\x11" "\x02" "28\0" /* dict 2/17 */
    "\x03" "\x12" "\x11" "America/Fortaleza\0" /* dict 2/18 */
    "\x03" "\x13" "\x08" "max_keys\0" /* dict 2/19 */
    "\x03" "\x14" "\x0c" "md_mhfs_days\0" /* dict 2/20 */
    "\x03" "\x15" "\x1b" "streaming_upload_chunk_size\0" /* dict 2/21 */
    "\x03" "\x16" "\x04" "5541\0" /* dict 2/22 */
    "\x03" "\x17" "\x03" "040\0" /* dict 2/23 */
    "\x03" "\x18" "\x03" "03d\0" /* dict 2/24 */
    "\x03" "\x19" "\x04" "2675\0" /* dict 2/25 */
    "\x03" "\x1a" "\x03" "03f\0" /* dict 2/26 */
    "\x03" "\x1b" "\x03" "...\0" /* dict 2/27 */
    "\x03" "\x1c" "\x03" "512\0" /* dict 2/28 */
    "\x03" "\x1d" "\x04" "mute\0" /* dict 2/29 */
    "\x03" "\x1e" "\x02" "48\0" /* dict 2/30 */
    "\x03" "\x1f" "\x03" "041\0" /* dict 2/31 */
    "\x03" "\x20" "\x10" "alt_jpeg_quality\0" /* dict 2/32 */
    "\x03" "\x21" "\x02" "60\0" /* dict 2/33 */
    "\x03" "\x22" "\x03" "042\0" /* dict 2/34 */
    "\x03" "\x23" "\x12" "md_smb_quick_reply\0" /* dict 2/35 */
    "\x03" "\x24" "\x04" "5183\0" /* dict 2/36 */
    "\x03" "\x25" "\x01" "c\0" /* dict 2/37 */
    "\x03" "\x26" "\x04" "1343\0" /* dict 2/38 */
    "\x03" "\x27" "\x02" "40\0" /* dict 2/39 */
    "\x03" "\x28" "\x04" "1230\0" /* dict 2/40 */
    "\x03" "\x29" "\x03" "043\0" /* dict 2/41 */
    "\x03" "\x2a" "\x03" "044\0" /* dict 2/42 */
    "\x03" "\x2b" "\x27" "mms_cat_v1_forward_hot_override_enabled\0" /* dict 2/43 */
    "\x03" "\x2c" "\x0b" "user_notice\0" /* dict 2/44 */
    "\x03" "\x2d" "\x11" "ptt_waveform_send\0" /* dict 2/45 */
    "\x03" "\x2e" "\x03" "047\0" /* dict 2/46 */
    "\x03" "\x2f" "\x0d" "Asia/Calcutta\0" /* dict 2/47 */
    "\x03" "\x30" "\x03" "250\0" /* dict 2/48 */
    "\x03" "\x31" "\x0d" "md_privacy_v2\0" /* dict 2/49 */
    "\x03" "\x32" "\x02" "31\0" /* dict 2/50 */
    "\x03" "\x33" "\x02" "29\0" /* dict 2/51 */
    "\x03" "\x34" "\x03" "128\0" /* dict 2/52 */
    "\x03" "\x35" "\x14" "md_messaging_enabled\0" /* dict 2/53 */
    "\x03" "\x36" "\x03" "046\0" /* dict 2/54 */
    "\x03" "\x37" "\x06" "crypto\0" /* dict 2/55 */
    "\x03" "\x38" "\x03" "690\0" /* dict 2/56 */
    "\x03" "\x39" "\x03" "045\0" /* dict 2/57 */
    "\x03" "\x3a" "\x06" "enc_iv\0" /* dict 2/58 */
    "\x03" "\x3b" "\x02" "75\0" /* dict 2/59 */
    "\x03" "\x3c" "\x07" "failure\0" /* dict 2/60 */
    "\x03" "\x3d" "\x10" "ptt_oot_playback\0" /* dict 2/61 */
    "\x03" "\x3e" "\x27" "AIzaSyDR5yfaG7OG8sMTUj8kfQEb8T9pN8BM6Lk\0" /* dict 2/62 */
    "\x03" "\x3f" "\x01" "w\0" /* dict 2/63 */
    "\x03" "\x40" "\x03" "048\0" /* dict 2/64 */
    "\x03" "\x41" "\x04" "2201\0" /* dict 2/65 */
    "\x03" "\x42" "\x12" "web_large_files_ui\0" /* dict 2/66 */
    "\x03" "\x43" "\x0d" "Asia/Makassar\0" /* dict 2/67 */
    "\x03" "\x44" "\x03" "812\0" /* dict 2/68 */
    "\x03" "\x45" "\x15" "status_collapse_muted\0" /* dict 2/69 */
    "\x03" "\x46" "\x04" "1334\0" /* dict 2/70 */
    "\x03" "\x47" "\x03" "257\0" /* dict 2/71 */
    "\x03" "\x48" "\x06" "2HP4dm\0" /* dict 2/72 */
    "\x03" "\x49" "\x03" "049\0" /* dict 2/73 */
    "\x03" "\x4a" "\x07" "patches\0" /* dict 2/74 */
    "\x03" "\x4b" "\x04" "1290\0" /* dict 2/75 */
    "\x03" "\x4c" "\x06" "43cY6T\0" /* dict 2/76 */
    "\x03" "\x4d" "\x0f" "America/Caracas\0" /* dict 2/77 */
    "\x03" "\x4e" "\x11" "web_sticker_maker\0" /* dict 2/78 */
    "\x03" "\x4f" "\x08" "campaign\0" /* dict 2/79 */
    "\x03" "\x50" "\x14" "ptt_pausable_enabled\0" /* dict 2/80 */
    "\x03" "\x51" "\x02" "33\0" /* dict 2/81 */
    "\x03" "\x52" "\x02" "42\0" /* dict 2/82 */
    "\x03" "\x53" "\x0b" "attestation\0" /* dict 2/83 */
    "\x03" "\x54" "\x03" "biz\0" /* dict 2/84 */
    "\x03" "\x55" "\x03" "04b\0" /* dict 2/85 */
    "\x03" "\x56" "\x0c" "query_linked\0" /* dict 2/86 */
    "\x03" "\x57" "\x01" "s\0" /* dict 2/87 */
    "\x03" "\x58" "\x03" "125\0" /* dict 2/88 */
    "\x03" "\x59" "\x03" "04a\0" /* dict 2/89 */
    "\x03" "\x5a" "\x03" "810\0" /* dict 2/90 */
    "\x03" "\x5b" "\x0c" "availability\0" /* dict 2/91 */
    "\x03" "\x5c" "\x04" "1411\0" /* dict 2/92 */
    "\x03" "\x5d" "\x14" "responsiveness_v2_m1\0" /* dict 2/93 */
    "\x03" "\x5e" "\x13" "catalog_not_created\0" /* dict 2/94 */
    "\x03" "\x5f" "\x02" "34\0" /* dict 2/95 */
    "\x03" "\x60" "\x10" "America/Santiago\0" /* dict 2/96 */
    "\x03" "\x61" "\x04" "1465\0" /* dict 2/97 */
    "\x03" "\x62" "\x05" "enc_p\0" /* dict 2/98 */
    "\x03" "\x63" "\x03" "04d\0" /* dict 2/99 */
    "\x03" "\x64" "\x0b" "status_info\0" /* dict 2/100 */
    "\x03" "\x65" "\x03" "04f\0" /* dict 2/101 */
    "\x03" "\x66" "\x0b" "key_version\0" /* dict 2/102 */
    "\x03" "\x67" "\x02" "..\0" /* dict 2/103 */
    "\x03" "\x68" "\x03" "04c\0" /* dict 2/104 */
    "\x03" "\x69" "\x03" "04e\0" /* dict 2/105 */
    "\x03" "\x6a" "\x15" "md_group_notification\0" /* dict 2/106 */
    "\x03" "\x6b" "\x04" "1598\0" /* dict 2/107 */
    "\x03" "\x6c" "\x04" "1215\0" /* dict 2/108 */
    "\x03" "\x6d" "\x10" "web_cart_enabled\0" /* dict 2/109 */
    "\x03" "\x6e" "\x02" "37\0" /* dict 2/110 */
    "\x03" "\x6f" "\x03" "630\0" /* dict 2/111 */
    "\x03" "\x70" "\x04" "1920\0" /* dict 2/112 */
    "\x03" "\x71" "\x04" "2394\0" /* dict 2/113 */
    "\x03" "\x72" "\x02" "-1\0" /* dict 2/114 */
    "\x03" "\x73" "\x05" "vcard\0" /* dict 2/115 */
    "\x03" "\x74" "\x02" "38\0" /* dict 2/116 */
    "\x03" "\x75" "\x07" "elapsed\0" /* dict 2/117 */
    "\x03" "\x76" "\x02" "36\0" /* dict 2/118 */
    "\x03" "\x77" "\x03" "828\0" /* dict 2/119 */
    "\x03" "\x78" "\x04" "peer\0" /* dict 2/120 */
    "\x03" "\x79" "\x10" "pricing_category\0" /* dict 2/121 */
    "\x03" "\x7a" "\x04" "1245\0" /* dict 2/122 */
    "\x03" "\x7b" "\x07" "invalid\0" /* dict 2/123 */
    "\x03" "\x7c" "\x12" "stella_ios_enabled\0" /* dict 2/124 */
    "\x03" "\x7d" "\x04" "2687\0" /* dict 2/125 */
    "\x03" "\x7e" "\x02" "45\0" /* dict 2/126 */
    "\x03" "\x7f" "\x04" "1528\0" /* dict 2/127 */
    "\x03" "\x80" "\x02" "39\0" /* dict 2/128 */
    "\x03" "\x81" "\x1b" "u_is_redial_audio_1104_ctrl\0" /* dict 2/129 */
    "\x03" "\x82" "\x04" "1025\0" /* dict 2/130 */
    "\x03" "\x83" "\x04" "1455\0" /* dict 2/131 */
    "\x03" "\x84" "\x02" "58\0" /* dict 2/132 */
    "\x03" "\x85" "\x04" "2524\0" /* dict 2/133 */
    "\x03" "\x86" "\x04" "2603\0" /* dict 2/134 */
    "\x03" "\x87" "\x03" "054\0" /* dict 2/135 */
    "\x03" "\x88" "\x1a" "bsp_system_message_enabled\0" /* dict 2/136 */
    "\x03" "\x89" "\x10" "web_pip_redesign\0" /* dict 2/137 */
    "\x03" "\x8a" "\x03" "051\0" /* dict 2/138 */
    "\x03" "\x8b" "\x0b" "verify_apps\0" /* dict 2/139 */
    "\x03" "\x8c" "\x04" "1974\0" /* dict 2/140 */
    "\x03" "\x8d" "\x04" "1272\0" /* dict 2/141 */
    "\x03" "\x8e" "\x04" "1322\0" /* dict 2/142 */
    "\x03" "\x8f" "\x04" "1755\0" /* dict 2/143 */
    "\x03" "\x90" "\x03" "052\0" /* dict 2/144 */
    "\x03" "\x91" "\x02" "70\0" /* dict 2/145 */
    "\x03" "\x92" "\x03" "050\0" /* dict 2/146 */
    "\x03" "\x93" "\x04" "1063\0" /* dict 2/147 */
    "\x03" "\x94" "\x04" "1135\0" /* dict 2/148 */
    "\x03" "\x95" "\x04" "1361\0" /* dict 2/149 */
    "\x03" "\x96" "\x02" "80\0" /* dict 2/150 */
    "\x03" "\x97" "\x04" "1096\0" /* dict 2/151 */
    "\x03" "\x98" "\x04" "1828\0" /* dict 2/152 */
    "\x03" "\x99" "\x04" "1851\0" /* dict 2/153 */
    "\x03" "\x9a" "\x04" "1251\0" /* dict 2/154 */
    "\x03" "\x9b" "\x04" "1921\0" /* dict 2/155 */
    "\x03" "\x9c" "\x0d" "key_config_id\0" /* dict 2/156 */
    "\x03" "\x9d" "\x04" "1254\0" /* dict 2/157 */
    "\x03" "\x9e" "\x04" "1566\0" /* dict 2/158 */
    "\x03" "\x9f" "\x04" "1252\0" /* dict 2/159 */
    "\x03" "\xa0" "\x04" "2525\0" /* dict 2/160 */
    "\x03" "\xa1" "\x0e" "critical_block\0" /* dict 2/161 */
    "\x03" "\xa2" "\x04" "1669\0" /* dict 2/162 */
    "\x03" "\xa3" "\x0d" "max_available\0" /* dict 2/163 */
    "\x03" "\xa4" "\x13" "w:auth:backup:token\0" /* dict 2/164 */
    "\x03" "\xa5" "\x07" "product\0" /* dict 2/165 */
    "\x03" "\xa6" "\x04" "2530\0" /* dict 2/166 */
    "\x03" "\xa7" "\x03" "870\0" /* dict 2/167 */
    "\x03" "\xa8" "\x04" "1022\0" /* dict 2/168 */
    "\x03" "\xa9" "\x10" "participant_uuid\0" /* dict 2/169 */
    "\x03" "\xaa" "\x0f" "web_cart_on_off\0" /* dict 2/170 */
    "\x03" "\xab" "\x04" "1255\0" /* dict 2/171 */
    "\x03" "\xac" "\x04" "1432\0" /* dict 2/172 */
    "\x03" "\xad" "\x04" "1867\0" /* dict 2/173 */
    "\x03" "\xae" "\x02" "41\0" /* dict 2/174 */
    "\x03" "\xaf" "\x04" "1415\0" /* dict 2/175 */
    "\x03" "\xb0" "\x04" "1440\0" /* dict 2/176 */
    "\x03" "\xb1" "\x03" "240\0" /* dict 2/177 */
    "\x03" "\xb2" "\x04" "1204\0" /* dict 2/178 */
    "\x03" "\xb3" "\x04" "1608\0" /* dict 2/179 */
    "\x03" "\xb4" "\x04" "1690\0" /* dict 2/180 */
    "\x03" "\xb5" "\x04" "1846\0" /* dict 2/181 */
    "\x03" "\xb6" "\x04" "1483\0" /* dict 2/182 */
    "\x03" "\xb7" "\x04" "1687\0" /* dict 2/183 */
    "\x03" "\xb8" "\x04" "1749\0" /* dict 2/184 */
    "\x03" "\xb9" "\x02" "69\0" /* dict 2/185 */
    "\x03" "\xba" "\x0a" "url_number\0" /* dict 2/186 */
    "\x03" "\xbb" "\x03" "053\0" /* dict 2/187 */
    "\x03" "\xbc" "\x04" "1325\0" /* dict 2/188 */
    "\x03" "\xbd" "\x04" "1040\0" /* dict 2/189 */
    "\x03" "\xbe" "\x03" "365\0" /* dict 2/190 */
    "\x03" "\xbf" "\x02" "59\0" /* dict 2/191 */
    "\x03" "\xc0" "\x0b" "Asia/Riyadh\0" /* dict 2/192 */
    "\x03" "\xc1" "\x04" "1177\0" /* dict 2/193 */
    "\x03" "\xc2" "\x10" "test_recommended\0" /* dict 2/194 */
    "\x03" "\xc3" "\x03" "057\0" /* dict 2/195 */
    "\x03" "\xc4" "\x04" "1612\0" /* dict 2/196 */
    "\x03" "\xc5" "\x02" "43\0" /* dict 2/197 */
    "\x03" "\xc6" "\x04" "1061\0" /* dict 2/198 */
    "\x03" "\xc7" "\x04" "1518\0" /* dict 2/199 */
    "\x03" "\xc8" "\x04" "1635\0" /* dict 2/200 */
    "\x03" "\xc9" "\x03" "055\0" /* dict 2/201 */
    "\x03" "\xca" "\x04" "1034\0" /* dict 2/202 */
    "\x03" "\xcb" "\x04" "1375\0" /* dict 2/203 */
    "\x03" "\xcc" "\x03" "750\0" /* dict 2/204 */
    "\x03" "\xcd" "\x04" "1430\0" /* dict 2/205 */
    "\x03" "\xce" "\x0a" "event_code\0" /* dict 2/206 */
    "\x03" "\xcf" "\x04" "1682\0" /* dict 2/207 */
    "\x03" "\xd0" "\x03" "503\0" /* dict 2/208 */
    "\x03" "\xd1" "\x02" "55\0" /* dict 2/209 */
    "\x03" "\xd2" "\x03" "865\0" /* dict 2/210 */
    "\x03" "\xd3" "\x02" "78\0" /* dict 2/211 */
    "\x03" "\xd4" "\x04" "1309\0" /* dict 2/212 */
    "\x03" "\xd5" "\x04" "1365\0" /* dict 2/213 */
    "\x03" "\xd6" "\x02" "44\0" /* dict 2/214 */
    "\x03" "\xd7" "\x11" "America/Guayaquil\0" /* dict 2/215 */
    "\x03" "\xd8" "\x03" "535\0" /* dict 2/216 */
    "\x03" "\xd9" "\x07" "LIMITED\0" /* dict 2/217 */
    "\x03" "\xda" "\x04" "1377\0" /* dict 2/218 */
    "\x03" "\xdb" "\x04" "1613\0" /* dict 2/219 */
    "\x03" "\xdc" "\x04" "1420\0" /* dict 2/220 */
    "\x03" "\xdd" "\x04" "1599\0" /* dict 2/221 */
    "\x03" "\xde" "\x04" "1822\0" /* dict 2/222 */
    "\x03" "\xdf" "\x03" "05a\0" /* dict 2/223 */
    "\x03" "\xe0" "\x04" "1681\0" /* dict 2/224 */
    "\x03" "\xe1" "\x08" "password\0" /* dict 2/225 */
    "\x03" "\xe2" "\x04" "1111\0" /* dict 2/226 */
    "\x03" "\xe3" "\x04" "1214\0" /* dict 2/227 */
    "\x03" "\xe4" "\x04" "1376\0" /* dict 2/228 */
    "\x03" "\xe5" "\x04" "1478\0" /* dict 2/229 */
    "\x03" "\xe6" "\x02" "47\0" /* dict 2/230 */
    "\x03" "\xe7" "\x04" "1082\0" /* dict 2/231 */
    "\x03" "\xe8" "\x04" "4282\0" /* dict 2/232 */
    "\x03" "\xe9" "\x0f" "Europe/Istanbul\0" /* dict 2/233 */
    "\x03" "\xea" "\x04" "1307\0" /* dict 2/234 */
    "\x03" "\xeb" "\x02" "46\0" /* dict 2/235 */
    "\x03" "\xec" "\x03" "058\0" /* dict 2/236 */
    "\x03" "\xed" "\x04" "1124\0" /* dict 2/237 */
    "\x03" "\xee" "\x03" "256\0" /* dict 2/238 */
    "\x03" "\xef" "\x0e" "rate-overlimit\0" /* dict 2/239 */
    "\x03" "\xf0" "\x06" "retail\0" /* dict 2/240 */
    "\x03" "\xf1" "\x1c" "u_a_socket_err_fix_succ_test\0" /* dict 2/241 */
    "\x03" "\xf2" "\x04" "1292\0" /* dict 2/242 */
    "\x03" "\xf3" "\x04" "1370\0" /* dict 2/243 */
    "\x03" "\xf4" "\x04" "1388\0" /* dict 2/244 */
    "\x03" "\xf5" "\x03" "520\0" /* dict 2/245 */
    "\x03" "\xf6" "\x03" "861\0" /* dict 2/246 */
    "\x03" "\xf7" "\x03" "psa\0" /* dict 2/247 */
    "\x03" "\xf8" "\x07" "regular\0" /* dict 2/248 */
    "\x03" "\xf9" "\x04" "1181\0" /* dict 2/249 */
    "\x03" "\xfa" "\x04" "1766\0" /* dict 2/250 */
    "\x03" "\xfb" "\x03" "05b\0" /* dict 2/251 */
    "\x03" "\xfc" "\x04" "1183\0" /* dict 2/252 */
    "\x03" "\xfd" "\x04" "1213\0" /* dict 2/253 */
    "\x03" "\xfe" "\x04" "1304\0" /* dict 2/254 */
    "\x03" "\xff" "\x04" "1537\0" /* dict 2/255 */
    "\x04" "\x00" "\x04" "1724\0" /* dict 3/0 */
    "\x04" "\x01" "\x0f" "profile_picture\0" /* dict 3/1 */
    "\x04" "\x02" "\x04" "1071\0" /* dict 3/2 */
    "\x04" "\x03" "\x04" "1314\0" /* dict 3/3 */
    "\x04" "\x04" "\x04" "1605\0" /* dict 3/4 */
    "\x04" "\x05" "\x03" "407\0" /* dict 3/5 */
    "\x04" "\x06" "\x03" "990\0" /* dict 3/6 */
    "\x04" "\x07" "\x04" "1710\0" /* dict 3/7 */
    "\x04" "\x08" "\x03" "746\0" /* dict 3/8 */
    "\x04" "\x09" "\x0d" "pricing_model\0" /* dict 3/9 */
    "\x04" "\x0a" "\x03" "056\0" /* dict 3/10 */
    "\x04" "\x0b" "\x03" "059\0" /* dict 3/11 */
    "\x04" "\x0c" "\x03" "061\0" /* dict 3/12 */
    "\x04" "\x0d" "\x04" "1119\0" /* dict 3/13 */
    "\x04" "\x0e" "\x04" "6027\0" /* dict 3/14 */
    "\x04" "\x0f" "\x02" "65\0" /* dict 3/15 */
    "\x04" "\x10" "\x03" "877\0" /* dict 3/16 */
    "\x04" "\x11" "\x04" "1607\0" /* dict 3/17 */
    "\x04" "\x12" "\x03" "05d\0" /* dict 3/18 */
    "\x04" "\x13" "\x03" "917\0" /* dict 3/19 */
    "\x04" "\x14" "\x04" "seen\0" /* dict 3/20 */
    "\x04" "\x15" "\x04" "1516\0" /* dict 3/21 */
    "\x04" "\x16" "\x02" "49\0" /* dict 3/22 */
    "\x04" "\x17" "\x03" "470\0" /* dict 3/23 */
    "\x04" "\x18" "\x03" "973\0" /* dict 3/24 */
    "\x04" "\x19" "\x04" "1037\0" /* dict 3/25 */
    "\x04" "\x1a" "\x04" "1350\0" /* dict 3/26 */
    "\x04" "\x1b" "\x04" "1394\0" /* dict 3/27 */
    "\x04" "\x1c" "\x04" "1480\0" /* dict 3/28 */
    "\x04" "\x1d" "\x04" "1796\0" /* dict 3/29 */
    "\x04" "\x1e" "\x04" "keys\0" /* dict 3/30 */
    "\x04" "\x1f" "\x03" "794\0" /* dict 3/31 */
    "\x04" "\x20" "\x04" "1536\0" /* dict 3/32 */
    "\x04" "\x21" "\x04" "1594\0" /* dict 3/33 */
    "\x04" "\x22" "\x04" "2378\0" /* dict 3/34 */
    "\x04" "\x23" "\x04" "1333\0" /* dict 3/35 */
    "\x04" "\x24" "\x04" "1524\0" /* dict 3/36 */
    "\x04" "\x25" "\x04" "1825\0" /* dict 3/37 */
    "\x04" "\x26" "\x03" "116\0" /* dict 3/38 */
    "\x04" "\x27" "\x03" "309\0" /* dict 3/39 */
    "\x04" "\x28" "\x02" "52\0" /* dict 3/40 */
    "\x04" "\x29" "\x03" "808\0" /* dict 3/41 */
    "\x04" "\x2a" "\x03" "827\0" /* dict 3/42 */
    "\x04" "\x2b" "\x03" "909\0" /* dict 3/43 */
    "\x04" "\x2c" "\x03" "495\0" /* dict 3/44 */
    "\x04" "\x2d" "\x04" "1660\0" /* dict 3/45 */
    "\x04" "\x2e" "\x03" "361\0" /* dict 3/46 */
    "\x04" "\x2f" "\x03" "957\0" /* dict 3/47 */
    "\x04" "\x30" "\x06" "google\0" /* dict 3/48 */
    "\x04" "\x31" "\x04" "1357\0" /* dict 3/49 */
    "\x04" "\x32" "\x04" "1565\0" /* dict 3/50 */
    "\x04" "\x33" "\x04" "1967\0" /* dict 3/51 */
    "\x04" "\x34" "\x03" "996\0" /* dict 3/52 */
    "\x04" "\x35" "\x04" "1775\0" /* dict 3/53 */
    "\x04" "\x36" "\x03" "586\0" /* dict 3/54 */
    "\x04" "\x37" "\x03" "736\0" /* dict 3/55 */
    "\x04" "\x38" "\x04" "1052\0" /* dict 3/56 */
    "\x04" "\x39" "\x04" "1670\0" /* dict 3/57 */
    "\x04" "\x3a" "\x04" "bank\0" /* dict 3/58 */
    "\x04" "\x3b" "\x03" "177\0" /* dict 3/59 */
    "\x04" "\x3c" "\x04" "1416\0" /* dict 3/60 */
    "\x04" "\x3d" "\x04" "2194\0" /* dict 3/61 */
    "\x04" "\x3e" "\x04" "2222\0" /* dict 3/62 */
    "\x04" "\x3f" "\x04" "1454\0" /* dict 3/63 */
    "\x04" "\x40" "\x04" "1839\0" /* dict 3/64 */
    "\x04" "\x41" "\x04" "1275\0" /* dict 3/65 */
    "\x04" "\x42" "\x02" "53\0" /* dict 3/66 */
    "\x04" "\x43" "\x03" "997\0" /* dict 3/67 */
    "\x04" "\x44" "\x04" "1629\0" /* dict 3/68 */
    "\x04" "\x45" "\x04" "6028\0" /* dict 3/69 */
    "\x04" "\x46" "\x04" "smba\0" /* dict 3/70 */
    "\x04" "\x47" "\x04" "1378\0" /* dict 3/71 */
    "\x04" "\x48" "\x04" "1410\0" /* dict 3/72 */
    "\x04" "\x49" "\x03" "05c\0" /* dict 3/73 */
    "\x04" "\x4a" "\x04" "1849\0" /* dict 3/74 */
    "\x04" "\x4b" "\x03" "727\0" /* dict 3/75 */
    "\x04" "\x4c" "\x06" "create\0" /* dict 3/76 */
    "\x04" "\x4d" "\x04" "1559\0" /* dict 3/77 */
    "\x04" "\x4e" "\x03" "536\0" /* dict 3/78 */
    "\x04" "\x4f" "\x04" "1106\0" /* dict 3/79 */
    "\x04" "\x50" "\x04" "1310\0" /* dict 3/80 */
    "\x04" "\x51" "\x04" "1944\0" /* dict 3/81 */
    "\x04" "\x52" "\x03" "670\0" /* dict 3/82 */
    "\x04" "\x53" "\x04" "1297\0" /* dict 3/83 */
    "\x04" "\x54" "\x04" "1316\0" /* dict 3/84 */
    "\x04" "\x55" "\x04" "1762\0" /* dict 3/85 */
    "\x04" "\x56" "\x02" "en\0" /* dict 3/86 */
    "\x04" "\x57" "\x04" "1148\0" /* dict 3/87 */
    "\x04" "\x58" "\x04" "1295\0" /* dict 3/88 */
    "\x04" "\x59" "\x04" "1551\0" /* dict 3/89 */
    "\x04" "\x5a" "\x04" "1853\0" /* dict 3/90 */
    "\x04" "\x5b" "\x04" "1890\0" /* dict 3/91 */
    "\x04" "\x5c" "\x04" "1208\0" /* dict 3/92 */
    "\x04" "\x5d" "\x04" "1784\0" /* dict 3/93 */
    "\x04" "\x5e" "\x04" "7200\0" /* dict 3/94 */
    "\x04" "\x5f" "\x03" "05f\0" /* dict 3/95 */
    "\x04" "\x60" "\x03" "178\0" /* dict 3/96 */
    "\x04" "\x61" "\x04" "1283\0" /* dict 3/97 */
    "\x04" "\x62" "\x04" "1332\0" /* dict 3/98 */
    "\x04" "\x63" "\x03" "381\0" /* dict 3/99 */
    "\x04" "\x64" "\x03" "643\0" /* dict 3/100 */
    "\x04" "\x65" "\x04" "1056\0" /* dict 3/101 */
    "\x04" "\x66" "\x04" "1238\0" /* dict 3/102 */
    "\x04" "\x67" "\x04" "2024\0" /* dict 3/103 */
    "\x04" "\x68" "\x04" "2387\0" /* dict 3/104 */
    "\x04" "\x69" "\x03" "179\0" /* dict 3/105 */
    "\x04" "\x6a" "\x03" "981\0" /* dict 3/106 */
    "\x04" "\x6b" "\x04" "1547\0" /* dict 3/107 */
    "\x04" "\x6c" "\x04" "1705\0" /* dict 3/108 */
    "\x04" "\x6d" "\x03" "05e\0" /* dict 3/109 */
    "\x04" "\x6e" "\x03" "290\0" /* dict 3/110 */
    "\x04" "\x6f" "\x03" "903\0" /* dict 3/111 */
    "\x04" "\x70" "\x04" "1069\0" /* dict 3/112 */
    "\x04" "\x71" "\x04" "1285\0" /* dict 3/113 */
    "\x04" "\x72" "\x04" "2436\0" /* dict 3/114 */
    "\x04" "\x73" "\x03" "062\0" /* dict 3/115 */
    "\x04" "\x74" "\x03" "251\0" /* dict 3/116 */
    "\x04" "\x75" "\x03" "560\0" /* dict 3/117 */
    "\x04" "\x76" "\x03" "582\0" /* dict 3/118 */
    "\x04" "\x77" "\x03" "719\0" /* dict 3/119 */
    "\x04" "\x78" "\x02" "56\0" /* dict 3/120 */
    "\x04" "\x79" "\x04" "1700\0" /* dict 3/121 */
    "\x04" "\x7a" "\x04" "2321\0" /* dict 3/122 */
    "\x04" "\x7b" "\x03" "325\0" /* dict 3/123 */
    "\x04" "\x7c" "\x03" "448\0" /* dict 3/124 */
    "\x04" "\x7d" "\x03" "613\0" /* dict 3/125 */
    "\x04" "\x7e" "\x03" "777\0" /* dict 3/126 */
    "\x04" "\x7f" "\x03" "791\0" /* dict 3/127 */
    "\x04" "\x80" "\x02" "51\0" /* dict 3/128 */
    "\x04" "\x81" "\x03" "488\0" /* dict 3/129 */
    "\x04" "\x82" "\x03" "902\0" /* dict 3/130 */
    "\x04" "\x83" "\x0b" "Asia/Almaty\0" /* dict 3/131 */
    "\x04" "\x84" "\x09" "is_hidden\0" /* dict 3/132 */
    "\x04" "\x85" "\x04" "1398\0" /* dict 3/133 */
    "\x04" "\x86" "\x04" "1527\0" /* dict 3/134 */
    "\x04" "\x87" "\x04" "1893\0" /* dict 3/135 */
    "\x04" "\x88" "\x04" "1999\0" /* dict 3/136 */
    "\x04" "\x89" "\x04" "2367\0" /* dict 3/137 */
    "\x04" "\x8a" "\x04" "2642\0" /* dict 3/138 */
    "\x04" "\x8b" "\x03" "237\0" /* dict 3/139 */
    "\x04" "\x8c" "\x04" "busy\0" /* dict 3/140 */
    "\x04" "\x8d" "\x03" "065\0" /* dict 3/141 */
    "\x04" "\x8e" "\x03" "067\0" /* dict 3/142 */
    "\x04" "\x8f" "\x03" "233\0" /* dict 3/143 */
    "\x04" "\x90" "\x03" "590\0" /* dict 3/144 */
    "\x04" "\x91" "\x03" "993\0" /* dict 3/145 */
    "\x04" "\x92" "\x04" "1511\0" /* dict 3/146 */
    "\x04" "\x93" "\x02" "54\0" /* dict 3/147 */
    "\x04" "\x94" "\x03" "723\0" /* dict 3/148 */
    "\x04" "\x95" "\x03" "860\0" /* dict 3/149 */
    "\x04" "\x96" "\x03" "363\0" /* dict 3/150 */
    "\x04" "\x97" "\x03" "487\0" /* dict 3/151 */
    "\x04" "\x98" "\x03" "522\0" /* dict 3/152 */
    "\x04" "\x99" "\x03" "605\0" /* dict 3/153 */
    "\x04" "\x9a" "\x03" "995\0" /* dict 3/154 */
    "\x04" "\x9b" "\x04" "1321\0" /* dict 3/155 */
    "\x04" "\x9c" "\x04" "1691\0" /* dict 3/156 */
    "\x04" "\x9d" "\x04" "1865\0" /* dict 3/157 */
    "\x04" "\x9e" "\x04" "2447\0" /* dict 3/158 */
    "\x04" "\x9f" "\x04" "2462\0" /* dict 3/159 */
    "\x04" "\xa0" "\x11" "NON_TRANSACTIONAL\0" /* dict 3/160 */
    "\x04" "\xa1" "\x03" "433\0" /* dict 3/161 */
    "\x04" "\xa2" "\x03" "871\0" /* dict 3/162 */
    "\x04" "\xa3" "\x03" "432\0" /* dict 3/163 */
    "\x04" "\xa4" "\x04" "1004\0" /* dict 3/164 */
    "\x04" "\xa5" "\x04" "1207\0" /* dict 3/165 */
    "\x04" "\xa6" "\x04" "2032\0" /* dict 3/166 */
    "\x04" "\xa7" "\x04" "2050\0" /* dict 3/167 */
    "\x04" "\xa8" "\x04" "2379\0" /* dict 3/168 */
    "\x04" "\xa9" "\x04" "2446\0" /* dict 3/169 */
    "\x04" "\xaa" "\x03" "279\0" /* dict 3/170 */
    "\x04" "\xab" "\x03" "636\0" /* dict 3/171 */
    "\x04" "\xac" "\x03" "703\0" /* dict 3/172 */
    "\x04" "\xad" "\x03" "904\0" /* dict 3/173 */
    "\x04" "\xae" "\x03" "248\0" /* dict 3/174 */
    "\x04" "\xaf" "\x03" "370\0" /* dict 3/175 */
    "\x04" "\xb0" "\x03" "691\0" /* dict 3/176 */
    "\x04" "\xb1" "\x03" "700\0" /* dict 3/177 */
    "\x04" "\xb2" "\x04" "1068\0" /* dict 3/178 */
    "\x04" "\xb3" "\x04" "1655\0" /* dict 3/179 */
    "\x04" "\xb4" "\x04" "2334\0" /* dict 3/180 */
    "\x04" "\xb5" "\x03" "060\0" /* dict 3/181 */
    "\x04" "\xb6" "\x03" "063\0" /* dict 3/182 */
    "\x04" "\xb7" "\x03" "364\0" /* dict 3/183 */
    "\x04" "\xb8" "\x03" "533\0" /* dict 3/184 */
    "\x04" "\xb9" "\x03" "534\0" /* dict 3/185 */
    "\x04" "\xba" "\x03" "567\0" /* dict 3/186 */
    "\x04" "\xbb" "\x04" "1191\0" /* dict 3/187 */
    "\x04" "\xbc" "\x04" "1210\0" /* dict 3/188 */
    "\x04" "\xbd" "\x04" "1473\0" /* dict 3/189 */
    "\x04" "\xbe" "\x04" "1827\0" /* dict 3/190 */
    "\x04" "\xbf" "\x03" "069\0" /* dict 3/191 */
    "\x04" "\xc0" "\x03" "701\0" /* dict 3/192 */
    "\x04" "\xc1" "\x04" "2531\0" /* dict 3/193 */
    "\x04" "\xc2" "\x03" "514\0" /* dict 3/194 */
    "\x04" "\xc3" "\x0a" "prev_dhash\0" /* dict 3/195 */
    "\x04" "\xc4" "\x03" "064\0" /* dict 3/196 */
    "\x04" "\xc5" "\x03" "496\0" /* dict 3/197 */
    "\x04" "\xc6" "\x03" "790\0" /* dict 3/198 */
    "\x04" "\xc7" "\x04" "1046\0" /* dict 3/199 */
    "\x04" "\xc8" "\x04" "1139\0" /* dict 3/200 */
    "\x04" "\xc9" "\x04" "1505\0" /* dict 3/201 */
    "\x04" "\xca" "\x04" "1521\0" /* dict 3/202 */
    "\x04" "\xcb" "\x04" "1108\0" /* dict 3/203 */
    "\x04" "\xcc" "\x03" "207\0" /* dict 3/204 */
    "\x04" "\xcd" "\x03" "544\0" /* dict 3/205 */
    "\x04" "\xce" "\x03" "637\0" /* dict 3/206 */
    "\x04" "\xcf" "\x05" "final\0" /* dict 3/207 */
    "\x04" "\xd0" "\x04" "1173\0" /* dict 3/208 */
    "\x04" "\xd1" "\x04" "1293\0" /* dict 3/209 */
    "\x04" "\xd2" "\x04" "1694\0" /* dict 3/210 */
    "\x04" "\xd3" "\x04" "1939\0" /* dict 3/211 */
    "\x04" "\xd4" "\x04" "1951\0" /* dict 3/212 */
    "\x04" "\xd5" "\x04" "1993\0" /* dict 3/213 */
    "\x04" "\xd6" "\x04" "2353\0" /* dict 3/214 */
    "\x04" "\xd7" "\x04" "2515\0" /* dict 3/215 */
    "\x04" "\xd8" "\x03" "504\0" /* dict 3/216 */
    "\x04" "\xd9" "\x03" "601\0" /* dict 3/217 */
    "\x04" "\xda" "\x03" "857\0" /* dict 3/218 */
    "\x04" "\xdb" "\x06" "modify\0" /* dict 3/219 */
    "\x04" "\xdc" "\x0c" "spam_request\0" /* dict 3/220 */
    "\x04" "\xdd" "\x13" "p_121_aa_1101_test4\0" /* dict 3/221 */
    "\x04" "\xde" "\x03" "866\0" /* dict 3/222 */
    "\x04" "\xdf" "\x04" "1427\0" /* dict 3/223 */
    "\x04" "\xe0" "\x04" "1502\0" /* dict 3/224 */
    "\x04" "\xe1" "\x04" "1638\0" /* dict 3/225 */
    "\x04" "\xe2" "\x04" "1744\0" /* dict 3/226 */
    "\x04" "\xe3" "\x04" "2153\0" /* dict 3/227 */
    "\x04" "\xe4" "\x03" "068\0" /* dict 3/228 */
    "\x04" "\xe5" "\x03" "382\0" /* dict 3/229 */
    "\x04" "\xe6" "\x03" "725\0" /* dict 3/230 */
    "\x04" "\xe7" "\x04" "1704\0" /* dict 3/231 */
    "\x04" "\xe8" "\x04" "1864\0" /* dict 3/232 */
    "\x04" "\xe9" "\x04" "1990\0" /* dict 3/233 */
    "\x04" "\xea" "\x04" "2003\0" /* dict 3/234 */
    "\x04" "\xeb" "\x0a" "Asia/Dubai\0" /* dict 3/235 */
    "\x04" "\xec" "\x03" "508\0" /* dict 3/236 */
    "\x04" "\xed" "\x03" "531\0" /* dict 3/237 */
    "\x04" "\xee" "\x04" "1387\0" /* dict 3/238 */
    "\x04" "\xef" "\x04" "1474\0" /* dict 3/239 */
    "\x04" "\xf0" "\x04" "1632\0" /* dict 3/240 */
    "\x04" "\xf1" "\x04" "2307\0" /* dict 3/241 */
    "\x04" "\xf2" "\x04" "2386\0" /* dict 3/242 */
    "\x04" "\xf3" "\x03" "819\0" /* dict 3/243 */
    "\x04" "\xf4" "\x04" "2014\0" /* dict 3/244 */
    "\x04" "\xf5" "\x03" "066\0" /* dict 3/245 */
    "\x04" "\xf6" "\x03" "387\0" /* dict 3/246 */
    "\x04" "\xf7" "\x04" "1468\0" /* dict 3/247 */
    "\x04" "\xf8" "\x04" "1706\0" /* dict 3/248 */
    "\x04" "\xf9" "\x04" "2186\0" /* dict 3/249 */
    "\x04" "\xfa" "\x04" "2261\0" /* dict 3/250 */
    "\x04" "\xfb" "\x03" "471\0" /* dict 3/251 */
    "\x04" "\xfc" "\x03" "728\0" /* dict 3/252 */
    "\x04" "\xfd" "\x04" "1147\0" /* dict 3/253 */
    "\x04" "\xfe" "\x04" "1372\0" /* dict 3/254 */
    "\x04" "\xff" "\x04" "1961\0" /* dict 3/255 */
    ;

const uint16_t wb_token_single_off[WB_TOKEN_SINGLE_COUNT] = {
    3, 7, 25, 41, 59, 67, 82, 90, 101, 107, 123, 144,
    154, 161, 174, 182, 193, 208, 214, 225, 236, 246, 255, 264,
    276, 286, 292, 297, 304, 312, 319, 345, 357, 373, 384, 401,
    416, 434, 445, 458, 474, 490, 497, 505, 522, 543, 548, 561,
    586, 601, 621, 630, 648, 661, 674, 689, 698, 706, 722, 736,
    746, 758, 770, 780, 788, 804, 813, 834, 843, 855, 860, 872,
    888, 904, 920, 932, 943, 954, 961, 980, 988, 1001, 1006, 1021,
    1030, 1041, 1046, 1054, 1061, 1073, 1082, 1089, 1107, 1116, 1127, 1138,
    1146, 1169, 1177, 1190, 1205, 1213, 1224, 1245, 1259, 1270, 1281, 1289,
    1305, 1314, 1323, 1342, 1355, 1363, 1371, 1379, 1385, 1397, 1407, 1414,
    1425, 1435, 1444, 1455, 1467, 1479, 1490, 1498, 1514, 1525, 1537, 1544,
    1565, 1581, 1593, 1622, 1632, 1645, 1653, 1664, 1684, 1698, 1705, 1715,
    1724, 1735, 1742, 1754, 1765, 1778, 1786, 1793, 1800, 1822, 1828, 1838,
    1846, 1858, 1874, 1881, 1893, 1907, 1916, 1921, 1940, 1959, 1966, 1973,
    1992, 2001, 2009, 2017, 2027, 2033, 2049, 2067, 2077, 2083, 2090, 2107,
    2114, 2128, 2141, 2159, 2174, 2192, 2211, 2227, 2241, 2253, 2260, 2267,
    2282, 2304, 2311, 2318, 2330, 2343, 2352, 2364, 2370, 2382, 2389, 2399,
    2410, 2418, 2426, 2441, 2447, 2456, 2474, 2481, 2494, 2507, 2530, 2536,
    2542, 2561, 2580, 2592, 2599, 2609, 2626, 2642, 2662, 2673, 2688, 2699,
    2704, 2715, 2730, 2749, 2760, 2781, 2789, 2795,
};

const uint16_t wb_token_double_off[4][256] = {
  {
    2812, 2825, 2835, 2843, 2855, 2867, 2883, 2896, 2908, 2922, 2941, 2958,
    2967, 2979, 2992, 3004, 3013, 3032, 3044, 3057, 3072, 3088, 3098, 3106,
    3112, 3123, 3145, 3155, 3162, 3171, 3179, 3187, 3199, 3208, 3215, 3220,
    3240, 3250, 3260, 3273, 3282, 3293, 3304, 3323, 3329, 3342, 3350, 3360,
    3382, 3403, 3412, 3423, 3430, 3436, 3443, 3450, 3457, 3464, 3471, 3478,
    3485, 3504, 3511, 3529, 3536, 3543, 3555, 3562, 3569, 3579, 3592, 3605,
    3617, 3624, 3631, 3638, 3650, 3662, 3669, 3681, 3688, 3712, 3718, 3728,
    3734, 3741, 3759, 3768, 3781, 3790, 3798, 3809, 3823, 3829, 3836, 3843,
    3852, 3859, 3869, 3879, 3903, 3919, 3940, 3962, 3977, 3984, 3990, 4013,
    4027, 4043, 4062, 4078, 4099, 4116, 4134, 4142, 4148, 4166, 4175, 4192,
    4204, 4213, 4218, 4237, 4247, 4253, 4269, 4280, 4291, 4307, 4316, 4328,
    4335, 4347, 4355, 4361, 4369, 4376, 4383, 4391, 4400, 4408, 4415, 4428,
    4434, 4441, 4459, 4465, 4473, 4487, 4494, 4509, 4533, 4547, 4554, 4567,
    4577, 4597, 4603, 4615, 4622, 4632, 4637, 4646, 4653, 4660, 4668, 4679,
    4685, 4692, 4707, 4716, 4730, 4778, 4785, 4794, 4810, 4823, 4833, 4841,
    4856, 4862, 4873, 4880, 4893, 4920, 4927, 4937, 4977, 4989, 5009, 5017,
    5024, 5034, 5042, 5081, 5102, 5114, 5155, 5173, 5180, 5218, 5230, 5274,
    5289, 5294, 5331, 5338, 5372, 5382, 5416, 5423, 5457, 5468, 5503, 5512,
    5530, 5568, 5581, 5592, 5598, 5628, 5635, 5658, 5663, 5715, 5763, 5785,
    5793, 5805, 5812, 5836, 5871, 5878, 5907, 5936, 5957, 5964, 5980, 5987,
    5994, 6037, 6044, 6050, 6080, 6098, 6129, 6138, 6150, 6180, 6192, 6198,
    6228, 6243, 6261, 6268,
  },
  {
    6279, 6289, 6298, 6314, 6321, 6327, 6332, 6360, 6376, 6393, 6400, 6408,
    6445, 6454, 6465, 6493, 6530, 6555, 6594, 6601, 6628, 6634, 6641, 6648,
    6687, 6713, 6720, 6739, 6751, 6789, 6830, 6849, 6857, 6880, 6917, 6924,
    6931, 6939, 6945, 6953, 6991, 7006, 7043, 7064, 7074, 7092, 7125, 7149,
    7157, 7164, 7205, 7213, 7221, 7228, 7251, 7258, 7295, 7317, 7335, 7359,
    7365, 7372, 7392, 7426, 7457, 7465, 7482, 7502, 7549, 7584, 7613, 7620,
    7641, 7661, 7697, 7736, 7743, 7750, 7757, 7787, 7801, 7808, 7837, 7844,
    7855, 7876, 7912, 7931, 7938, 7946, 7967, 7974, 7990, 7996, 8024, 8052,
    8068, 8075, 8118, 8125, 8138, 8167, 8175, 8181, 8229, 8248, 8265, 8282,
    8308, 8326, 8344, 8375, 8412, 8444, 8480, 8507, 8532, 8538, 8546, 8579,
    8588, 8605, 8624, 8632, 8639, 8647, 8655, 8687, 8704, 8712, 8719, 8753,
    8779, 8786, 8812, 8818, 8845, 8871, 8878, 8885, 8892, 8918, 8950, 8971,
    8987, 9003, 9019, 9055, 9072, 9112, 9127, 9134, 9164, 9172, 9199, 9206,
    9224, 9250, 9259, 9265, 9271, 9279, 9287, 9294, 9300, 9307, 9315, 9327,
    9334, 9357, 9363, 9396, 9432, 9466, 9479, 9504, 9520, 9530, 9558, 9584,
    9593, 9600, 9627, 9638, 9654, 9696, 9737, 9749, 9761, 9768, 9802, 9810,
    9817, 9825, 9851, 9866, 9881, 9905, 9946, 9954, 9965, 9978, 9984, 9999,
    10029, 10048, 10061, 10076, 10083, 10090, 10096, 10103, 10113, 10141, 10150, 10162,
    10169, 10188, 10211, 10242, 10253, 10262, 10269, 10284, 10307, 10323, 10352, 10387,
    10395, 10429, 10444, 10461, 10482, 10490, 10510, 10551, 10556, 10563, 10592, 10607,
    10613, 10619, 10645, 10654, 10675, 10695, 10718, 10745, 10750, 10759, 10766, 10792,
    10799, 10806, 10837, 10866,
  },
  {
    10900, 10906, 10936, 10972, 10989, 10995, 11011, 11026, 11045, 11066, 11073, 11095,
    11125, 11162, 11169, 11183, 11189, 11211, 11217, 11238, 11250, 11266, 11297, 11305,
    11312, 11319, 11327, 11334, 11341, 11348, 11356, 11362, 11369, 11389, 11395, 11402,
    11424, 11432, 11437, 11445, 11451, 11459, 11466, 11473, 11516, 11531, 11552, 11559,
    11576, 11583, 11600, 11606, 11612, 11619, 11643, 11650, 11660, 11667, 11674, 11684,
    11690, 11701, 11721, 11764, 11769, 11776, 11784, 11806, 11823, 11830, 11855, 11863,
    11870, 11880, 11887, 11898, 11906, 11916, 11935, 11956, 11968, 11992, 11998, 12004,
    12019, 12026, 12033, 12049, 12054, 12061, 12068, 12075, 12091, 12099, 12123, 12146,
    12152, 12172, 12180, 12189, 12196, 12211, 12218, 12233, 12239, 12246, 12253, 12278,
    12286, 12294, 12314, 12320, 12327, 12335, 12343, 12349, 12358, 12364, 12375, 12381,
    12388, 12396, 12416, 12424, 12435, 12457, 12465, 12471, 12479, 12485, 12516, 12524,
    12532, 12538, 12546, 12554, 12561, 12591, 12611, 12618, 12633, 12641, 12649, 12657,
    12665, 12672, 12678, 12685, 12693, 12701, 12709, 12715, 12723, 12731, 12739, 12747,
    12755, 12772, 12780, 12788, 12796, 12804, 12822, 12830, 12847, 12870, 12881, 12889,
    12896, 12904, 12924, 12943, 12951, 12959, 12967, 12973, 12981, 12989, 12996, 13004,
    13012, 13020, 13028, 13036, 13044, 13052, 13058, 13072, 13079, 13087, 13095, 13102,
    13108, 13123, 13131, 13151, 13158, 13166, 13172, 13180, 13188, 13196, 13203, 13211,
    13219, 13226, 13234, 13248, 13256, 13263, 13269, 13276, 13282, 13290, 13298, 13304,
    13325, 13332, 13343, 13351, 13359, 13367, 13375, 13383, 13390, 13398, 13410, 13418,
    13426, 13434, 13442, 13448, 13456, 13464, 13483, 13491, 13497, 13504, 13512, 13519,
    13537, 13547, 13579, 13587, 13595, 13603, 13610, 13617, 13624, 13635, 13643, 13651,
    13658, 13666, 13674, 13682,
  },
  {
    13690, 13698, 13717, 13725, 13733, 13741, 13748, 13755, 13763, 13770, 13787, 13794,
    13801, 13808, 13816, 13824, 13830, 13837, 13845, 13852, 13859, 13867, 13875, 13881,
    13888, 13895, 13903, 13911, 13919, 13927, 13935, 13943, 13950, 13958, 13966, 13974,
    13982, 13990, 13998, 14005, 14012, 14018, 14025, 14032, 14039, 14046, 14054, 14061,
    14068, 14078, 14086, 14094, 14102, 14109, 14117, 14124, 14131, 14139, 14147, 14155,
    14162, 14170, 14178, 14186, 14194, 14202, 14210, 14216, 14223, 14231, 14239, 14247,
    14255, 14263, 14270, 14278, 14285, 14295, 14303, 14310, 14318, 14326, 14334, 14341,
    14349, 14357, 14365, 14371, 14379, 14387, 14395, 14403, 14411, 14419, 14427, 14435,
    14442, 14449, 14457, 14465, 14472, 14479, 14487, 14495, 14503, 14511, 14518, 14525,
    14533, 14541, 14548, 14555, 14562, 14570, 14578, 14586, 14593, 14600, 14607, 14614,
    14621, 14627, 14635, 14643, 14650, 14657, 14664, 14671, 14678, 14684, 14691, 14698,
    14713, 14726, 14734, 14742, 14750, 14758, 14766, 14774, 14781, 14789, 14796, 14803,
    14810, 14817, 14824, 14832, 14838, 14845, 14852, 14859, 14866, 14873, 14880, 14887,
    14895, 14903, 14911, 14919, 14927, 14948, 14955, 14962, 14969, 14977, 14985, 14993,
    15001, 15009, 15017, 15024, 15031, 15038, 15045, 15052, 15059, 15066, 15073, 15081,
    15089, 15097, 15104, 15111, 15118, 15125, 15132, 15139, 15147, 15155, 15163, 15171,
    15178, 15185, 15193, 15200, 15214, 15221, 15228, 15235, 15243, 15251, 15259, 15267,
    15275, 15282, 15289, 15296, 15305, 15313, 15321, 15329, 15337, 15345, 15353, 15361,
    15369, 15376, 15383, 15390, 15400, 15416, 15439, 15446, 15454, 15462, 15470, 15478,
    15486, 15493, 15500, 15507, 15515, 15523, 15531, 15539, 15553, 15560, 15567, 15575,
    15583, 15591, 15599, 15607, 15614, 15622, 15629, 15636, 15644, 15652, 15660, 15668,
    15675, 15682, 15690, 15698,
  },
};

const size_t wb_token_pool_size = sizeof wb_token_pool;
