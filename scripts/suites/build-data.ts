/**
 * Writes the ready suites' data (suites/data/<suite>/) from the datasets in ../shared/datasets
 * (or the folder given as the first argument): the rows each suite uses, chosen deterministically
 * (suites/README.md says how), and each dataset's LICENSE beside them. A developer's tool: the
 * suites read only the files it writes. Run: node scripts/suites/build-data.ts [datasets-dir]
 */
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

const ROOT = resolve(import.meta.dirname, "..", "..");
const DATASETS = resolve(process.argv[2] ?? join(ROOT, "..", "shared", "datasets"));
const OUT = join(ROOT, "suites", "data");

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const jsonl = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The `n` items whose key's sha256 sorts lowest, back in their original order. */
function lowestHashes<T>(items: readonly T[], n: number, key: (item: T, index: number) => string): T[] {
  const ranked = items.map((item, index) => ({ item, index, hash: sha256(key(item, index)) }));
  ranked.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return ranked
    .slice(0, n)
    .sort((a, b) => a.index - b.index)
    .map((r) => r.item);
}

function writeSuiteData(name: string, files: Record<string, string>, licences: Record<string, string>) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  for (const [to, from] of Object.entries(licences)) {
    copyFileSync(join(DATASETS, from), join(dir, to));
    chmodSync(join(dir, to), 0o644); // the shared copies are read-only
  }
  console.log(`${name}: ${Object.keys(files).join(", ")}`);
}

const toJsonl = (rows: readonly unknown[]) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;

/** BANKING77: the 3 queries of each intent whose text hashes lowest (231 rows). */
function banking77() {
  const lines = readFileSync(join(DATASETS, "banking77", "test.csv"), "utf8");
  const rows = (parse(lines, { columns: true }) as { text: string; category: string }[]).map((r, i) => ({
    id: `b77-${i}`,
    ...r,
  }));
  const byIntent = new Map<string, typeof rows>();
  for (const row of rows) byIntent.set(row.category, [...(byIntent.get(row.category) ?? []), row]);
  const chosen = new Set([...byIntent.values()].flatMap((group) => lowestHashes(group, 3, (r) => r.text)));
  const kept = rows.filter((row) => chosen.has(row));
  const labels = JSON.parse(readFileSync(join(DATASETS, "banking77", "categories.json"), "utf8")) as string[];
  writeSuiteData(
    "banking77",
    {
      "queries.csv": stringify(kept, { header: true, columns: ["id", "text", "category"] }),
      "labels.json": `${JSON.stringify(labels, null, 2)}\n`,
    },
    { LICENSE: "banking77/LICENSE" },
  );
}

/** GoEmotions: by sha256 of the comment id, the first 300 rows without `mixed` sentiment, and the first 300 rows. */
function goemotions() {
  const rows = jsonl(join(DATASETS, "goemotions", "test_2000.jsonl")) as {
    id: string;
    text: string;
    emotions: string[];
    sentiment: string;
  }[];
  const unmixed = rows.filter((r) => r.sentiment !== "mixed");
  const sentiment = lowestHashes(unmixed, 300, (r) => r.id).map(({ id, text, sentiment }) => ({
    id,
    text,
    sentiment,
  }));
  const emotions = lowestHashes(rows, 300, (r) => r.id).map(({ id, text, emotions }) => ({
    id,
    text,
    emotions,
  }));
  const labels = readFileSync(join(DATASETS, "goemotions", "emotions.txt"), "utf8")
    .split("\n")
    .filter(Boolean);
  writeSuiteData(
    "goemotions",
    {
      "sentiment.jsonl": toJsonl(sentiment),
      "emotions.jsonl": toJsonl(emotions),
      "emotion-labels.json": `${JSON.stringify(labels, null, 2)}\n`,
    },
    { LICENSE: "goemotions/LICENSE" },
  );
}

const SLOTS = ["people", "date", "time", "first_name", "last_name"] as const;

/** Restaurant-8k: by sha256 of the example's index, 200 examples with slots and 50 without. */
function restaurant8k() {
  type Example = {
    userInput: { text: string };
    context?: { requestedSlots?: string[] };
    labels?: { slot: string; valueSpan: { startIndex?: number; endIndex: number } }[];
  };
  const examples = (
    JSON.parse(readFileSync(join(DATASETS, "restaurant8k", "test.json"), "utf8")) as Example[]
  ).map((example, index) => ({ example, index }));
  const key = (e: { index: number }) => String(e.index);
  const withSlots = examples.filter((e) => (e.example.labels ?? []).length > 0);
  const without = examples.filter((e) => (e.example.labels ?? []).length === 0);
  const chosen = new Set([...lowestHashes(withSlots, 200, key), ...lowestHashes(without, 50, key)]);
  const rows = examples
    .filter((e) => chosen.has(e))
    .map(({ example, index }) => {
      const text = example.userInput.text;
      const slots: Record<string, string | null> = Object.fromEntries(SLOTS.map((s) => [s, null]));
      for (const label of example.labels ?? []) {
        slots[label.slot] = text.slice(label.valueSpan.startIndex ?? 0, label.valueSpan.endIndex);
      }
      const requested = example.context?.requestedSlots ?? [];
      return {
        id: `r8k-${index}`,
        text,
        requested: requested.length === 0 ? "nothing in particular" : [...new Set(requested)].join(", "),
        slots,
      };
    });
  writeSuiteData("restaurant8k", { "utterances.jsonl": toJsonl(rows) }, { LICENSE: "restaurant8k/LICENSE" });
}

/** presidio_pii: the 250 rows whose id hashes lowest; `{{TYPE}}` placeholders written `<TYPE>`. */
function presidio() {
  const rows = jsonl(join(DATASETS, "presidio_pii", "synth_pii.jsonl")) as {
    id: number;
    text: string;
    entities: { type: string; value: string; start: number; end: number }[];
    masked: string;
  }[];
  const kept = lowestHashes(rows, 250, (r) => String(r.id)).map((r) => ({
    id: `pii-${r.id}`,
    text: r.text,
    entities: { entities: r.entities.map((e) => ({ type: e.type, text: e.value })) },
    redacted: r.masked.replace(/\{\{([A-Z_]+)\}\}/g, "<$1>"),
  }));
  writeSuiteData("pii", { "sentences.jsonl": toJsonl(kept) }, { LICENSE: "presidio_pii/LICENSE" });
}

/** Spider dev: every 5th question (id divisible by 5), with its database's CREATE TABLEs. */
function spider() {
  const schemas = new Map(
    (jsonl(join(DATASETS, "spider", "schemas.jsonl")) as { db_id: string; ddl: string }[]).map((s) => [
      s.db_id,
      s.ddl,
    ]),
  );
  const rows = (
    jsonl(join(DATASETS, "spider", "dev.jsonl")) as {
      id: number;
      db_id: string;
      question: string;
      query: string;
    }[]
  )
    .filter((r) => r.id % 5 === 0)
    .map((r) => ({
      id: `spider-${r.id}`,
      db_id: r.db_id,
      question: r.question,
      query: r.query,
      schema: schemas.get(r.db_id),
    }));
  writeSuiteData(
    "spider",
    { "questions.jsonl": toJsonl(rows) },
    { LICENSE: "spider/LICENSE", "LICENSE-repository-Apache-2.0": "spider/LICENSE-repository-Apache-2.0" },
  );
}

/** SciTLDR-A test: every 5th paper (row index divisible by 5). */
function scitldr() {
  const rows = jsonl(join(DATASETS, "scitldr", "test.jsonl"))
    .filter((_, index) => index % 5 === 0)
    .map((r) => ({ paper_id: r.paper_id, title: r.title, source: r.source, targets: r.targets }));
  writeSuiteData("scitldr", { "abstracts.jsonl": toJsonl(rows) }, { LICENSE: "scitldr/LICENSE" });
}

banking77();
goemotions();
restaurant8k();
presidio();
spider();
scitldr();
