import { describe, expect, it } from "vitest";
import { configSecrets, headerValues, isSecretHeader, redactConfig } from "../../src/core/secrets.ts";

const MODEL = {
  id: "azure",
  runner: "openai-compatible",
  base_url: "https://user:hunter2pw@azure.example/openai/v1?api-version=2024-06-01&sig=SIGNATURE123",
  headers: {
    Authorization: "Bearer header-token-123",
    "X-Api-Key": "key-in-header-456",
    "X-Org-Id": "org-public-1",
    "X-Session-Token": { value: "public-token-789", public: true },
    "X-Tenant": { value: "tenant-secret-000", public: false },
    Cookie: "session=cookie-secret-111",
  },
  energy: { dcgm_url: "http://metrics:mpass@dcgm.example:9400/metrics" },
};

describe("secret headers", () => {
  it("are recognised by name unless marked, and marked ones win", () => {
    expect(isSecretHeader("Authorization", "x")).toBe(true);
    expect(isSecretHeader("x-goog-api-key", "x")).toBe(true);
    expect(isSecretHeader("X-Access-Token", "x")).toBe(true);
    expect(isSecretHeader("X-Client-Secret", "x")).toBe(true);
    expect(isSecretHeader("cookie", "x")).toBe(true);
    expect(isSecretHeader("X-Org-Id", "x")).toBe(false);
    expect(isSecretHeader("X-Api-Key", { value: "x", public: true })).toBe(false);
    expect(isSecretHeader("X-Org-Id", { value: "x", public: false })).toBe(true);
  });

  it("send their values whatever form they were given in", () => {
    expect(headerValues(MODEL.headers)).toMatchObject({
      "X-Session-Token": "public-token-789",
      "X-Tenant": "tenant-secret-000",
      Authorization: "Bearer header-token-123",
    });
    expect(headerValues(undefined)).toEqual({});
  });
});

describe("redactConfig", () => {
  it("masks URL credentials anywhere and secret header values, and nothing else", () => {
    const redacted = redactConfig(MODEL);
    const text = JSON.stringify(redacted);
    for (const secret of [
      "hunter2pw",
      "SIGNATURE123",
      "2024-06-01",
      "header-token-123",
      "key-in-header-456",
      "tenant-secret-000",
      "cookie-secret-111",
      "mpass",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(redacted.base_url).toBe("https://***@azure.example/openai/v1?api-version=***&sig=***");
    expect(redacted.headers["X-Org-Id"]).toBe("org-public-1");
    expect(redacted.headers["X-Session-Token"]).toEqual({ value: "public-token-789", public: true });
    expect(redacted.headers["X-Tenant"]).toEqual({ value: "***", public: false });
    expect(redacted.energy.dcgm_url).toBe("http://***@dcgm.example:9400/metrics");
    expect(MODEL.headers.Authorization).toBe("Bearer header-token-123"); // the original is untouched
  });

  it("masks URLs in argv words, alone or after --flag=", () => {
    expect(redactConfig(["run", "--model", "http://u:p@h:8080", "--model=http://h/v1?token=abc"])).toEqual([
      "run",
      "--model",
      "http://***@h:8080",
      "--model=http://h/v1?token=***",
    ]);
  });
});

describe("configSecrets", () => {
  it("lists what the run log must mask", () => {
    const secrets = configSecrets(MODEL);
    expect(secrets).toEqual(
      expect.arrayContaining([
        "hunter2pw",
        "SIGNATURE123",
        "Bearer header-token-123",
        "key-in-header-456",
        "tenant-secret-000",
        "session=cookie-secret-111",
        "mpass",
      ]),
    );
    expect(secrets).not.toContain("org-public-1");
    expect(secrets).not.toContain("public-token-789");
  });
});
