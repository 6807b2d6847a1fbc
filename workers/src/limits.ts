/**
 * Request bounds of the edge API. Kept out of the Worker's main module:
 * workerd treats every named export of the main module as an entrypoint and
 * refuses plain constants there.
 */

/** Transactions per request: a batch amortizes the request, the limit bounds one step. */
export const TXS_PER_REQUEST_MAX = 256;
/** Base64 or hex of 256 × 4 KiB plus JSON: just under 2.2 MB; a tighter bound than the 100 MB platform one. */
export const REQUEST_BODY_BYTES_MAX = 2_300_000;
