import { describe, expect, it } from "vitest";
import {
  basicAuthorization,
  credentialedGet,
  joinUrl,
  maskUrl,
  maskUrlsIn,
  urlHasCredentials,
  urlSecrets,
} from "../../src/core/url.ts";

describe("maskUrl", () => {
  it("hides user info and every query value, keeping scheme, host, path and parameter names", () => {
    expect(maskUrl("http://user:pw@proxy.local:8080/v1/")).toBe("http://***@proxy.local:8080/v1");
    expect(maskUrl("https://h.example/openai/deployments/d?api-version=2024-06-01&sig=abc%2Fdef")).toBe(
      "https://h.example/openai/deployments/d?api-version=***&sig=***",
    );
    expect(maskUrl("https://h.example/v1?token=t0k#frag-secret")).toBe("https://h.example/v1?token=***");
    expect(maskUrl("https://only-user@h.example")).toBe("https://***@h.example");
  });

  it("leaves a URL without credentials as it was (less a trailing slash)", () => {
    expect(maskUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(maskUrl("https://api.openai.com/v1/")).toBe("https://api.openai.com/v1");
  });

  it("never returns an unparseable URL as given, and leaves plain words alone", () => {
    expect(maskUrl("http://user:pw@[bad")).toBe("(unparseable URL)");
    expect(maskUrl("models/base.gguf")).toBe("models/base.gguf");
  });

  it("masks URLs quoted inside a message", () => {
    expect(maskUrlsIn("GET http://a:b@h/metrics?k=v answered HTTP 401: no")).toBe(
      "GET http://***@h/metrics?k=*** answered HTTP 401: no",
    );
  });
});

describe("urlSecrets and urlHasCredentials", () => {
  it("list the user info and the secret-looking query values, decoded and as written", () => {
    const secrets = urlSecrets(
      "http://us%40er:p%3Aw0rd@h/v1?api-version=2024-06-01&sig=a%2Bb&x=0123456789abcdef0123",
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        "us%40er",
        "us@er",
        "p%3Aw0rd",
        "p:w0rd",
        "a+b",
        "a%2Bb",
        "0123456789abcdef0123",
      ]),
    );
    expect(secrets).toContain(Buffer.from("us@er:p:w0rd").toString("base64"));
    // A short value of a parameter not named like a secret may well be a date in an answer.
    expect(secrets).not.toContain("2024-06-01");
    expect(urlSecrets("http://h/v1")).toEqual([]);
    expect(urlHasCredentials("http://h/v1")).toBe(false);
    expect(urlHasCredentials("http://h/v1?k=1")).toBe(true);
    expect(urlHasCredentials("http://u@h/v1")).toBe(true);
  });
});

describe("joinUrl", () => {
  it("appends the API path before the base URL's query", () => {
    expect(joinUrl("https://h.example/openai/v1?api-version=2024-06-01", "/chat/completions")).toBe(
      "https://h.example/openai/v1/chat/completions?api-version=2024-06-01",
    );
    expect(joinUrl("http://127.0.0.1:8080/", "/health")).toBe("http://127.0.0.1:8080/health");
    expect(joinUrl("http://127.0.0.1:8080", "completion")).toBe("http://127.0.0.1:8080/completion");
  });

  it("adds a query given with the path to the base's", () => {
    expect(joinUrl("https://h/v1beta?key=k", "models/g:streamGenerateContent?alt=sse")).toBe(
      "https://h/v1beta/models/g:streamGenerateContent?key=k&alt=sse",
    );
  });

  it("keeps user info for the request itself", () => {
    expect(joinUrl("http://u:p@h/v1", "/x")).toBe("http://u:p@h/v1/x");
  });
});

describe("basic authorization from user info", () => {
  it("encodes the decoded user and password", () => {
    expect(basicAuthorization(new URL("http://us%40er:p%3Aw@h/"))).toBe(
      `Basic ${Buffer.from("us@er:p:w").toString("base64")}`,
    );
    expect(basicAuthorization(new URL("http://h/"))).toBeUndefined();
  });

  it("credentialedGet strips user info into a header", () => {
    expect(credentialedGet("http://u:p@h:9400/metrics", "text/plain")).toEqual({
      url: "http://h:9400/metrics",
      headers: { accept: "text/plain", authorization: `Basic ${Buffer.from("u:p").toString("base64")}` },
    });
    expect(credentialedGet("http://h:9400/metrics", "text/plain")).toEqual({
      url: "http://h:9400/metrics",
      headers: { accept: "text/plain" },
    });
  });
});
