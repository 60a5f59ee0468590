import { describe, expect, it } from "vitest";
import { EXIT } from "../../../cli/shared/exit-codes";
import { VERIFY_EXIT_PENDING } from "../../../components/self-check";

describe("the exit-code table", () => {
  it("gives the self-check's shell script verify's pending code (components/ cannot import cli/, so it is repeated)", () => {
    expect(VERIFY_EXIT_PENDING).toBe(EXIT.pending);
  });

  it("keeps the codes scripts rely on (README, docs/verify.md)", () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, input: 2, bug: 3, pending: 4, interrupted: 130 });
  });
});
