import { describe, expect, it } from "vitest";
import type { DeployReport } from "../../../tools/driver/render";
import { conciseError, LineRedactingStream, REDACTED, Redactor, renderJson, renderMarkdown, renderText } from "../../../tools/driver/render";
import { summarizeEvents } from "../../../tools/driver/events";
import { loadEngineEvents } from "../../helpers/fake-workspace";

function report(fixture: string, overrides: Partial<DeployReport> = {}): DeployReport {
    return {
        command: "preview",
        stack: "dev",
        exitCode: 0,
        status: "succeeded",
        backend: "file:///work/main/.pulumi-state",
        summary: summarizeEvents(loadEngineEvents(fixture)),
        durationSeconds: 15,
        ...overrides,
    };
}

const none = new Redactor([]);

describe("markdown summary", () => {
    it("starts with a marker the workflow uses to update its comment, and a headline", () => {
        const markdown = renderMarkdown(report("preview-changes"), none);
        const lines = markdown.split("\n");
        expect(lines[0]).toBe("<!-- platform-deploy:preview:dev -->");
        expect(lines[1]).toBe("### ✅ `preview` · stack `dev` · succeeded (exit 0)");
        expect(markdown).toContain("**2 to create, 2 to update, 1 to replace, 1 to delete, 6 unchanged**");
    });

    it("has one table row per changed type and folds unchanged types away", () => {
        const markdown = renderMarkdown(report("preview-changes"), none);
        expect(markdown).toContain("| resource type | create | update | replace | delete | other |");
        expect(markdown).toContain("| `hcloud:index/server:Server` |  |  | 1 |  |  |");
        expect(markdown).toContain("| `hcloud:index/placementGroup:PlacementGroup` |  |  |  | 1 |  |");
        expect(markdown).toContain("| `kubernetes:helm.sh/v3:Release` |  | 1 |  |  |  |");
        expect(markdown).toContain("<details><summary>6 unchanged resource(s) of 6 type(s)</summary>");
        expect(markdown).not.toMatch(/\| `pulumi:pulumi:Stack` \|/);
        expect(markdown).toContain("policy packs `platform-security@v0.1.0`");
    });

    it("lists policy violations with escaped table cells", () => {
        const markdown = renderMarkdown(report("preview-policy-violation", { stack: "hel1", exitCode: 2, status: "policy-violation" }), none);
        expect(markdown).toContain("### ⛔ `preview` · stack `hel1` · policy-violation (exit 2)");
        expect(markdown).toContain("#### Policy: 1 mandatory, 1 advisory");
        expect(markdown).toContain("| mandatory | `platform-security/no-privileged-containers` | `shop-web` | Container web is privileged.<br>Remove securityContext.privileged or set it to false. |");
        expect(markdown).toContain("writable root filesystem \\| consider readOnlyRootFilesystem: true");
    });

    it("reports drift with the method used", () => {
        const markdown = renderMarkdown(
            report("drift-found", { command: "drift", stack: "fsn1", exitCode: 3, status: "drift", drift: { detected: true, method: "preview with refresh and expectNoChanges" } }),
            none,
        );
        expect(markdown).toContain("<!-- platform-deploy:drift:fsn1 -->");
        expect(markdown).toContain("Drift: **found** — preview with refresh and expectNoChanges");
        expect(markdown).toContain("| `hcloud:index/firewall:Firewall` |  | 1 |  |  |  |");
    });

    it("stays under GitHub's comment size limit", () => {
        const big = report("preview-changes");
        for (let i = 0; i < 3000; i += 1) {
            big.summary.byType[`hcloud:index/server:Server${i}`] = { create: 1, update: 0, replace: 0, delete: 0, same: 0, other: 0 };
        }
        const markdown = renderMarkdown(big, none);
        expect(markdown.length).toBeLessThan(65_536);
        expect(markdown).toContain("… truncated; the full report is in the job log.");
    });
});

describe("text summary", () => {
    it("prints status, totals, changed types and the drift verdict", () => {
        const text = renderText(
            report("drift-found", { command: "drift", stack: "fsn1", exitCode: 3, status: "drift", drift: { detected: true, method: "preview with refresh" } }),
            none,
        );
        expect(text).toContain("drift check of stack fsn1: drift (exit 3)");
        expect(text).toContain("changes: 0 to create, 1 to update, 0 to replace, 0 to delete, 4 unchanged");
        expect(text).toContain("drift: FOUND (preview with refresh)");
        expect(text).toMatch(/hcloud:index\/firewall:Firewall\s+update 1/);
    });

    it("prints failures, errors and the concise error", () => {
        const text = renderText(report("up-failed", { command: "up", exitCode: 1, status: "failed", error: "error: update failed" }), none);
        expect(text).toContain("update of stack dev: failed (exit 1)");
        expect(text).toContain("failed: create urn:pulumi:dev::platform::pulumi:pulumi:Stack$platform:cluster:K3sCluster$command:remote:Command::dev-server-0-k3s-start");
        expect(text).toContain("  error: error: update failed");
    });
});

describe("secret redaction", () => {
    const leakedKey = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzEXAMPLEKEY"; // the value the provider error in up-failed echoes
    const kubeconfig = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://dev-server-0.tail4f2a1c.ts.net:6443\n  name: default\n";
    const dbPassword = "pg-Sup3rSecret-shop";

    function leakyReport(): DeployReport {
        return report("up-failed", {
            command: "up",
            exitCode: 1,
            status: "failed",
            error: `error: upload failed for secret key ${leakedKey}`,
            outputs: {
                kubeconfig: { value: kubeconfig, secret: true },
                projectDatabaseCredentials: { value: { shop: { user: "shop", password: dbPassword } }, secret: true },
                publicIps: { value: ["203.0.113.24"], secret: false },
                // A non-secret output holding an engine secret marker (nested secret from exported state).
                nodes: { value: { run: ["dev-run-0"], token: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } }, secret: false },
                // A non-secret output that happens to contain a credential from the environment.
                note: { value: `etcd key ${leakedKey}`, secret: false },
            },
        });
    }

    it("never renders secret output values or secret env values, in text, markdown or JSON", () => {
        const redactor = new Redactor([leakedKey, "correct horse battery"]);
        for (const rendered of [renderText(leakyReport(), redactor), renderMarkdown(leakyReport(), redactor), renderJson(leakyReport(), redactor)]) {
            expect(rendered).not.toContain(leakedKey);
            expect(rendered).not.toContain("tail4f2a1c.ts.net:6443");
            expect(rendered).not.toContain(dbPassword);
            expect(rendered).not.toContain("v1:abc");
            expect(rendered).toContain(REDACTED);
            expect(rendered).toContain("203.0.113.24");
        }
    });

    it("writes secret outputs as [secret] in the JSON document", () => {
        const json = JSON.parse(renderJson(leakyReport(), new Redactor([leakedKey]))) as { outputs: Record<string, unknown>; diagnostics: Array<{ message: string }> };
        expect(json.outputs).toEqual({
            kubeconfig: REDACTED,
            nodes: { run: ["dev-run-0"], token: REDACTED },
            note: `etcd key ${REDACTED}`,
            projectDatabaseCredentials: REDACTED,
            publicIps: ["203.0.113.24"],
        });
        expect(json.diagnostics[0]?.message).toContain(`SignatureDoesNotMatch for secret key ${REDACTED}`);
    });

    it("redacts a secret that arrives split across streamed chunks", () => {
        let written = "";
        const stream = new LineRedactingStream(new Redactor(["tok-1234567890abcdef"]), (text) => {
            written += text;
        });
        stream.push("Updating (dev):\n  hcloud error: token tok-12345");
        expect(written).toBe("Updating (dev):\n");
        stream.push("67890abcdef rejected\nlast line without newline tok-1234567890abcdef");
        stream.flush();
        expect(written).toBe("Updating (dev):\n  hcloud error: token [secret] rejected\nlast line without newline [secret]");
    });

    it("replaces a longer secret whole when it contains a shorter one", () => {
        expect(new Redactor(["abcd", "abcdefgh"]).redact("x abcdefgh y abcd")).toBe("x [secret] y [secret]");
    });

    it("does not search for values shorter than four characters (they are not credentials and would shred the log)", () => {
        expect(new Redactor(["on"]).redact("preview done")).toBe("preview done");
    });
});

describe("concise error", () => {
    it("keeps the CLI's error lines, not the whole command transcript", () => {
        const error = new Error("code: 255\n stdout: Previewing update (dev)\n... 400 lines ...\n stderr: error: preview failed\nerror: preview failed\n err?: Error: exit 255\n");
        expect(conciseError(error)).toBe("error: preview failed");
        expect(conciseError(new Error("x".repeat(700)))).toHaveLength(601);
    });
});
