/**
 * The watcher's Prometheus metrics, on a registry of its own, read from the
 * watcher's lanes at scrape time.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { Watcher } from "./watcher.ts";

export function createWatcherMetrics(watcher: Watcher): Registry {
  const registry = new Registry();
  const perLane = (name: string, help: string, value: (l: ReturnType<Watcher["lanes"]>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["lane"] as const,
      registers: [registry],
      collect() {
        for (const l of watcher.lanes()) this.set({ lane: String(l.lane) }, value(l));
      },
    });
  perLane("bitlayer_watcher_checkpoints_verified", "Checkpoints replayed and verified", (l) =>
    Number(l.verified),
  );
  perLane("bitlayer_watcher_lag_checkpoints", "Checkpoints on settlement not verified yet", (l) =>
    l.settlementCheckpoints === null ? 0 : Number(l.settlementCheckpoints - l.verified),
  );
  perLane("bitlayer_watcher_mismatches", "Checkpoints whose claimed root the replay contradicts", (l) =>
    Number(l.mismatches.length),
  );
  perLane("bitlayer_watcher_invalid", "Checkpoints that could not be replayed as claimed", (l) =>
    Number(l.invalid.length),
  );
  perLane("bitlayer_watcher_halted", "1 once the lane's replay stopped at a bad checkpoint", (l) =>
    l.status === "halted" ? 1 : 0,
  );
  let pollErrorsSeen = 0;
  new Counter({
    name: "bitlayer_watcher_poll_errors_total",
    help: "Polls of a lane that failed (settlement unreachable or answering off-schema)",
    registers: [registry],
    collect() {
      // The watcher counts; the counter catches up by the difference at each scrape.
      this.inc(watcher.pollErrors - pollErrorsSeen);
      pollErrorsSeen = watcher.pollErrors;
    },
  });
  return registry;
}
