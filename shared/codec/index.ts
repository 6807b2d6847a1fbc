export * from "./codec.ts";
export * from "./errors.ts";
export { Reader, Writer } from "./io.ts";
