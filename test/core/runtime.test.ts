import { describe, expect, it } from "vitest";
import wycheproof from "../../../shared/vectors/wycheproof_ed25519_test.json";

describe("test runtime", () => {
  it("loads the public vectors from ../shared/vectors", () => {
    expect(wycheproof.numberOfTests).toBe(151);
  });
});
