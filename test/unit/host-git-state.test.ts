import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findExecutable } from "../../src/energy/line-process.ts";
import { gitState, mayBeInGitRepository, startRunFacts } from "../../src/host/host-info.ts";

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

describe("gitState (run_start's git record, from one git status)", () => {
  it("is null outside a checkout and before the first commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-git-"));
    expect(await gitState(dir)).toEqual({ commit: null, dirty: null });
    git(dir, "init", "-q");
    writeFileSync(join(dir, "a.txt"), "a\n");
    git(dir, "add", "a.txt");
    expect(await gitState(dir)).toEqual({ commit: null, dirty: null });
  });

  it("names HEAD's commit and is dirty when a tracked file changed, not for an untracked one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-git-"));
    git(dir, "init", "-q");
    writeFileSync(join(dir, "a.txt"), "a\n");
    git(dir, "add", "a.txt");
    git(dir, "commit", "-q", "-m", "first");
    const head = git(dir, "rev-parse", "HEAD");
    expect(await gitState(dir)).toEqual({ commit: head, dirty: false });
    writeFileSync(join(dir, "untracked.txt"), "u\n");
    expect(await gitState(dir)).toEqual({ commit: head, dirty: false });
    writeFileSync(join(dir, "a.txt"), "changed\n");
    expect(await gitState(dir)).toEqual({ commit: head, dirty: true });
    git(dir, "add", "a.txt");
    expect(await gitState(dir)).toEqual({ commit: head, dirty: true });
    // A folder inside the checkout reads the same checkout.
    const sub = join(dir, "sub");
    execFileSync("mkdir", [sub]);
    expect((await gitState(sub)).commit).toBe(head);
  });

  it("keeps the commit when the status runs past a megabyte, and when the status fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-git-"));
    git(dir, "init", "-q");
    // ~310 bytes of porcelain v2 a changed file: 4,000 of them is over Node's default 1 MiB buffer.
    const names = Array.from({ length: 4000 }, (_, i) => `${"f".repeat(180)}-${i}.txt`);
    for (const name of names) writeFileSync(join(dir, name), "a\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "many");
    const head = git(dir, "rev-parse", "HEAD");
    for (const name of names) writeFileSync(join(dir, name), "changed\n");
    const status = execFileSync("git", ["status", "--porcelain=v2", "--branch"], {
      cwd: dir,
      maxBuffer: 1 << 28,
    });
    expect(status.length).toBeGreaterThan(1 << 20);
    expect(await gitState(dir)).toEqual({ commit: head, dirty: true });
    // A corrupt index makes `git status` fail; HEAD's commit is still read, the dirty flag is not known.
    writeFileSync(join(dir, ".git", "index"), "not an index");
    expect(() => execFileSync("git", ["status"], { cwd: dir, stdio: "ignore" })).toThrow();
    expect(await gitState(dir)).toEqual({ commit: head, dirty: null });
  }, 60_000);

  it("startRunFacts gathers the same facts ahead of time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-git-"));
    const facts = startRunFacts(dir);
    expect(await facts.git).toEqual({ commit: null, dirty: null });
    const host = await facts.host;
    expect(host.cores).toBeGreaterThan(0);
    expect(host.hostname_hash).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("mayBeInGitRepository (no git spawned outside a checkout)", () => {
  it("is false for a folder with no repository in it or above it, true inside one", () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-git-"));
    const sub = join(dir, "a", "b");
    mkdirSync(sub, { recursive: true });
    expect(mayBeInGitRepository(sub, {})).toBe(false);
    // git is asked whenever GIT_DIR names a repository elsewhere.
    expect(mayBeInGitRepository(sub, { GIT_DIR: "/elsewhere/.git" })).toBe(true);
    git(dir, "init", "-q");
    expect(mayBeInGitRepository(sub, {})).toBe(true);
    expect(mayBeInGitRepository(dir, {})).toBe(true);
  });

  it("finds a worktree's .git file and a bare repository", () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-git-"));
    const bare = join(dir, "bare.git");
    git(dir, "init", "-q", "--bare", bare);
    expect(mayBeInGitRepository(bare, {})).toBe(true);
    const worktree = join(dir, "wt");
    mkdirSync(worktree);
    expect(mayBeInGitRepository(worktree, {})).toBe(false);
    writeFileSync(join(worktree, ".git"), `gitdir: ${bare}\n`);
    expect(mayBeInGitRepository(worktree, {})).toBe(true);
  });
});

describe("findExecutable", () => {
  it("finds an executable on PATH past folders without it, not a folder, a file that is not executable or a symlink loop", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-path-"));
    const empty = join(dir, "empty");
    const plain = join(dir, "plain");
    const tools = join(dir, "tools");
    const loops = join(dir, "loops");
    for (const folder of [empty, plain, tools, loops]) mkdirSync(folder);
    // A stat of it fails with ELOOP, even for root (a folder it may not search fails alike).
    symlinkSync(join(loops, "tool"), join(loops, "tool"));
    mkdirSync(join(empty, "tool"));
    writeFileSync(join(plain, "tool"), "not executable\n");
    writeFileSync(join(tools, "tool"), "#!/bin/sh\n");
    chmodSync(join(tools, "tool"), 0o755);
    symlinkSync(join(tools, "tool"), join(tools, "linked"));
    const path = process.env.PATH;
    process.env.PATH = [join(dir, "missing"), empty, plain, loops, tools].join(":");
    try {
      expect(await findExecutable("tool")).toBe(join(tools, "tool"));
      expect(await findExecutable("linked")).toBe(join(tools, "linked"));
      expect(await findExecutable("absent")).toBeNull();
      expect(await findExecutable(join(plain, "tool"))).toBeNull();
      expect(await findExecutable(join(tools, "tool"))).toBe(join(tools, "tool"));
    } finally {
      process.env.PATH = path;
    }
  });
});
