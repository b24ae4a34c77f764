/**
 * `inlet tokens` end to end through main(), on every store back end: the commands open the
 * database named by --database-url, as an operator's would.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeBackends } from "../../../test/support/stores.ts";
import { hashToken } from "../../tenancy/tokens.ts";
import { main } from "../main.ts";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return { stream, text: () => text };
}

interface ListedToken {
  readonly apiKey: string;
  readonly orgId: string;
  readonly role: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

const day = 86_400_000;

for (const backend of storeBackends()) {
  describe(`inlet tokens on ${backend.name}`, () => {
    let dataDir = "";
    let databaseUrl = "";
    let cleanupDatabase: () => Promise<void>;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "inlet-tokens-cli-"));
      const { target, cleanup } = await backend.target();
      cleanupDatabase = cleanup;
      databaseUrl = target.kind === "sqlite" ? `sqlite:${target.file}` : target.url;
    });

    afterAll(async () => {
      await cleanupDatabase?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    /** `inlet ARGS… --data-dir D --database-url U`: the exit code and what went to stdout and stderr. */
    async function inlet(...args: string[]) {
      const stdout = capture();
      const stderr = capture();
      const argv = ["node", "inlet", ...args, "--data-dir", dataDir, "--database-url", databaseUrl];
      const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    }

    /** Every test has its own org, so the tests share one database without seeing each other's tokens. */
    const newOrg = () => `T${randomUUID().slice(0, 8)}@AdobeOrg`;

    async function create(org: string, ...args: string[]) {
      const { code, stdout } = await inlet("tokens", "create", "--org", org, "--json", ...args);
      expect(code).toBe(0);
      return JSON.parse(stdout) as { accessToken: string; apiKey: string; orgId: string; expiresAt?: string };
    }

    async function list(...args: string[]): Promise<ListedToken[]> {
      const { code, stdout } = await inlet("tokens", "list", "--json", ...args);
      expect(code).toBe(0);
      return JSON.parse(stdout) as ListedToken[];
    }

    it("creates a token that never expires by default, printing the same JSON as before", async () => {
      const org = newOrg();
      const created = await create(org);
      expect(Object.keys(created)).toEqual(["accessToken", "apiKey", "orgId"]);
      expect(await list("--org", org)).toEqual([
        {
          apiKey: created.apiKey,
          orgId: org,
          role: "user",
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          expiresAt: null,
          revokedAt: null,
        },
      ]);
    });

    it("creates a token expiring after --expires-in, in days, hours or minutes", async () => {
      const org = newOrg();
      for (const [duration, millis] of [
        ["30d", 30 * day],
        ["12h", 12 * 3_600_000],
        ["90m", 90 * 60_000],
      ] as const) {
        const before = Date.now();
        const created = await create(org, "--expires-in", duration);
        const expiresAt = Date.parse(created.expiresAt ?? "");
        expect(expiresAt).toBeGreaterThanOrEqual(before + millis);
        expect(expiresAt).toBeLessThanOrEqual(Date.now() + millis);
        const listed = (await list("--org", org)).find((token) => token.apiKey === created.apiKey);
        expect(listed?.expiresAt).toBe(created.expiresAt);
      }
    });

    it("says when a token expires in the human form", async () => {
      const { code, stdout } = await inlet("tokens", "create", "--org", newOrg(), "--expires-in", "1d");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ {2}Authorization: Bearer inlet_\S+$/m);
      expect(stdout).toMatch(/^It expires at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$/m);
    });

    it("refuses a malformed --expires-in with a usage error and creates nothing", async () => {
      const org = newOrg();
      for (const duration of ["30", "30s", "0d", "1.5h", "-1d", "d", "30 d", "1w", "1000000d"]) {
        const { code, stdout, stderr } = await inlet("tokens", "create", "--org", org, "--expires-in", duration);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toBe(
          `inlet: --expires-in must be a whole number (1 to 999999) of minutes, hours or days, such as 90m, 12h or 30d, got "${duration}"\n`,
        );
      }
      expect(await list("--org", org)).toEqual([]);
    });

    it("lists every org's tokens as a table without the --org filter, never printing a token or its hash", async () => {
      const first = newOrg();
      const second = newOrg();
      const lasting = await create(first, "--role", "admin");
      const expiring = await create(second, "--expires-in", "30d");
      const { code, stdout } = await inlet("tokens", "list");
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^api key +org +role +created +expires +revoked$/);
      expect(lines[1]).toMatch(/^-+( {2}-+){5}$/);
      const lastingLine = lines.find((line) => line.startsWith(lasting.apiKey));
      expect(lastingLine?.split(/ {2,}/)).toEqual([
        lasting.apiKey,
        first,
        "admin",
        expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        "never",
        "-",
      ]);
      const expiringLine = lines.find((line) => line.startsWith(expiring.apiKey));
      expect(expiringLine?.split(/ {2,}/)[4]).toBe(expiring.expiresAt?.replace(/\.\d{3}Z$/, "Z"));
      for (const secret of [lasting.accessToken, hashToken(lasting.accessToken), hashToken(expiring.accessToken)]) {
        expect(stdout).not.toContain(secret);
      }
    });

    it("revokes a token by api key once, and shows when in the list", async () => {
      const org = newOrg();
      const kept = await create(org);
      const doomed = await create(org);
      const before = Date.now();
      const revoked = await inlet("tokens", "revoke", doomed.apiKey);
      expect(revoked).toEqual({ code: 0, stdout: `Revoked the token with api key ${doomed.apiKey}.\n`, stderr: "" });
      const listed = await list("--org", org);
      const revokedAt = Date.parse(listed.find((token) => token.apiKey === doomed.apiKey)?.revokedAt ?? "");
      expect(revokedAt).toBeGreaterThanOrEqual(before);
      expect(revokedAt).toBeLessThanOrEqual(Date.now());
      expect(listed.find((token) => token.apiKey === kept.apiKey)?.revokedAt).toBeNull();

      const again = await inlet("tokens", "revoke", doomed.apiKey);
      expect(again.code).toBe(2);
      expect(again.stderr).toBe(
        `inlet: no active token has api key "${doomed.apiKey}" (unknown, or revoked already)\n`,
      );
    });

    it("refuses to revoke an unknown api key with a usage error naming it", async () => {
      const { code, stdout, stderr } = await inlet("tokens", "revoke", "inlet-nosuchkey");
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain('"inlet-nosuchkey"');
    });
  });
}
