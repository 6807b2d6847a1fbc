/**
 * Checkers kept apart from the node: they read the cluster only through its
 * API and compare what different validators say.
 */
import type { BlockJson, Cluster } from "./cluster.ts";

/** Block hash of every height 1..heightMax as each live validator reports it; throws on any disagreement. */
export async function assertAgreement(
  cluster: Cluster,
  heightMax: bigint,
  live: number[],
): Promise<Map<bigint, string>> {
  const hashes = new Map<bigint, string>();
  const precommitSignatures = new Map<string, string>();
  for (let h = 1n; h <= heightMax; h++) {
    const blocks: BlockJson[] = await Promise.all(live.map((i) => cluster.block(i, h)));
    for (const [k, b] of blocks.entries()) {
      const seen = hashes.get(h);
      if (seen !== undefined && seen !== b.hash)
        throw new Error(`Validators disagree at height ${h}: ${seen} vs ${b.hash} (validator ${live[k]})`);
      hashes.set(h, b.hash);
      // Ed25519 signing is deterministic: one key signing the same vote gives the same bytes, so two
      // different signatures for one (height, round, validator) precommit are two conflicting votes.
      for (const p of b.certificate.precommits) {
        const key = `${h}/${b.certificate.round}/${p.validatorIndex}`;
        const other = precommitSignatures.get(key);
        if (other !== undefined && other !== p.signature)
          throw new Error(`Validator index ${p.validatorIndex} signed two different precommits at ${key}`);
        precommitSignatures.set(key, p.signature);
      }
    }
  }
  return hashes;
}

/** Conflicting votes and evidence seen by the live validators' vote audits (must stay 0). */
export async function conflictsSeen(cluster: Cluster, live: number[]): Promise<number> {
  const infos = await Promise.all(live.map((i) => cluster.nodeInfo(i)));
  return infos.reduce((sum, n) => sum + n.conflictingVotesSeen + n.evidenceSeen, 0);
}
