import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { MYSQL_OPERATOR_IMAGES } from "../../../charts/images";
import { CHARTS, chartFilePath } from "../../../charts/versions";
import { chartCrdUrls, crdNameOfFile } from "../../../charts/crds";
import { PXC_OPERATOR_USER, PXC_RELEASE, pxcOperatorWorkloads, renderPxcOperatorValues } from "../../../components/databases/mysql-values";
import { stackPlatformConfig } from "../project/fixtures";
import { ROOT } from "../../helpers/synth";

const fsn1 = stackPlatformConfig("fsn1");
const rendered = (stack: string) => JSON.parse(fs.readFileSync(`${ROOT}/charts/rendered/${stack}/pxc-operator.json`, "utf8"));
const CRD_FILES = ["crd-perconaxtradbclusters.yaml", "crd-perconaxtradbclusterbackups.yaml", "crd-perconaxtradbclusterrestores.yaml"];

describe("Percona Operator for MySQL based on Percona XtraDB Cluster", () => {
    it("runs the operator image the chart pins (its appVersion), cluster-wide, on the servers, restricted, without telemetry", () => {
        const values = renderPxcOperatorValues(fsn1) as Record<string, any>;
        expect(values.image).toBe(`${MYSQL_OPERATOR_IMAGES.operator.repository}:${MYSQL_OPERATOR_IMAGES.operator.tag}`);
        expect(MYSQL_OPERATOR_IMAGES.operator.tag).toBe(CHARTS.pxcOperator.version);
        expect(values).toMatchObject({ watchAllNamespaces: true, disableTelemetry: true, nodeSelector: { "node-role.kubernetes.io/control-plane": "true" } });
        expect(values.containerSecurityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
        // What real Helm rendered at the pinned tag (charts/rendered, tools/render-charts.ts): one Deployment named
        // after the release (also its ServiceAccount: PXC_OPERATOR_USER), a ClusterRole for every namespace.
        for (const stack of ["dev", "fsn1", "hel1"]) {
            const facts = rendered(stack);
            expect(facts.version).toBe(CHARTS.pxcOperator.version);
            expect(facts.images).toEqual([values.image]);
            expect(facts.kinds).toMatchObject({ ClusterRole: 1, ClusterRoleBinding: 1, ServiceAccount: 1, Deployment: 1 });
            const [workload] = pxcOperatorWorkloads(fsn1);
            expect(facts.workloads[0]).toMatchObject({ name: workload!.workload, replicas: workload!.pods });
            expect(facts.workloads[0].containers.map((c: { name: string; requests: unknown; limits: unknown }) => ({ [c.name]: { requests: c.requests, limits: c.limits } }))).toEqual(
                Object.entries(workload!.containers).map(([name, block]) => ({ [name]: block })),
            );
        }
        expect(PXC_OPERATOR_USER).toBe(`system:serviceaccount:pxc-system:${PXC_RELEASE}`);
    });

    it("applies exactly the CRDs the chart ships under crds/, from the operator's tag the chart pins", () => {
        const files = chartCrdUrls("pxcOperator").map((url) => url.split("/").pop()!);
        expect(files.map((f) => crdNameOfFile(f)).sort()).toEqual([...rendered("fsn1").crdsDirectoryCrds].sort());
        for (const url of chartCrdUrls("pxcOperator")) {
            expect(url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/percona\/percona-xtradb-cluster-operator\/v1\.19\.0\/config\/crd\/bases\//);
        }
    });

    it("commits the three CRDs of the operator version the chart installs, with their source", () => {
        const kinds = CRD_FILES.map((file) => {
            const text = fs.readFileSync(chartFilePath(`pxc-operator/${file}`), "utf8");
            expect(text).toMatch(/github\.com\/percona\/percona-xtradb-cluster-operator@v1\.19\.0 \(commit [0-9a-f]{40}\)/);
            const crd = yaml.load(text) as { spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean }> } };
            expect(crd.spec.group).toBe("pxc.percona.com");
            return crd.spec.names.kind;
        });
        expect(kinds).toEqual(["PerconaXtraDBCluster", "PerconaXtraDBClusterBackup", "PerconaXtraDBClusterRestore"]);
    });
});
