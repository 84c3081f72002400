import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
    grafanaOrgsState,
    renderGrafanaOrgsConfigMap,
    renderGrafanaOrgsJob,
    renderGrafanaOrgsScript,
    viewerPasswordsDigest,
    viewerSecretKey,
    type GrafanaOrgsState,
} from "../../../components/observability/grafana-orgs";
import { LOKI_URL } from "../../../components/observability/values";
import { RELEASE_TIMEOUT_SECONDS } from "../../../charts/versions";
import { evaluatePolicies } from "../../../policy/offline";
import { validateObject } from "../../helpers/k8s-schema";
import { planned } from "../../helpers/policy-fixtures";
import { serviceAt } from "../../helpers/service-dns";
import { shellcheck } from "../../helpers/tools";
import { startFakeGrafana, type FakeGrafana } from "../../helpers/grafana-fake-server";

/**
 * The per-project Grafana organisations (components/observability/grafana-orgs.ts): what the state grants, and the
 * Job's script run against a local Grafana API fake, from a messy starting point (a contact already in the main
 * organisation, a datasource pinned to another tenant), twice.
 */

const projects = [
    { id: "shop", contact: { name: "Shop team", email: "Shop@example.com" } },
    { id: "shop-eu", contact: { name: "Shop team", email: "shop@example.com" } },
    { id: "paas-app", contact: { name: "PaaS", email: "paas@example.com" } },
];

describe("the organisations' state", () => {
    const state = grafanaOrgsState(projects);

    it("gives every project one organisation whose one datasource is Loki pinned to the project's tenant, and no metrics", () => {
        expect(state.orgs.map((o) => o.name)).toEqual(["paas-app", "shop", "shop-eu"]);
        for (const org of state.orgs) {
            expect(org.datasource).toMatchObject({ type: "loki", url: LOKI_URL, tenant: org.name, jsonData: { httpHeaderName1: "X-Scope-OrgID" } });
        }
        expect(JSON.stringify(state)).not.toMatch(/prometheus/i);
    });

    it("makes each contact a Viewer of exactly its own projects' organisations (one user per e-mail, case-insensitive)", () => {
        expect(state.viewers.map((v) => [v.login, v.orgs])).toEqual([
            ["paas@example.com", ["paas-app"]],
            ["shop@example.com", ["shop", "shop-eu"]],
        ]);
        expect(state.viewers[1]!.passwordFile).toBe(`/viewers/${viewerSecretKey("SHOP@example.com")}`);
        expect(viewerSecretKey("shop@example.com")).toMatch(/^[-._a-zA-Z0-9]+$/);
    });

    it("waits for Grafana itself, created beside the monitoring release: annotated, naming Grafana's Service, polling until the Job's deadline, which covers that release's Helm timeout", () => {
        const job = renderGrafanaOrgsJob(grafanaOrgsState(projects), "");
        expect(job.metadata!.annotations).toEqual({ "platform/waits-for-services": "true" });
        expect(job.spec!.template.spec!.containers[0]!.env).toEqual([{ name: "GRAFANA_API", value: "http://kube-prometheus-stack-grafana.monitoring.svc.cluster.local/api" }]);
        expect(job.spec!.activeDeadlineSeconds).toBe(RELEASE_TIMEOUT_SECONDS.kubePrometheusStack + 600);
        // No attempt cap of its own below the deadline: a slow release does not make the Job give up first.
        const script = renderGrafanaOrgsScript();
        expect(script).toContain('curl -sf "$api/health" >/dev/null || probe=$?');
        expect(script).toContain('sleep "${GRAFANA_ORGS_POLL_SECONDS:-10}"\n');
        expect(script).not.toMatch(/seq 1 \d+\); do\n\s*if curl -sf "\$api\/health"/);
    });

    it("fails for good, not retried, when the script finds Grafana's Service gone (a failed, rolled-back release)", () => {
        const spec = renderGrafanaOrgsJob(grafanaOrgsState(projects), "").spec!;
        expect(spec.podFailurePolicy).toEqual({ rules: [{ action: "FailJob", onExitCodes: { containerName: "configure", operator: "In", values: [100] } }] });
        expect(spec.template.spec!.restartPolicy).toBe("Never");
        expect(spec.backoffLimit).toBe(3);
    });

    it("renames the Job when the catalog or a password changes, not otherwise", () => {
        const name = (s: GrafanaOrgsState, digest: string) => renderGrafanaOrgsJob(s, digest).metadata!.name;
        const digest = viewerPasswordsDigest({ a: "1" });
        expect(name(state, digest)).toBe(name(grafanaOrgsState([...projects].reverse()), digest));
        expect(name(state, digest)).not.toBe(name(grafanaOrgsState(projects.slice(1)), digest));
        expect(name(state, digest)).not.toBe(name(state, viewerPasswordsDigest({ a: "2" })));
    });

    it("is a schema-valid Job and ConfigMap that the policy pack admits, with a script shellcheck accepts", () => {
        const job = renderGrafanaOrgsJob(state, "d");
        expect(validateObject(job)).toMatchObject({ status: "valid" });
        expect(validateObject(renderGrafanaOrgsConfigMap(state))).toMatchObject({ status: "valid" });
        const violations = evaluatePolicies([planned("kubernetes:batch/v1:Job", "grafana-orgs", job as unknown as Record<string, unknown>)]).filter((v) => v.enforcementLevel === "mandatory");
        expect(violations).toEqual([]);
        const check = shellcheck(renderGrafanaOrgsScript());
        expect(check.ok, check.output).toBe(true);
    });
});

describe("the organisations Job's script against a Grafana API", () => {
    let grafana: FakeGrafana | undefined;
    let dir: string | undefined;
    afterEach(async () => {
        await grafana?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function run(state: GrafanaOrgsState, api: string, adminDir: string, env: Record<string, string> = {}, onOutput: (output: string) => void = () => undefined): Promise<{ code: number; output: string }> {
        const stateFile = path.join(dir!, "orgs.json");
        fs.writeFileSync(stateFile, JSON.stringify(state));
        const script = path.join(dir!, "configure.sh");
        fs.writeFileSync(script, renderGrafanaOrgsScript());
        return new Promise((resolve) => {
            const child = spawn("bash", [script], { env: { ...process.env, GRAFANA_API: api, GRAFANA_ORGS_STATE: stateFile, GRAFANA_ADMIN_DIR: adminDir, ...env } });
            let output = "";
            const add = (d: Buffer) => {
                output += d;
                onOutput(output);
            };
            child.stdout.on("data", add);
            child.stderr.on("data", add);
            child.on("close", (code) => resolve({ code: code ?? -1, output }));
        });
    }

    /** An empty admin directory and state: the fail-fast runs end before either is read. */
    function emptyInputs(): { adminDir: string; state: GrafanaOrgsState } {
        const adminDir = path.join(dir!, "admin");
        fs.mkdirSync(adminDir);
        fs.writeFileSync(path.join(adminDir, "admin-user"), "admin");
        fs.writeFileSync(path.join(adminDir, "admin-password"), "admin-secret");
        return { adminDir, state: { orgs: [], viewers: [] } };
    }

    it("gives up at once, with its own exit code, once Grafana's Service stops resolving after it did (the release was rolled back)", async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-orgs-"));
        const curlHome = path.join(dir, "curl");
        fs.mkdirSync(curlHome);
        // The Service exists, Grafana does not answer yet: nothing listens on port 9 of this host.
        serviceAt(curlHome, "grafana.invalid", 9);
        const { adminDir, state } = emptyInputs();
        let gone = false;
        const started = Date.now();
        const result = await run(state, "http://grafana.invalid:9/api", adminDir, { CURL_HOME: curlHome, GRAFANA_ORGS_POLL_SECONDS: "0.2" }, (output) => {
            if (!gone && output.includes("(attempt 3)")) {
                gone = true;
                serviceAt(curlHome, "grafana.invalid", undefined);
            }
        });
        expect(result.code, result.output).toBe(100);
        expect(result.output).toContain("Grafana's Service is gone");
        // Six unresolved probes in a row (the sixth fails the Job), not the Job's deadline: attempts 4 to 8 print,
        // the ninth probe ends it (one more, should the .curlrc go only after the fourth probe on a loaded machine).
        const attempts = [...result.output.matchAll(/\(attempt (\d+)\)/g)].map((m) => Number(m[1]));
        expect([8, 9]).toContain(attempts.at(-1));
        expect(Date.now() - started).toBeLessThan(20_000);
    }, 30_000);

    it("keeps waiting while Grafana's Service was never seen (the release has not created it yet), and applies the state once Grafana answers", async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-orgs-"));
        grafana = await startFakeGrafana("admin-secret");
        const port = Number(new URL(grafana.api).port);
        const curlHome = path.join(dir, "curl");
        fs.mkdirSync(curlHome);
        const { adminDir, state } = emptyInputs();
        let created = false;
        const result = await run(state, `http://grafana.invalid:${port}/api`, adminDir, { CURL_HOME: curlHome, GRAFANA_ORGS_POLL_SECONDS: "0.05" }, (output) => {
            if (!created && output.includes("(attempt 12)")) {
                created = true;
                serviceAt(curlHome, "grafana.invalid", port);
            }
        });
        expect(result.code, result.output).toBe(0);
        expect(result.output).toContain("grafana organisations applied");
        expect(result.output).not.toContain("is gone");
    }, 30_000);

    it("leaves every contact a Viewer of its own organisations only, each reading only its own tenant; a second run creates nothing", async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-orgs-"));
        grafana = await startFakeGrafana("admin-secret");
        const adminDir = path.join(dir, "admin");
        const viewersDir = path.join(dir, "viewers");
        fs.mkdirSync(adminDir);
        fs.mkdirSync(viewersDir);
        fs.writeFileSync(path.join(adminDir, "admin-user"), "admin");
        fs.writeFileSync(path.join(adminDir, "admin-password"), "admin-secret");
        const base = grafanaOrgsState(projects);
        const state: GrafanaOrgsState = { ...base, viewers: base.viewers.map((v) => ({ ...v, passwordFile: path.join(viewersDir, path.basename(v.passwordFile)) })) };
        for (const viewer of state.viewers) {
            fs.writeFileSync(viewer.passwordFile, `pw-of-${viewer.login}`);
        }
        // A messy start: the shop contact signed up into the main organisation (auto_assign_org) with another
        // password and as a server admin, and the shop organisation's Loki reads paas-app's tenant.
        const g = grafana.state;
        g.users.set(50, { id: 50, login: "shop@example.com", email: "shop@example.com", name: "Shop", password: "old", isGrafanaAdmin: true });
        g.orgs.get(1)!.members.set(50, "Editor");
        g.orgs.set(7, { name: "shop", members: new Map([[1, "Admin"]]), datasources: new Map([["loki", { uid: "loki", name: "x", type: "loki", url: LOKI_URL, access: "proxy", jsonData: {}, secureJsonData: { httpHeaderValue1: "paas-app" } }]]) });

        const first = await run(state, grafana.api, adminDir);
        expect(first.code, first.output).toBe(0);

        const orgByName = new Map([...g.orgs.entries()].map(([id, o]) => [o.name, { id, ...o }]));
        for (const project of ["shop", "shop-eu", "paas-app"]) {
            const org = orgByName.get(project)!;
            expect([...org.datasources.keys()], project).toEqual(["loki"]);
            const loki = org.datasources.get("loki")!;
            expect(loki.jsonData.httpHeaderName1).toBe("X-Scope-OrgID");
            expect(loki.secureJsonData.httpHeaderValue1, project).toBe(project);
            expect(loki.url).toBe(LOKI_URL);
        }
        const memberships = (login: string) => {
            const user = [...g.users.values()].find((u) => u.login === login)!;
            return {
                user,
                orgs: [...g.orgs.values()].filter((o) => o.members.has(user.id)).map((o) => [o.name, o.members.get(user.id)]).sort(),
            };
        };
        const shop = memberships("shop@example.com");
        expect(shop.orgs).toEqual([["shop", "Viewer"], ["shop-eu", "Viewer"]]);
        expect(shop.user).toMatchObject({ id: 50, password: "pw-of-shop@example.com", isGrafanaAdmin: false });
        const paas = memberships("paas@example.com");
        expect(paas.orgs).toEqual([["paas-app", "Viewer"]]);
        expect(paas.user).toMatchObject({ password: "pw-of-paas@example.com", isGrafanaAdmin: false });
        // The main organisation (every tenant's logs, all metrics) keeps only the admin.
        expect([...g.orgs.get(1)!.members.keys()]).toEqual([1]);

        const writesBefore = grafana.writes.length;
        const second = await run(state, grafana.api, adminDir);
        expect(second.code, second.output).toBe(0);
        const secondWrites = grafana.writes.slice(writesBefore);
        expect(secondWrites.filter((w) => /^(POST|DELETE) /.test(w))).toEqual([]);
        expect(g.orgs.size).toBe(4);
    }, 60_000);
});
