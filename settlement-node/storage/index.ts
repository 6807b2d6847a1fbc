export * from "./block-store.ts";
export * from "./crc32c.ts";
export * from "./data-dir-lock.ts";
export * from "./errors.ts";
export type { TornTail } from "./record-file.ts";
export * from "./sign-guard.ts";
export * from "./wal.ts";
