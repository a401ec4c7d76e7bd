/**
 * The CI and scale-out examples (examples/github-actions, examples/kubernetes): their YAML parses,
 * has the structure its engine needs (jobs, steps, matrix; Indexed Job, volumes, claims), the shard
 * counts agree, and every `opbench …` command they run is a command of this CLI with options it
 * has. The CLI's commands and options are read from its own yargs definition (its help), not
 * from a list kept here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { buildCli } from "../../src/cli/main.ts";
import { parseShard, SHARD_INDEX_ENV } from "../../src/cli/shard-option.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const GITHUB = join(ROOT, "examples", "github-actions", "opbench.yml");
const KUBERNETES = join(ROOT, "examples", "kubernetes", "indexed-job.yaml");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is checked field by field below
type Yaml = any;

/** yargs' help for `opbench <path…> --help`, generated from the CLI's definition. */
function helpOf(path: string[]): Promise<string> {
  const args = [...path, "--help"];
  return new Promise((resolve) => {
    buildCli(args, { code: 0 })
      .exitProcess(false)
      .parse(args, {}, (_error: unknown, _argv: unknown, output: string) => resolve(output));
  });
}

interface CommandSurface {
  /** Subcommand names, when the command has any. */
  commands: Set<string>;
  /** `--long` and `-s` option names, positionals excluded. */
  options: Set<string>;
}

const surfaces = new Map<string, Promise<CommandSurface>>();

/** The commands and options of `opbench <path…>`, read from its help. */
function surfaceOf(path: string[]): Promise<CommandSurface> {
  const key = path.join(" ");
  let surface = surfaces.get(key);
  if (!surface) {
    surface = helpOf(path).then((help) => {
      const commands = new Set<string>();
      const options = new Set<string>();
      let section = "";
      for (const line of help.split("\n")) {
        if (/^\S.*:$/.test(line)) section = line;
        const command = new RegExp(`^\\s+opbench ${path.map((p) => `${p} `).join("")}([a-z][\\w-]*)`).exec(
          line,
        );
        if (section === "Commands:" && command) commands.add(command[1]!);
        const option = /^\s+(?:(-\w), )?(--[\w-]+)/.exec(line);
        if (section === "Options:" && option) {
          options.add(option[2]!);
          if (option[1]) options.add(option[1]);
        }
      }
      return { commands, options };
    });
    surfaces.set(key, surface);
  }
  return surface;
}

/** Problems of one `opbench` invocation (its words after `opbench`): unknown commands or options. */
async function problemsOf(words: string[]): Promise<string[]> {
  const shown = `opbench ${words.join(" ")}`;
  const path: string[] = [];
  let surface = await surfaceOf(path);
  let i = 0;
  while (surface.commands.size > 0 && i < words.length && !words[i]!.startsWith("-")) {
    if (!surface.commands.has(words[i]!)) {
      const where = path.length ? `opbench ${path.join(" ")}` : "opbench";
      return [`${shown}: ${where} has no command ${words[i]} (it has ${[...surface.commands].join(", ")})`];
    }
    path.push(words[i]!);
    surface = await surfaceOf(path);
    i++;
  }
  if (path.length === 0) return [`${shown}: no command`];
  const problems: string[] = [];
  for (const word of words.slice(i)) {
    if (!word.startsWith("-") || word === "-" || word === "--") continue;
    const name = word.split("=")[0]!;
    const negated = name.startsWith("--no-") ? `--${name.slice(5)}` : undefined;
    if (!surface.options.has(name) && !(negated && surface.options.has(negated))) {
      problems.push(`${shown}: opbench ${path.join(" ")} has no option ${name}`);
    }
  }
  return problems;
}

/**
 * The `opbench` invocations of a shell script, as word lists: lines continued with `\` joined,
 * split at `&&`, `||`, `;` and `|`, words unquoted. A word `opbench` (or `opbench@version`)
 * starts an invocation when a word follows it.
 */
function invocations(script: string): string[][] {
  const found: string[][] = [];
  for (const line of script.replace(/\\\n/g, " ").split("\n")) {
    for (const segment of line.split(/&&|\|\||;|\|/)) {
      const words = segment
        .trim()
        .split(/\s+/)
        .map((w) => w.replace(/^["']|["']$/g, ""));
      const at = words.findIndex((w) => /^opbench(@[\w.-]+)?$/.test(w));
      if (at >= 0 && words[at + 1]) found.push(words.slice(at + 1));
    }
  }
  return found;
}

async function expectRealCommands(scripts: string[], least: string[]): Promise<void> {
  const runs = scripts.flatMap(invocations);
  // Each command named in `least` is run somewhere (so the check above is not vacuous).
  for (const name of least)
    expect(
      runs.some((words) => words[0] === name),
      name,
    ).toBe(true);
  const problems = (await Promise.all(runs.map(problemsOf))).flat();
  expect(problems).toEqual([]);
}

describe("the command check itself", () => {
  it("reads commands and options from the CLI and finds unknown ones", async () => {
    expect((await surfaceOf([])).commands).toEqual(expect.objectContaining(new Set(["run", "merge"])));
    expect((await surfaceOf(["run"])).options.has("--shard")).toBe(true);
    expect(await problemsOf(["run", "s.yaml", "--shard", "1/2", "-o", "summary-json"])).toEqual([]);
    expect(await problemsOf(["merge", "a", "b", "--out", "m", "--no-json"])).toEqual([]);
    expect(await problemsOf(["mrege", "a"])).toEqual([expect.stringContaining("has no command mrege")]);
    expect(await problemsOf(["merge", "a", "--outt", "m"])).toEqual([
      expect.stringContaining("opbench merge has no option --outt"),
    ]);
    expect(invocations('set -e\nnpx opbench run "$S" \\\n  --shard 1/4 && opbench merge a --out b')).toEqual([
      ["run", "$S", "--shard", "1/4"],
      ["merge", "a", "--out", "b"],
    ]);
  });
});

describe("examples/github-actions/opbench.yml", () => {
  const workflow: Yaml = parse(readFileSync(GITHUB, "utf8"));
  const jobs: Record<string, Yaml> = workflow.jobs;
  const steps = (job: string): Yaml[] => jobs[job].steps;
  const runs = (job: string): string[] => steps(job).flatMap((s: Yaml) => (s.run ? [s.run] : []));
  /** GitHub's expression for the matrix's shard, as the workflow writes it. */
  const SHARD = ["$", "{{ matrix.shard }}"].join("");

  it("is a workflow: triggers, jobs with a runner and steps, each step a run or a pinned action", () => {
    expect(workflow.on).toHaveProperty("pull_request");
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(Object.keys(jobs)).toEqual(["shard", "merge", "pages"]);
    for (const [id, job] of Object.entries(jobs)) {
      expect(typeof job["runs-on"], id).toBe("string");
      expect(Array.isArray(job.steps) && job.steps.length > 0, id).toBe(true);
      for (const step of job.steps) {
        expect("run" in step !== "uses" in step, JSON.stringify(step)).toBe(true);
        if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[\w.-]+$/);
      }
      for (const need of [job.needs ?? []].flat()) expect(Object.keys(jobs)).toContain(need);
    }
  });

  it("runs a matrix of shards 1…n with --shard i/n, n the SHARDS the workflow sets", () => {
    const n = Number(workflow.env.SHARDS);
    expect(n).toBeGreaterThan(1);
    expect(jobs.shard.strategy.matrix.shard).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const [run] = runs("shard").filter((r) => r.includes("opbench run"));
    expect(run).toContain(`--shard ${SHARD}/$SHARDS`);
    for (const i of jobs.shard.strategy.matrix.shard)
      expect(parseShard(`${i}/${n}`)).toEqual({ index: i, count: n });
    const upload = steps("shard").find((s: Yaml) => s.uses?.startsWith("actions/upload-artifact"));
    expect(upload.with.name).toBe(`opbench-shard-${SHARD}`);
    expect(upload.with.path).toBe(`runs/shard-${SHARD}`);
  });

  it("merges every shard's artifact, then gates, then publishes the report, the comment and Pages", () => {
    expect(jobs.merge.needs).toBe("shard");
    const download = steps("merge").find((s: Yaml) => s.uses?.startsWith("actions/download-artifact"));
    expect(download.with.pattern).toBe("opbench-shard-*");
    const order = (text: string) => steps("merge").findIndex((s: Yaml) => s.run?.includes(text));
    expect(order(`opbench merge ${download.with.path}/opbench-shard-* --out runs/merged`)).toBeGreaterThan(0);
    expect(order("opbench gate runs/merged")).toBeGreaterThan(order("opbench merge"));
    const after = steps("merge").slice(order("opbench gate") + 1);
    const upload = after.find((s: Yaml) => s.uses?.startsWith("actions/upload-artifact"));
    expect(upload.with.path).toContain("runs/merged/report.html");
    expect(upload.if).toContain("!cancelled()");
    const comment = after.find((s: Yaml) => s.uses?.startsWith("marocchino/sticky-pull-request-comment"));
    expect(comment.with.path).toBe("runs/merged/report.md");
    expect(jobs.merge.permissions["pull-requests"]).toBe("write");
    expect(after.some((s: Yaml) => s.uses?.startsWith("actions/upload-pages-artifact"))).toBe(true);
    expect(jobs.pages.permissions).toEqual({ pages: "write", "id-token": "write" });
    expect(jobs.pages.environment.name).toBe("github-pages");
    expect(jobs.pages.steps.some((s: Yaml) => s.uses?.startsWith("actions/deploy-pages"))).toBe(true);
  });

  it("runs only real opbench commands and options", async () => {
    await expectRealCommands(Object.keys(jobs).flatMap(runs), ["run", "merge", "gate"]);
  });
});

describe("examples/kubernetes/indexed-job.yaml", () => {
  const docs: Yaml[] = parseAllDocuments(readFileSync(KUBERNETES, "utf8")).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const jobs = byKind("Job");
  const indexed = jobs.find((j) => j.spec.completionMode === "Indexed");
  const merge = jobs.find((j) => j !== indexed);
  const containers = (job: Yaml): Yaml[] => [
    ...(job.spec.template.spec.initContainers ?? []),
    ...job.spec.template.spec.containers,
  ];
  const scripts = (job: Yaml): string[] =>
    containers(job).flatMap((c: Yaml) => [[...(c.command ?? []), ...(c.args ?? [])].join(" ")]);

  it("is Kubernetes objects: every document has apiVersion, kind and a name", () => {
    for (const doc of docs) {
      expect(typeof doc.apiVersion).toBe("string");
      expect(typeof doc.kind).toBe("string");
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(jobs).toHaveLength(2);
    expect(indexed).toBeDefined();
    expect(merge).toBeDefined();
  });

  it("has Jobs a cluster accepts: batch/v1, a restart policy, containers with images, mounts of declared volumes", () => {
    const claims = new Set(byKind("PersistentVolumeClaim").map((c) => c.metadata.name));
    for (const job of jobs) {
      expect(job.apiVersion).toBe("batch/v1");
      const pod = job.spec.template.spec;
      expect(["Never", "OnFailure"]).toContain(pod.restartPolicy);
      const volumes = new Map<string, Yaml>(pod.volumes.map((v: Yaml) => [v.name, v]));
      for (const container of containers(job)) {
        expect(container.name).toBeTruthy();
        expect(container.image).toBeTruthy();
        for (const mount of container.volumeMounts ?? [])
          expect(volumes.has(mount.name), mount.name).toBe(true);
      }
      for (const volume of volumes.values()) {
        if (volume.persistentVolumeClaim) expect(claims).toContain(volume.persistentVolumeClaim.claimName);
      }
    }
    const [claim] = byKind("PersistentVolumeClaim");
    expect(claim.spec.accessModes).toContain("ReadWriteMany");
  });

  it("splits the run over an Indexed Job whose completions equal the n of --shard auto/n", () => {
    const n = indexed.spec.completions;
    expect(Number.isInteger(n) && n > 1).toBe(true);
    expect(indexed.spec.parallelism).toBeLessThanOrEqual(n);
    const [script] = scripts(indexed);
    expect(script).toContain(`--shard auto/${n}`);
    expect(script).toContain("$JOB_COMPLETION_INDEX");
    // Each pod's index 0…n-1 is one shard 1…n.
    const shards = Array.from({ length: n }, (_, i) =>
      parseShard(`auto/${n}`, { [SHARD_INDEX_ENV]: String(i) }),
    );
    expect(shards.map((s) => s.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it("merges and gates in a second Job that waits for the first and reads the same volume", () => {
    const [wait, run = ""] = scripts(merge);
    expect(wait).toContain(`job/${indexed.metadata.name}`);
    expect(run).toMatch(/opbench merge \/runs\/\$RUN\/shard-\* --out \/runs\/\$RUN\/merged/);
    expect(run.indexOf("opbench gate")).toBeGreaterThan(run.indexOf("opbench merge"));
    const claimOf = (job: Yaml) =>
      job.spec.template.spec.volumes.find((v: Yaml) => v.persistentVolumeClaim)?.persistentVolumeClaim
        .claimName;
    expect(claimOf(merge)).toBe(claimOf(indexed));
    const account = merge.spec.template.spec.serviceAccountName;
    expect(byKind("ServiceAccount").map((a) => a.metadata.name)).toContain(account);
    const binding = byKind("RoleBinding").find((b) => b.subjects.some((s: Yaml) => s.name === account));
    const role = byKind("Role").find((r) => r.metadata.name === binding.roleRef.name);
    expect(role.rules.some((r: Yaml) => r.resources.includes("jobs") && r.verbs.includes("watch"))).toBe(
      true,
    );
  });

  it("runs only real opbench commands and options", async () => {
    await expectRealCommands([...scripts(indexed), ...scripts(merge)], ["run", "merge", "gate"]);
  });
});
