import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { REDIS_IMAGES } from "../../../charts/images";
import { CHARTS, chartFilePath } from "../../../charts/versions";
import { chartCrdUrls, crdNameOfFile } from "../../../charts/crds";
import { REDIS_OPERATOR_USER, REDIS_RELEASE, redisOperatorWorkloads, renderRedisOperatorValues } from "../../../components/databases/redis-values";
import { stackPlatformConfig } from "../project/fixtures";
import { ROOT } from "../../helpers/synth";

const fsn1 = stackPlatformConfig("fsn1");
const rendered = (stack: string) => JSON.parse(fs.readFileSync(`${ROOT}/charts/rendered/${stack}/redis-operator.json`, "utf8"));

describe("OpsTree Redis Operator", () => {
    it("runs the operator image the chart pins (v<appVersion>), cluster-wide, on the servers, without its webhook or the alpha config init container", () => {
        const values = renderRedisOperatorValues(fsn1) as Record<string, any>;
        expect(values.redisOperator).toMatchObject({ imageName: REDIS_IMAGES.operator.repository, imageTag: REDIS_IMAGES.operator.tag, watchNamespace: "", webhook: false });
        expect(values).toMatchObject({ rbac: { scope: "cluster" }, featureGates: { GenerateConfigInInitContainer: false }, nodeSelector: { "node-role.kubernetes.io/control-plane": "true" } });
        expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        // What real Helm rendered at the pinned commit (charts/rendered, tools/render-charts.ts): one Deployment named
        // redis-operator (also its ServiceAccount: REDIS_OPERATOR_USER), a ClusterRole for every namespace, no webhook objects.
        for (const stack of ["dev", "fsn1", "hel1"]) {
            const facts = rendered(stack);
            expect(facts.version).toBe(CHARTS.redisOperator.version);
            expect(facts.images).toEqual([`${REDIS_IMAGES.operator.repository}:${REDIS_IMAGES.operator.tag}`]);
            expect(facts.kinds).toEqual({ ClusterRole: 1, ClusterRoleBinding: 1, ServiceAccount: 1, Deployment: 1 });
            const [workload] = redisOperatorWorkloads(fsn1);
            expect(facts.workloads[0]).toMatchObject({ name: workload!.workload, replicas: workload!.pods });
            expect(facts.workloads[0].containers.map((c: { name: string; requests: unknown; limits: unknown }) => ({ [c.name]: { requests: c.requests, limits: c.limits } }))).toEqual(
                Object.entries(workload!.containers).map(([name, block]) => ({ [name]: block })),
            );
        }
        expect(REDIS_OPERATOR_USER).toBe(`system:serviceaccount:redis-operator:${REDIS_RELEASE}`);
    });

    it("applies exactly the CRDs the chart ships under crds/, from the operator's tag", () => {
        const files = chartCrdUrls("redisOperator").map((url) => url.split("/").pop()!);
        expect(files.map((f) => crdNameOfFile(f)).sort()).toEqual([...rendered("fsn1").crdsDirectoryCrds].sort());
        for (const url of chartCrdUrls("redisOperator")) {
            expect(url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/OT-CONTAINER-KIT\/redis-operator\/v0\.26\.0\/config\/crd\/bases\//);
        }
    });

    it("commits the RedisReplication CRD of the operator version the chart installs, with its source", () => {
        const text = fs.readFileSync(chartFilePath("redis-operator/crd-redisreplications.yaml"), "utf8");
        expect(text).toMatch(/github\.com\/OT-CONTAINER-KIT\/redis-operator@v0\.26\.0 \(commit [0-9a-f]{40}\)/);
        const crd = yaml.load(text) as { spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean }> } };
        expect(crd.spec.group).toBe("redis.redis.opstreelabs.in");
        expect(crd.spec.names.kind).toBe("RedisReplication");
        expect(crd.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(["v1beta2"]);
    });
});
