import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { POLICIES } from "../../policy/rules";
import { DEFAULT_PACK_CONFIG } from "../../policy/lib/config";
import { clusterIpService, compliantStack, edit, podSpecIn, tenantNamespace, workload } from "../helpers/policy-fixtures";

/**
 * The pack as the Pulumi CLI runs it: the CLI's policy-pack host (`@pulumi/pulumi/cmd/run-policy-pack`, which
 * `pulumi-analyzer-policy` execs with cwd `policy/`) type-checks and loads `policy/index.ts` with ts-node and
 * policy/tsconfig.json; the pack then serves the Analyzer gRPC service, and this test speaks that protocol —
 * GetAnalyzerInfo, Configure, Analyze, AnalyzeStack — in place of the CLI.
 */

const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");
const POLICY_PACK_HOST = path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack");
let server: ChildProcess | undefined;
let client: AnalyzerClient;

/** Promisified unary call: `call<Res>((done) => client.method(request, done))`. */
function call<Res>(invoke: (done: (error: grpc.ServiceError | null, response: Res) => void) => unknown): Promise<Res> {
    return new Promise((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));
}

function options(resource: PlannedResource): analyzerProto.AnalyzerResourceOptions {
    const opts = new analyzerProto.AnalyzerResourceOptions();
    opts.setAdditionalsecretoutputsList(resource.additionalSecretOutputs);
    opts.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
    if (resource.parent) opts.setParent(resource.parent);
    return opts;
}

function analyzeRequest(resource: PlannedResource): analyzerProto.AnalyzeRequest {
    const request = new analyzerProto.AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setProperties(Struct.fromJavaScript(resource.inputs as Record<string, any>));
    request.setOptions(options(resource));
    return request;
}

function stackRequest(resources: PlannedResource[]): analyzerProto.AnalyzeStackRequest {
    const request = new analyzerProto.AnalyzeStackRequest();
    request.setResourcesList(
        resources.map((r) => {
            const resource = new analyzerProto.AnalyzerResource();
            resource.setType(r.type);
            resource.setUrn(r.urn);
            resource.setName(r.name);
            resource.setProperties(Struct.fromJavaScript(r.inputs as Record<string, any>));
            resource.setOptions(options(r));
            resource.setDependenciesList(r.dependencies);
            return resource;
        }),
    );
    return request;
}

const diagnostics = (response: analyzerProto.AnalyzeResponse) =>
    response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage(), urn: d.getUrn() }));

beforeAll(async () => {
    // Arguments as the CLI passes them: <engine-address> <program>. The host drops the address (the pack talks to
    // nobody; the engine connects to the port it prints) and runs the pack in this one process.
    const child = spawn(process.execPath, [POLICY_PACK_HOST, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    server = child;
    const port = await new Promise<string>((resolve, reject) => {
        let stderr = "";
        child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdout!.on("data", (d: Buffer) => {
            const match = /^(\d+)\s*$/m.exec(d.toString());
            if (match) resolve(match[1]!);
        });
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
    client?.close();
    server?.kill();
});

describe("the pack served over the Analyzer protocol", () => {
    it("describes itself: name, version from policy/package.json, every rule with its level and config schema", async () => {
        const info = await call<analyzerProto.AnalyzerInfo>((done) => client.getAnalyzerInfo(new Empty(), done));
        expect(info.getName()).toBe("hetzner-platform");
        expect(info.getVersion()).toBe("0.1.0");
        expect(info.getSupportsconfig()).toBe(true);
        const policies = info.getPoliciesList();
        expect(policies.map((p) => p.getName())).toEqual(POLICIES.map((p) => p.name));
        const levels = Object.fromEntries(policies.map((p) => [p.getName(), p.getEnforcementlevel()]));
        expect(levels["workload-no-privileged"]).toBe(analyzerProto.EnforcementLevel.MANDATORY);
        expect(levels["workload-probes"]).toBe(analyzerProto.EnforcementLevel.ADVISORY);
        const registry = policies.find((p) => p.getName() === "workload-image-registry")!;
        expect(registry.getConfigschema()!.getProperties()!.toJavaScript()).toMatchObject({ allowedRegistries: { default: DEFAULT_PACK_CONFIG.allowedRegistries } });
        const initial = info.getInitialconfigMap().get("network-firewall-public-ports");
        expect(initial?.getProperties()?.toJavaScript()).toEqual({ allowedPublicPorts: DEFAULT_PACK_CONFIG.allowedPublicPorts });
    });

    it("analyzes a resource: a privileged Deployment is a mandatory violation", async () => {
        const privileged = edit(workload(), (i) => (podSpecIn(i).containers[0].securityContext.privileged = true));
        const found = diagnostics(await call<analyzerProto.AnalyzeResponse>((done) => client.analyze(analyzeRequest(privileged), done))).filter((d) => d.policy === "workload-no-privileged");
        expect(found).toEqual([
            { policy: "workload-no-privileged", level: analyzerProto.EnforcementLevel.MANDATORY, message: 'Containers must not run privileged.\ncontainer "web" sets securityContext.privileged: true', urn: "" },
        ]);
    });

    it("analyzes every compliant resource without a diagnostic", async () => {
        for (const resource of compliantStack().filter((r) => r.custom)) {
            expect(diagnostics(await call<analyzerProto.AnalyzeResponse>((done) => client.analyze(analyzeRequest(resource), done)))).toEqual([]);
        }
    });

    it("analyzes the stack: the compliant stack passes, a tenant without isolation does not", async () => {
        expect(diagnostics(await call<analyzerProto.AnalyzeResponse>((done) => client.analyzeStack(stackRequest(compliantStack()), done)))).toEqual([]);
        const bare = tenantNamespace("intruder");
        const found = diagnostics(await call<analyzerProto.AnalyzeResponse>((done) => client.analyzeStack(stackRequest([...compliantStack(), bare]), done))).map((d) => `${d.policy} ${d.urn}`);
        expect(found).toEqual(
            ["tenancy-resource-quota", "tenancy-limit-range", "tenancy-default-deny-network-policy", "tenancy-dns-egress"].map((p) => `${p} ${bare.urn}`),
        );
    });

    it("applies per-policy config from the engine (Configure)", async () => {
        const nodePort = edit(clusterIpService("shop"), (i) => (i.spec.type = "NodePort"));
        expect(diagnostics(await call<analyzerProto.AnalyzeResponse>((done) => client.analyze(analyzeRequest(nodePort), done))).map((d) => d.policy)).toEqual(["network-tenant-service-exposure"]);
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        const config = new analyzerProto.PolicyConfig();
        config.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
        config.setProperties(Struct.fromJavaScript({ platformNamespaces: [...DEFAULT_PACK_CONFIG.platformNamespaces, "shop"] }));
        request.getPolicyconfigMap().set("network-tenant-service-exposure", config);
        await call((done) => client.configure(request, done));
        expect(diagnostics(await call<analyzerProto.AnalyzeResponse>((done) => client.analyze(analyzeRequest(nodePort), done)))).toEqual([]);
    });
});
