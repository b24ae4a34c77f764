/**
 * The web console in Debian's Chromium (playwright-core, never a downloaded browser), against a
 * real `inlet` server and an imitation Mailchimp API: sign in with the keyboard, find the source in
 * the catalog, create an account through the wizard, preview data, map it (one expression), create
 * a dataflow, see its runs succeed with their record counts in the chart, run it again, and see a
 * broken spec's lint problem at its field in the playground. Screenshots of every page, at 1440 and
 * 1024 px, go to test-artifacts/console/.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowServiceClient, registerArtifacts, validateArtifacts } from "../../src/artifacts/index.ts";
import { runDatasetQuery } from "../../src/datasets/query.ts";
import { type Imitation, startMailchimp } from "../../test/imitation-apis/index.ts";
import { createFlow, FlowApi, fastRunner, prepareWorkflow, waitForRuns } from "../../test/support/flows-workflow.ts";
import { startTestServer, type TestServer } from "../../test/support/server.ts";

const chromiumPath = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));
const webDir = `${root}web`;
const dist = `${webDir}/dist`;
const shots = `${root}test-artifacts/console`;
const members = 130;
const mailchimpKey = "key-us6-e2e-secret";

const runnable = existsSync(chromiumPath) || Boolean(process.env.CI);
if (!runnable) {
  console.warn(
    `Skipping the console browser tests: ${chromiumPath} is missing. Install Debian's Chromium (apt-get install chromium); CI does (.ci/run).`,
  );
}

/** The newest modification time under a folder (the console's sources). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = `${dir}/${entry.name}`;
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds web/dist when it is missing or older than the console's sources. */
async function ensureBuilt(): Promise<void> {
  const index = `${dist}/index.html`;
  const sourcesChanged = Math.max(newest(`${webDir}/src`), statSync(`${webDir}/index.html`).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesChanged) return;
  const { build } = await import("vite");
  await build({ configFile: `${webDir}/vite.config.ts`, logLevel: "warn" });
}

describe.skipIf(!runnable)("the web console in Chromium", () => {
  let server: TestServer;
  let mailchimp: Imitation;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let flowUrl = "";

  beforeAll(async () => {
    await ensureBuilt();
    await mkdir(shots, { recursive: true });
    [server, mailchimp] = await Promise.all([
      startTestServer({ runner: fastRunner }),
      startMailchimp({ members, apiKey: mailchimpKey }),
    ]);
    const report = await validateArtifacts(`${root}examples/Sources/mailchimp-members`);
    const client = new FlowServiceClient({
      server: server.url,
      token: server.admin.accessToken,
      apiKey: server.admin.apiKey,
      org: server.admin.orgId,
    });
    const [registered] = await registerArtifacts(report, client);
    expect(registered).toMatchObject({ spec: "created", flowSpec: "appended" });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || /Content Security Policy/i.test(message.text())) {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    // Nothing may come from anywhere but the server under test.
    await page.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
      problems.push(`blocked request to ${route.request().url()}`);
      return route.abort();
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await mailchimp?.close();
  });

  /** A full-page screenshot at 1440 and at 1024 px; at 1024 nothing may overflow sideways. */
  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: `${shots}/${name}-1440.png`, fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(50);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} is wider than 1024 px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${shots}/${name}-1024.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  /** Every visible form control has a label, and every button and link a name. */
  async function expectLabelled(where: string): Promise<void> {
    const unlabelled = await page.evaluate(() => {
      const missing: string[] = [];
      for (const el of Array.from(document.querySelectorAll<HTMLElement>("input, select, textarea, button, a[href]"))) {
        if (el.offsetParent === null || (el as HTMLInputElement).type === "hidden") continue;
        const labelled =
          ((el as HTMLInputElement).labels?.length ?? 0) > 0 ||
          el.getAttribute("aria-label") ||
          el.getAttribute("aria-labelledby") ||
          ((el.tagName === "BUTTON" || el.tagName === "A") && (el.textContent ?? "").trim() !== "");
        if (!labelled) missing.push(el.outerHTML.slice(0, 120));
      }
      return missing;
    });
    expect(unlabelled, `unlabelled controls on ${where}`).toEqual([]);
  }

  it("signs in with the keyboard alone, keeping credentials out of URLs and localStorage", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await shoot("01-sign-in");
    const { accessToken, apiKey, orgId } = server.admin;
    const focused = async () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return {
          label: el?.labels?.[0]?.textContent ?? el?.textContent ?? "",
          outline: el ? getComputedStyle(el).outlineStyle : "none",
        };
      });
    const typed: Array<[string, string]> = [
      ["Access token", accessToken],
      ["API key", apiKey],
      ["Organization ID", orgId],
    ];
    for (const [label, value] of typed) {
      await page.keyboard.press("Tab");
      expect(await focused()).toEqual({ label, outline: "solid" });
      await page.keyboard.type(value);
    }
    await page.keyboard.press("Tab");
    expect((await focused()).label).toBe("Sandbox");
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual({ label: "Sign in", outline: "solid" });
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Sources", exact: true }).waitFor();
    expect(page.url()).not.toContain(accessToken);
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(await page.evaluate(() => JSON.stringify(window.sessionStorage))).toContain(accessToken);
    // The page's heading has focus; before it, the shell: skip link, navigation, switchers, sign-out.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Sources");
    const names: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      await page.keyboard.press("Shift+Tab");
      names.push(
        await page.evaluate(() => {
          const el = document.activeElement;
          return el?.closest("label")?.querySelector("span")?.textContent ?? el?.textContent ?? "";
        }),
      );
    }
    expect(names).toEqual([
      "Sign out",
      "Sandbox",
      "Organization",
      "Spec playground",
      "Dataflows",
      "Sources",
      "Skip to content",
    ]);
    expect((await focused()).outline).toBe("solid");
  });

  it("shows the source in the catalog with its icon, filtered by category and search", async () => {
    const card = page.locator(".source-card", { hasText: "MailChimp Members source" });
    await card.waitFor();
    expect(await card.locator("img.source-icon").getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await card.locator("img.source-icon").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(
      0,
    );
    await expect.poll(() => card.locator(".tag.beta").textContent()).toBe("Beta");
    await page.getByRole("radio", { name: /Marketing automation/ }).check();
    await page.getByLabel("Search sources").fill("members");
    expect(await page.locator(".source-card").count()).toBe(1);
    await page.getByLabel("Search sources").fill("no such source");
    expect(await page.locator(".source-card").count()).toBe(0);
    await page.getByLabel("Search sources").fill("");
    await page.getByRole("radio", { name: /^All/ }).check();
    await expectLabelled("the catalog");
    await shoot("02-catalog");
  });

  it("creates an account through the wizard: auth form, test, save", async () => {
    await page.getByRole("link", { name: "Set up MailChimp Members source" }).click();
    await page.getByRole("heading", { name: "New account" }).waitFor();
    expect(await page.getByLabel("password").getAttribute("type")).toBe("password");
    await page.getByLabel("host").fill(mailchimp.url);
    await page.getByLabel("username").fill("anyone");
    await page.getByLabel("password").fill(mailchimpKey);
    await page.getByRole("button", { name: "Test connection" }).click();
    // Mailchimp's first request needs the list id: the test says so instead of guessing.
    await page.getByText("Not tested yet").waitFor();
    await expectLabelled("the account step");
    await shoot("03-account");
    await page.getByRole("button", { name: "Save account and continue" }).click();
    await page.getByRole("heading", { name: "Source parameters" }).waitFor();
  });

  it("previews the data: a table of the inferred columns and each record's JSON", async () => {
    await page.getByLabel("listId").fill("L1");
    await page.getByRole("button", { name: "Preview data" }).click();
    await page.getByText("100 records from the first page").waitFor();
    const headers = await page.locator(".preview thead .column-name").allTextContents();
    expect(headers).toEqual([
      "member.id",
      "member.email_address",
      "member.status",
      "member.merge_fields.FNAME",
      "member.merge_fields.LNAME",
    ]);
    await page.getByRole("button", { name: "JSON of record 1", exact: true }).click();
    expect(await page.locator("#record-json-0 pre").textContent()).toContain('"email_address": "user0@example.com"');
    await expectLabelled("the select data step");
    await shoot("04-select-data");
    await page.getByRole("button", { name: "Next: dataset and mapping" }).click();
  });

  it("proposes a dataset from the preview and maps it by name; an expression is allowed", async () => {
    await page.getByRole("heading", { name: "Mapping", exact: true }).waitFor();
    expect(
      await page
        .locator("table.fields input[aria-label^='Name of field']")
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual(["id", "email_address", "status", "FNAME", "LNAME"]);
    expect(await page.getByLabel("Dataset field of mapping 4").inputValue()).toBe("FNAME");
    expect(await page.getByLabel("Source of mapping 4").inputValue()).toBe("member.merge_fields.FNAME");
    await page.getByLabel("Source type of mapping 2").selectOption("EXPRESSION");
    await page.getByLabel("Source of mapping 2").fill("upper(member.email_addres"); // not closed
    await page.getByRole("button", { name: "Next: schedule" }).click();
    await page.getByText("A parenthesis is not closed.").waitFor();
    await page.getByLabel("Source of mapping 2").fill("upper(member.email_address)");
    await expectLabelled("the mapping step");
    await shoot("05-dataset-and-mapping");
    await page.getByRole("button", { name: "Next: schedule" }).click();
  });

  it("schedules once, reviews and creates the dataflow", async () => {
    await page.getByRole("heading", { name: "Schedule", exact: true }).waitFor();
    expect(await page.getByLabel("Frequency").inputValue()).toBe("once");
    await page.getByLabel("Frequency").selectOption("minute");
    await page.getByLabel(/Interval/).fill("5");
    await page.getByRole("button", { name: "Next: review" }).click();
    await page.getByText("Every minute needs an interval of at least 15 (minutes).").waitFor();
    await page.getByLabel("Frequency").selectOption("once");
    await expectLabelled("the schedule step");
    await shoot("06-schedule");
    await page.getByRole("button", { name: "Next: review" }).click();
    await page.getByRole("heading", { name: "Review", exact: true }).waitFor();
    expect(await page.locator("dl.summary").textContent()).toContain("upper(member.email_address) → email_address");
    await shoot("07-review");
    await page.getByRole("button", { name: "Create dataflow" }).click();
    await page.getByRole("heading", { name: "Records per run" }).waitFor();
    flowUrl = page.url();
    expect(flowUrl).toMatch(/\/dataflows\/[0-9a-f-]{36}$/);
  });

  it("monitors the dataflow: the run succeeds with its record count in the chart", async () => {
    const firstRun = page.locator("table.runs tbody tr").first();
    await firstRun.locator(".badge", { hasText: "success" }).waitFor({ timeout: 30_000 });
    expect(await firstRun.locator("td.num").allTextContents()).toEqual([String(members), String(members), "0"]);
    const inBar = page.locator(".chart .bar.in text.value");
    await expect.poll(() => inBar.allTextContents()).toEqual([String(members)]);
    expect(await page.locator(".chart svg desc").textContent()).toContain(`Run #1: ${members} in, 0 failed.`);
    // The expression wrote upper-case e-mails into the dataset.
    const datasetId = (await page.locator("dl.summary dt:text('Dataset') + dd").textContent())?.trim() ?? "";
    expect(datasetId).toMatch(/^[0-9a-f]{24}$/);
    const rows = await runDatasetQuery(
      server.dataDir,
      `SELECT email_address, FNAME FROM ds_${datasetId} ORDER BY id LIMIT 1`,
    );
    expect(rows.rows[0]).toEqual({ email_address: "USER0@EXAMPLE.COM", FNAME: "First0" });

    await page.getByRole("button", { name: "Run now" }).click();
    await expect.poll(() => page.locator("table.runs tbody tr").count(), { timeout: 10_000 }).toBe(2);
    await page
      .locator("table.runs tbody tr")
      .first()
      .locator(".badge", { hasText: "success" })
      .waitFor({ timeout: 30_000 });
    await expect.poll(() => inBar.allTextContents()).toEqual([String(members), String(members)]);
    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByText("Dataflow disabled.").waitFor();
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByText("Dataflow enabled.").waitFor();
    expect(await page.locator("#run-details-title").textContent()).toContain("Run #2");
    expect(await page.locator("dl.metrics").textContent()).toContain("Stop reasonshort-page");
    await expectLabelled("the dataflow page");
    await shoot("08-dataflow");
  });

  it("lists the dataflow with its state and last run", async () => {
    await page.getByRole("link", { name: "Dataflows", exact: true }).click();
    const row = page.locator("table.flows tbody tr", { hasText: "MailChimp Members source dataflow" });
    await row.waitFor();
    expect(await row.locator("td").nth(1).textContent()).toBe("MailChimp Members source");
    expect(await row.locator(".badge").allTextContents()).toEqual(["enabled", "success"]);
    await expectLabelled("the dataflows list");
    await shoot("09-dataflows");
  });

  it("shows a failed run's errors and sample failed records", async () => {
    const api = new FlowApi(server.url, server.admin);
    const workflow = await prepareWorkflow(api, {
      connectionSpecId: "2e8580db-6489-4726-96de-e33f5f60295f",
      auth: {
        specName: "Basic Authentication",
        params: { host: mailchimp.url, username: "x", password: mailchimpKey },
      },
      sourceParams: { listId: "L1" },
      schema: { type: "object", properties: { id: { type: "string" }, n: { type: "integer" } } },
      mappings: [
        { sourceType: "ATTRIBUTE", source: "member.id", destination: "id" },
        { sourceType: "EXPRESSION", source: "to_integer(member.email_address)", destination: "n" },
      ],
      scheduleParams: { startTime: Math.floor(Date.now() / 1000) - 60, frequency: "once" },
      options: { errorDiagnosticsEnabled: true },
      name: "Members with a broken mapping",
    });
    const flowId = await createFlow(api, workflow);
    const [run] = await waitForRuns(api, flowId, 1, 30_000);
    expect(run.state).toBe("failed");
    await page.goto(`${server.url}/dataflows/${flowId}`);
    await page.locator("table.runs .badge", { hasText: "failed" }).waitFor();
    expect(await page.locator(".chart .bar.failed text.value").allTextContents()).toEqual([String(members)]);
    const details = page.getByRole("region", { name: /Run #1/ });
    expect(await details.locator("ul.errors").textContent()).toContain("MAPPER-3700-400");
    const sample = (await details.locator("table tbody tr").first().textContent()) ?? "";
    expect(sample).toContain('to_integer("user0@example.com")');
    await shoot("12-dataflow-failed-run");
  });

  it("runs a test read in the playground, secrets redacted, and shows why it stopped", async () => {
    await page.getByRole("link", { name: "Spec playground" }).click();
    await page.getByLabel("Load a registered spec").selectOption({ label: "MailChimp Members source" });
    await page.getByText("No problems: the spec is valid.").waitFor();
    await page.locator("#read-auth_host").fill(mailchimp.url);
    await page.locator("#read-auth_username").fill("anyone");
    await page.locator("#read-auth_password").fill(mailchimpKey);
    await page.locator("#read-params_listId").fill("L1");
    await page.getByLabel("Records (at most 100)").fill("100");
    await page.getByRole("button", { name: "Run test read" }).click();
    await page.getByText("Stop reason: record-limit").waitFor();
    const result = (await page.getByRole("region", { name: "Result" }).textContent()) ?? "";
    expect(result).toContain("[REDACTED]");
    expect(result).not.toContain(mailchimpKey);
    expect(result).toContain("/3.0/lists/L1/members?count=100&offset=0");
    await expectLabelled("the playground");
    await shoot("10-playground-read");
  });

  it("shows a broken spec's lint problem at its field", async () => {
    const editor = page.getByLabel("Connection spec (JSON)");
    const text = await editor.inputValue();
    await editor.fill(text.replace('"type": "OFFSET"', '"type": "OFFSETS"'));
    await page.getByText("1 error, 0 warnings").waitFor();
    const problem = page.locator(".lint-problem.error");
    expect(await problem.locator(".pointer").textContent()).toBe("/sourceSpec/attributes/paginationParams/type");
    const hit = (await problem.locator(".cf-line.hit").textContent()) ?? "";
    expect(hit).toContain('"type": "OFFSETS"');
    expect(await problem.locator(".cf-message").textContent()).toMatch(/\^ "OFFSETS" is not a pagination type/);
    const line = Number(hit.match(/^\d+/)?.[0]);
    expect(await page.locator(".gutter-line.error").textContent()).toBe(`●${line}`);
    await problem.getByRole("button", { name: new RegExp(`^Line ${line}`) }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Connection spec (JSON)",
    );
    await shoot("11-playground-lint");
    expect(problems).toEqual([]);
  });
});
