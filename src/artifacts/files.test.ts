import { describe, expect, it } from "vitest";
import { checkFileNames } from "./files.ts";

const files = (...names: string[]) => names.map((name) => ({ name, isFile: true }));
const complete = (source: string) =>
  files(
    `${source}-category.txt`,
    `${source}-description.txt`,
    `${source}-icon.svg`,
    `${source}-label.txt`,
    `${source}-connectionSpec.json`,
  );

describe("checkFileNames", () => {
  it("accepts the five files named after the source", () => {
    const layout = checkFileNames("zendesk", complete("zendesk"));
    expect(layout.problems).toEqual([]);
    expect(layout.files).toEqual({
      category: "zendesk-category.txt",
      description: "zendesk-description.txt",
      icon: "zendesk-icon.svg",
      label: "zendesk-label.txt",
      connectionSpec: "zendesk-connectionSpec.json",
    });
  });

  it("reports each missing file by its expected name", () => {
    const layout = checkFileNames("zendesk", files("zendesk-label.txt"));
    expect(layout.problems.map((p) => `${p.severity} ${p.file}`)).toEqual([
      "error zendesk-category.txt",
      "error zendesk-description.txt",
      "error zendesk-icon.svg",
      "error zendesk-connectionSpec.json",
    ]);
    expect(layout.problems[0]?.message).toMatch(/missing/);
  });

  it("recognises misnamed files, still checks them and says what to rename them to", () => {
    const layout = checkFileNames(
      "mailchimp-members",
      files(
        "mailchimp-category.txt",
        "mailchimp-members-description.txt",
        "logo.svg",
        "Mailchimp-Members-label.txt",
        "mailchimp-members-connectionspec.json",
      ),
    );
    expect(layout.files).toEqual({
      category: "mailchimp-category.txt",
      description: "mailchimp-members-description.txt",
      icon: "logo.svg",
      label: "Mailchimp-Members-label.txt",
      connectionSpec: "mailchimp-members-connectionspec.json",
    });
    const misnamed = layout.problems.filter((p) => p.message.startsWith("misnamed"));
    expect(misnamed.map((p) => p.file).sort()).toEqual([
      "Mailchimp-Members-label.txt",
      "logo.svg",
      "mailchimp-category.txt",
      "mailchimp-members-connectionspec.json",
    ]);
    expect(misnamed.find((p) => p.file === "logo.svg")?.message).toContain("rename it to mailchimp-members-icon.svg");
    expect(misnamed.every((p) => p.severity === "error")).toBe(true);
  });

  it("warns about unexpected files and folders, ignores hidden ones", () => {
    const layout = checkFileNames("zendesk", [
      ...complete("zendesk"),
      ...files("README.md", ".DS_Store"),
      { name: "drafts", isFile: false },
    ]);
    expect(layout.problems.map((p) => `${p.severity} ${p.file}`)).toEqual(["warning README.md", "warning drafts/"]);
  });

  it("does not hand one file to two artifacts", () => {
    const layout = checkFileNames("x", files("x-icon.svg", "other.svg"));
    expect(layout.files.icon).toBe("x-icon.svg");
    expect(layout.problems.find((p) => p.file === "other.svg")?.severity).toBe("warning");
  });
});
