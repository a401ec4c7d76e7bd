/**
 * An API call's published energy estimate keeps its band in the record (energy_low_j /
 * energy_high_j), so the savings pair can state the energy ratio with a band against it.
 */
import { describe, expect, it } from "vitest";
import { prepareModel } from "../../src/cli/model-services.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { priceApiCall } from "../../src/cost/api-price.ts";
import { publishedCallEnergy } from "../../src/energy/published-estimates.ts";
import { ModelSession } from "../../src/engine/model-session.ts";
import type { ResolvedModel } from "../../src/suite/resolved.ts";
import { call } from "../helpers/summary-log.ts";

describe("an API call's energy estimate", () => {
  it("is recorded with its band", async () => {
    const model = {
      id: "gpt",
      label: "gpt",
      runner: "openai",
      concurrency: 1,
      config: { id: "gpt", runner: "openai", model: "gpt-4.1" },
    } as unknown as ResolvedModel;
    const events: LogEvent[] = [];
    const started = await ModelSession.start({
      model,
      // The composition root's pricing and energy; no API call is made, so no runner startup (no key).
      services: { ...prepareModel(model, priceApiCall), runner: { async *generate() {} } },
      runDir: "/nonexistent",
      baseDir: "/nonexistent",
      concurrency: 1,
      signal: new AbortController().signal,
      append: (e) => events.push(e),
    });
    if (!started.session) throw started.error;
    const record = call("gpt", 0, { model: "gpt", output_tokens: 100 });
    started.session!.finishCall(record);
    const expected = publishedCallEnergy("gpt-4.1", 100);
    expect(record).toMatchObject({
      energy_source: "published-estimate",
      energy_j: expected.energy_j,
      energy_low_j: expected.low_j,
      energy_high_j: expected.high_j,
    });
    expect(record.energy_low_j!).toBeLessThan(record.energy_j!);
    expect(record.energy_high_j!).toBeGreaterThan(record.energy_j!);
    await started.session!.stop();
  });
});
