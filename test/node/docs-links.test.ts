/**
 * Every relative link in the documentation points at something that exists,
 * and every `#anchor` names a heading of its target (GitHub's slug rules), so
 * a renamed heading or a moved file fails here instead of on GitHub. Checked:
 *
 * - links in README.md, docs/**\/*.md, examples/**\/README.md and
 *   bench/README.md (inline links and images, reference definitions; code
 *   spans and fenced code are not links);
 * - the `docsPath` of every typed error in sdk/, shared/, cli/, workers/ and
 *   settlement-node/ (relative to docs/, as BitlayerError prints it:
 *   "Docs: docs/<docsPath>").
 *
 * External links (http:, mailto:, …) are not fetched. The first describe
 * block runs the checker on made-up files, so the check is known to fail
 * when a link is broken.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

// ---- GitHub anchors ----

/** The visible text of a heading line's content: code spans, emphasis, links and HTML reduced to their text. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // [text](url) → text
    .replace(/<[^>]+>/g, "") // inline HTML tags
    .replace(/`+/g, "") // code spans keep their content
    .replace(/(\*\*|__|\*)/g, "") // emphasis markers
    .trim();
}

/**
 * GitHub's heading anchor (github-slugger): lowercase; drop every character
 * that is not a letter, mark, number, connector punctuation (`_`), hyphen or
 * space; each space becomes "-". Repeats get "-1", "-2", … (see anchorsOf).
 */
function githubSlug(text: string): string {
  return headingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Lines outside fenced code blocks (``` or ~~~), with their 1-based numbers. */
function proseLines(markdown: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  let fence: string | null = null;
  markdown.split("\n").forEach((line, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = null;
      return;
    }
    if (m) {
      fence = m[1]!;
      return;
    }
    out.push({ line, n: i + 1 });
  });
  return out;
}

/** Every anchor a markdown file defines: heading slugs (deduplicated as GitHub does) and HTML id/name. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(markdown)) {
    const h = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (h) {
      const base = githubSlug(h[1]!);
      const k = seen.get(base) ?? 0;
      seen.set(base, k + 1);
      anchors.add(k === 0 ? base : `${base}-${k}`);
    }
    for (const a of line.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*"([^"]+)"/gi)) anchors.add(a[1]!);
  }
  return anchors;
}

// ---- links ----

type Link = { target: string; line: number };

/** Relative and absolute link targets of a markdown file (not inside code spans or fenced code). */
function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, n } of proseLines(markdown)) {
    // Code spans are not links: blank them out, keeping offsets.
    const text = line.replace(/(`+)[^`]*?\1/g, (s) => " ".repeat(s.length));
    const def = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
    if (def) {
      links.push({ target: def[1]!, line: n });
      continue;
    }
    for (const m of text.matchAll(
      /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    ))
      links.push({ target: m[1]!, line: n });
  }
  return links;
}

/** What the checker needs of a file system, so it can run on made-up files too. */
type FileSystem = {
  kind(p: string): "file" | "dir" | null;
  read(p: string): string;
};

const realFileSystem: FileSystem = {
  kind: (p) => {
    try {
      const s = fs.statSync(p);
      return s.isDirectory() ? "dir" : s.isFile() ? "file" : null;
    } catch {
      return null;
    }
  },
  read: (p) => fs.readFileSync(p, "utf8"),
};

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Why `target`, linked from a file in `fromDir`, is broken; null when it is
 * fine or external. `root` is the repository root (for "/…" links).
 */
function linkProblem(fsys: FileSystem, root: string, fromFile: string, target: string): string | null {
  if (target === "" || EXTERNAL.test(target) || target.startsWith("//")) return null;
  const hashAt = target.indexOf("#");
  const rawPath = hashAt < 0 ? target : target.slice(0, hashAt);
  const anchor = hashAt < 0 ? null : decodeURIComponent(target.slice(hashAt + 1));
  const rel = decodeURIComponent(rawPath.split("?")[0]!);
  let file =
    rel === ""
      ? fromFile
      : rel.startsWith("/")
        ? path.join(root, rel)
        : path.resolve(path.dirname(fromFile), rel);
  const kind = fsys.kind(file);
  if (kind === null) return `${rawPath} does not exist`;
  if (anchor === null || anchor === "") return null;
  if (kind === "dir") {
    // GitHub shows a directory's README.md: the anchor is one of its headings.
    file = path.join(file, "README.md");
    if (fsys.kind(file) !== "file") return `#${anchor}: ${rawPath} is a directory without README.md`;
  }
  if (!file.endsWith(".md"))
    return /^L\d+(-L\d+)?$/.test(anchor) ? null : `#${anchor} in a non-markdown file`;
  if (!anchorsOf(fsys.read(file)).has(anchor))
    return `#${anchor}: no such heading in ${path.relative(root, file) || file}`;
  return null;
}

/** Broken links of one markdown file, as "file:line: target — why". */
function brokenLinksOf(fsys: FileSystem, root: string, file: string): string[] {
  const out: string[] = [];
  for (const link of linksOf(fsys.read(file))) {
    const problem = linkProblem(fsys, root, file, link.target);
    if (problem) out.push(`${path.relative(root, file)}:${link.line}: ${link.target} — ${problem}`);
  }
  return out;
}

// ---- docsPath in sources ----

/**
 * The docs paths a source file's errors point at: the `.md` string literals
 * of each `docsPath:` property (a ternary gives two), with `${NAME}` and a
 * bare NAME resolved through `const NAME = "…"` in the same file.
 */
function docsPathsIn(source: string): { docsPath: string; line: number }[] {
  const consts = new Map<string, string>();
  for (const m of source.matchAll(/\bconst\s+([A-Za-z_$][\w$]*)\s*=\s*"([^"]*)"/g)) consts.set(m[1]!, m[2]!);
  const out: { docsPath: string; line: number }[] = [];
  const lines = source.split("\n");
  lines.forEach((line, i) => {
    const at = line.search(/\bdocsPath\s*:/);
    if (at < 0) return;
    // The value: to the end of the line, or the next line when the property wraps.
    const value = (
      line
        .slice(at)
        .replace(/^docsPath\s*:/, "")
        .trim() ||
      (lines[i + 1] ?? "")
    ).trim();
    const found: string[] = [];
    for (const m of value.matchAll(/"([^"]*)"|'([^']*)'|`([^`]*)`/g)) {
      const s = (m[1] ?? m[2] ?? m[3] ?? "").replace(
        /\$\{\s*([\w$]+)\s*\}/g,
        (_, name) => consts.get(name) ?? "",
      );
      if (/\.md(#|$)/.test(s)) found.push(s);
    }
    const bare = /^([A-Za-z_$][\w$]*)\s*[,}]?\s*$/.exec(value.replace(/,\s*$/, ""));
    if (found.length === 0 && bare && consts.has(bare[1]!)) found.push(consts.get(bare[1]!)!);
    for (const docsPath of found) out.push({ docsPath, line: i + 1 });
  });
  return out;
}

/** Broken docsPath values of one source file, as "file:line: docsPath — why". */
function brokenDocsPathsOf(fsys: FileSystem, root: string, file: string): string[] {
  const docs = path.join(root, "docs");
  const out: string[] = [];
  for (const { docsPath, line } of docsPathsIn(fsys.read(file))) {
    // linkProblem resolves against the linking file's directory: stand in a file of docs/.
    const problem = linkProblem(fsys, root, path.join(docs, "_"), docsPath);
    if (problem) out.push(`${path.relative(root, file)}:${line}: docsPath "${docsPath}" — ${problem}`);
  }
  return out;
}

// ---- the repository's files ----

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p, keep));
    else if (entry.isFile() && keep(p)) out.push(p);
  }
  return out.sort();
}

function markdownFiles(): string[] {
  return [
    path.join(ROOT, "README.md"),
    ...walk(path.join(ROOT, "docs"), (f) => f.endsWith(".md")),
    ...walk(path.join(ROOT, "examples"), (f) => path.basename(f) === "README.md"),
    path.join(ROOT, "bench/README.md"),
  ].filter((f) => fs.existsSync(f));
}

function sourceFiles(): string[] {
  return ["sdk", "shared", "cli", "workers", "settlement-node"].flatMap((d) =>
    walk(path.join(ROOT, d), (f) => /\.(ts|tsx|js|mjs)$/.test(f) && !f.endsWith(".d.ts")),
  );
}

// ---- the checker can fail ----

/** An in-memory tree: paths relative to /repo. */
function memoryFs(files: Record<string, string>): FileSystem {
  const abs = new Map(Object.entries(files).map(([p, text]) => [path.join("/repo", p), text]));
  return {
    kind: (p) => (abs.has(p) ? "file" : [...abs.keys()].some((k) => k.startsWith(`${p}/`)) ? "dir" : null),
    read: (p) => {
      const text = abs.get(p);
      if (text === undefined) throw new Error(`no file ${p}`);
      return text;
    },
  };
}

describe("the link checker (made-up files)", () => {
  it("slugs headings the way GitHub does", () => {
    expect(githubSlug("Devnet: `npm start`")).toBe("devnet-npm-start");
    expect(githubSlug("1. A production environment in `wrangler.toml`")).toBe(
      "1-a-production-environment-in-wranglertoml",
    );
    expect(githubSlug("GET /v1/health")).toBe("get-v1health");
    expect(githubSlug("What happens on each input, and on a crash")).toBe(
      "what-happens-on-each-input-and-on-a-crash",
    );
    expect(githubSlug("createBitlayerClient")).toBe("createbitlayerclient");
    expect(githubSlug("Time controls")).toBe("time-controls");
    expect(githubSlug("The finality ladder: soft → final")).toBe("the-finality-ladder-soft--final");
    expect(githubSlug("[sdk/testing](../sdk/testing/index.ts) and **time**")).toBe("sdktesting-and-time");
    const anchors = anchorsOf(
      '# A\n## Errors\n```sh\n# not a heading\n```\n## Errors\n<a id="custom"></a>\n',
    );
    expect([...anchors].sort()).toEqual(["a", "custom", "errors", "errors-1"]);
  });

  it("finds links, but not in code spans or fenced code", () => {
    const md = [
      "See [the SDK](sdk.md#errors) and ![logo](img/logo.png).",
      "Not a link: `[x](nope.md)`.",
      "```md",
      "[also not](nope.md)",
      "```",
      "[ref]: ../README.md",
      "[nested [brackets]](a.md) [ext](https://example.com/x.md)",
    ].join("\n");
    expect(linksOf(md)).toEqual([
      { target: "sdk.md#errors", line: 1 },
      { target: "img/logo.png", line: 1 },
      { target: "../README.md", line: 6 },
      { target: "a.md", line: 7 },
      { target: "https://example.com/x.md", line: 7 },
    ]);
  });

  const tree = memoryFs({
    "README.md": "# Repo\n\nSee [docs](docs/README.md) and [code](shared/x.ts#L3).\n",
    "docs/README.md": "# Docs\n\n- [sdk](sdk.md#errors)\n- [top](#docs)\n- [dir](../examples/game)\n",
    "docs/sdk.md": "# SDK\n\n## createBitlayerClient\n\n## Errors\n",
    "examples/game/README.md": "# Game\n\n## Run it\n",
    "shared/x.ts": "export const x = 1;\n",
  });

  it("passes good links", () => {
    for (const f of ["README.md", "docs/README.md", "docs/sdk.md", "examples/game/README.md"])
      expect(brokenLinksOf(tree, "/repo", path.join("/repo", f))).toEqual([]);
    expect(linkProblem(tree, "/repo", "/repo/docs/README.md", "../examples/game#run-it")).toBeNull();
  });

  it("catches a missing file, a missing heading and a wrong anchor on a non-markdown file", () => {
    const bad = memoryFs({
      "docs/sdk.md": "# SDK\n\n## Errors\n",
      "docs/README.md":
        "# Docs\n[a](sdk.md#verification)\n[b](missing.md)\n[c](#nope)\n[d](../x.ts#foo)\n[e](sdk.md#errors)\n",
      "x.ts": "",
    });
    expect(brokenLinksOf(bad, "/repo", "/repo/docs/README.md")).toEqual([
      "docs/README.md:2: sdk.md#verification — #verification: no such heading in docs/sdk.md",
      "docs/README.md:3: missing.md — missing.md does not exist",
      "docs/README.md:4: #nope — #nope: no such heading in docs/README.md",
      "docs/README.md:5: ../x.ts#foo — #foo in a non-markdown file",
    ]);
  });

  it("reads docsPath values (literals, ternaries, consts) and catches a broken one", () => {
    const source = [
      'const DOCS = "storage.md";',
      'super(m, { docsPath: "sdk.md#errors" });',
      'super(m, { docsPath: "sdk.md#no-such-heading", cause });',
      'docsPath: p.service === "edge" ? "api-edge.md#errors" : "gone.md#errors",',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, on purpose
      "docsPath: `${DOCS}#torn-tail-rules`,",
      "{ details, docsPath: DOCS }",
      "readonly docsPath: string | undefined;",
      "super(m, {",
      "  docsPath:",
      '    "sdk.md#errors",',
    ].join("\n");
    expect(docsPathsIn(source).map((d) => d.docsPath)).toEqual([
      "sdk.md#errors",
      "sdk.md#no-such-heading",
      "api-edge.md#errors",
      "gone.md#errors",
      "storage.md#torn-tail-rules",
      "storage.md",
      "sdk.md#errors",
    ]);
    const fsys = memoryFs({
      "docs/sdk.md": "# SDK\n## Errors\n",
      "docs/api-edge.md": "# Edge\n## Errors\n",
      "docs/storage.md": "# Storage\n## Torn-tail rules\n",
      "sdk/errors.ts": source,
    });
    expect(brokenDocsPathsOf(fsys, "/repo", "/repo/sdk/errors.ts")).toEqual([
      'sdk/errors.ts:3: docsPath "sdk.md#no-such-heading" — #no-such-heading: no such heading in docs/sdk.md',
      'sdk/errors.ts:4: docsPath "gone.md#errors" — gone.md does not exist',
    ]);
  });
});

// ---- the repository ----

describe("links in the repository's documentation", () => {
  it("checks the files it should", () => {
    const files = markdownFiles().map((f) => path.relative(ROOT, f));
    expect(files).toContain("README.md");
    expect(files).toContain("docs/README.md");
    expect(files).toContain("docs/sdk.md");
    expect(files).toContain("bench/README.md");
    expect(files.some((f) => f.startsWith("examples/"))).toBe(true);
  });

  it("every relative link points at a file that exists, and every #anchor at a heading", () => {
    const broken = markdownFiles().flatMap((f) => brokenLinksOf(realFileSystem, ROOT, f));
    expect(broken).toEqual([]);
  });

  it("every docsPath of a typed error names a docs file and, with #anchor, a heading in it", () => {
    const files = sourceFiles();
    const all = files.flatMap((f) => docsPathsIn(fs.readFileSync(f, "utf8")).map((d) => d.docsPath));
    // The scan really reads the errors (it would pass vacuously on an empty list).
    expect(all).toEqual(
      expect.arrayContaining(["sdk.md#errors", "sdk.md#time-controls", "api-edge.md#errors"]),
    );
    const broken = files.flatMap((f) => brokenDocsPathsOf(realFileSystem, ROOT, f));
    expect(broken).toEqual([]);
  });
});
