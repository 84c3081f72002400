import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { MONGODB_IMAGES } from "../../../charts/images";
import { CHARTS, chartFilePath } from "../../../charts/versions";
import { chartCrdUrls, crdNameOfFile } from "../../../charts/crds";
import { PSMDB_OPERATOR_USER, PSMDB_RELEASE, psmdbOperatorWorkloads, renderPsmdbOperatorValues } from "../../../components/databases/mongodb-values";
import { stackPlatformConfig } from "../project/fixtures";
import { ROOT } from "../../helpers/synth";

const fsn1 = stackPlatformConfig("fsn1");
const rendered = (stack: string) => JSON.parse(fs.readFileSync(`${ROOT}/charts/rendered/${stack}/psmdb-operator.json`, "utf8"));
const CRD_FILES = ["crd-perconaservermongodbs.yaml", "crd-perconaservermongodbbackups.yaml", "crd-perconaservermongodbrestores.yaml"];

describe("Percona Operator for MongoDB", () => {
    it("runs the operator image the chart pins (its appVersion), cluster-wide, on the servers, without telemetry", () => {
        const values = renderPsmdbOperatorValues(fsn1) as Record<string, any>;
        expect(values.image).toMatchObject({ repository: MONGODB_IMAGES.operator.repository, tag: MONGODB_IMAGES.operator.tag });
        expect(values).toMatchObject({ watchAllNamespaces: true, disableTelemetry: true, nodeSelector: { "node-role.kubernetes.io/control-plane": "true" } });
        // What real Helm rendered at the pinned tag (charts/rendered, tools/render-charts.ts): one Deployment named
        // after the release (also its ServiceAccount: PSMDB_OPERATOR_USER), a ClusterRole for every namespace.
        for (const stack of ["dev", "fsn1", "hel1"]) {
            const facts = rendered(stack);
            expect(facts.version).toBe(CHARTS.psmdbOperator.version);
            expect(facts.images).toEqual([`${MONGODB_IMAGES.operator.repository}:${MONGODB_IMAGES.operator.tag}`]);
            expect(facts.kinds).toMatchObject({ ClusterRole: 1, ClusterRoleBinding: 1, ServiceAccount: 1, Deployment: 1 });
            const [workload] = psmdbOperatorWorkloads(fsn1);
            expect(facts.workloads[0]).toMatchObject({ name: workload!.workload, replicas: workload!.pods });
            expect(facts.workloads[0].containers.map((c: { name: string; requests: unknown; limits: unknown }) => ({ [c.name]: { requests: c.requests, limits: c.limits } }))).toEqual(
                Object.entries(workload!.containers).map(([name, block]) => ({ [name]: block })),
            );
        }
        expect(PSMDB_OPERATOR_USER).toBe(`system:serviceaccount:psmdb-system:${PSMDB_RELEASE}`);
    });

    it("applies exactly the CRDs the chart ships under crds/, from the operator's tag the chart pins", () => {
        const files = chartCrdUrls("psmdbOperator").map((url) => url.split("/").pop()!);
        expect(files.map((f) => crdNameOfFile(f)).sort()).toEqual([...rendered("fsn1").crdsDirectoryCrds].sort());
        for (const url of chartCrdUrls("psmdbOperator")) {
            expect(url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/percona\/percona-server-mongodb-operator\/v1\.22\.0\/config\/crd\/bases\//);
        }
    });

    it("commits the three CRDs of the operator version the chart installs, with their source", () => {
        const kinds = CRD_FILES.map((file) => {
            const text = fs.readFileSync(chartFilePath(`psmdb-operator/${file}`), "utf8");
            expect(text).toMatch(/github\.com\/percona\/percona-server-mongodb-operator@v1\.22\.0 \(commit [0-9a-f]{40}\)/);
            const crd = yaml.load(text) as { spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean }> } };
            expect(crd.spec.group).toBe("psmdb.percona.com");
            expect(crd.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(["v1"]);
            return crd.spec.names.kind;
        });
        expect(kinds).toEqual(["PerconaServerMongoDB", "PerconaServerMongoDBBackup", "PerconaServerMongoDBRestore"]);
    });
});
