/**
 * Self (and inclusive) time per function of a V8 .cpuprofile:
 *   node bench/lib/cpuprofile-top.ts FILE [N] [--last-ms MS] [--inclusive]
 * --last-ms keeps only the samples of the profile's final MS milliseconds
 * (a benchmark's last phase); --inclusive adds time spent in callees.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { type CpuProfile, summarizeProfile } from "./cpuprofile-summary.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "last-ms": { type: "string" }, inclusive: { type: "boolean", default: false } },
});
const profile = JSON.parse(fs.readFileSync(positionals[0]!, "utf8")) as CpuProfile;
console.log(
  summarizeProfile(profile, {
    count: Number(positionals[1] ?? 40),
    ...(values["last-ms"] === undefined ? {} : { lastMs: Number(values["last-ms"]) }),
    inclusive: values.inclusive,
    urlLabel: (url) => url.replace(/^.*\/main\//, ""),
  }),
);
