/**
 * A minimal Chrome DevTools protocol client for workerd's inspector (the
 * --inspector-port of wrangler dev): CPU profiles (profile.ts) and the
 * Worker isolate's V8 heap after a forced GC (million.ts). workerd gives the
 * Worker itself no memory figure; the inspector does.
 */
import WebSocket from "ws";

export class Inspector {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (v: unknown) => void>();
  #nextId = 1;
  /** When the last heap-snapshot chunk arrived (0: none yet). */
  #lastChunkMs = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as {
        id?: number;
        method?: string;
        result?: unknown;
        error?: unknown;
      };
      if (msg.method === "HeapProfiler.addHeapSnapshotChunk") this.#lastChunkMs = performance.now();
      // The first message with a call's id settles it: workerd answers some calls (Profiler.start,
      // HeapProfiler.takeHeapSnapshot) only with an echo of the request, which has no result.
      if (msg.id !== undefined) this.#pending.get(msg.id)?.(msg.result);
    });
  }

  /** Connects to the Worker's target (the first one, or the one whose title names the Worker). */
  static async connect(inspectorPort: number, workerName = "bitlayer"): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
      webSocketDebuggerUrl: string;
      title?: string;
    }[];
    const target = targets.find((t) => t.title?.includes(workerName)) ?? targets[0];
    if (!target) throw new Error(`No inspector target on port ${inspectorPort}.`);
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new Inspector(ws);
  }

  /** Sends a method; resolves with its result, or with undefined if no answer came within `timeoutMs`. */
  call<T = unknown>(method: string, params: object = {}, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve) => {
      const id = this.#nextId++;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(undefined as T);
      }, timeoutMs);
      this.#pending.set(id, (v) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(v as T);
      });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** V8 heap of the Worker's isolate as it is (garbage included), in MiB: used, and allocated by V8. */
  async heapMiB(): Promise<{ usedMiB: number; totalMiB: number }> {
    const h = await this.call<{ usedSize: number; totalSize: number }>("Runtime.getHeapUsage");
    return { usedMiB: h.usedSize / 2 ** 20, totalMiB: h.totalSize / 2 ** 20 };
  }

  /**
   * The heap after a full GC: the live set, which the isolate's memory limit
   * applies to. workerd's inspector never answers HeapProfiler.collectGarbage
   * (workerd 1.20261117), but a heap snapshot starts with a full GC, so one
   * is taken and its chunks are discarded. workerd answers that call with an
   * echo only, so the snapshot counts as done once its chunks stop coming (a
   * second of silence after the first; at most 5 minutes, or 10 s without
   * any chunk). Slow for a large heap (seconds).
   */
  async heapAfterGcMiB(): Promise<{ usedMiB: number; totalMiB: number }> {
    this.#lastChunkMs = 0;
    await this.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const started = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = performance.now();
      if (this.#lastChunkMs > 0 ? now - this.#lastChunkMs > 1_000 : now - started > 10_000) break;
      if (now - started > 300_000) break;
    }
    return await this.heapMiB();
  }

  close(): void {
    this.#ws.close();
  }
}
