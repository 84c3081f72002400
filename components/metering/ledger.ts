import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LEDGER_EXPORTER_IMAGE } from "../../charts/images";
import { LABELS, NAMESPACES, PROMETHEUS_URL } from "../../lib/conventions";
import { renderPlatformJobSpec } from "../../lib/platform-job";
import { BYTES_PER_GIB, LEDGER_CRONJOB, RECORDED, samplesPerHour } from "./rules";

/**
 * The billing ledger: an hourly CronJob that copies every full hour's metering out of Prometheus into
 * durable object storage (ledger-exporter.js has the file layout), so a bill survives Prometheus'
 * retention, a lost volume or a reinstall, and a month is closed as the sum of its exported hours.
 */

/** Where the ledger goes: an S3 bucket outside the cluster. */
export interface LedgerTarget {
    /** S3 host (and port), no scheme, e.g. `fsn1.your-objectstorage.com`. */
    endpoint: string;
    /** Bucket. */
    bucket: string;
    /** S3 region (SigV4 signing). */
    region: string;
    /** Key prefix of this region's ledger, e.g. `billing-ledger/fsn1`. */
    prefix: string;
}

/** What the ledger renderer needs. */
export interface LedgerSpec {
    /** Region label written into every ledger document. */
    region: string;
    /** Price currency (`platform:prices.currency`). */
    currency: string;
    /** The bucket and prefix. */
    target: LedgerTarget;
    /** Hours of history each run checks and fills (bounded by Prometheus retention). */
    backfillHours: number;
}

/** One summed field of a ledger hour: Σ samples of `series` × `factor`. */
export interface LedgerField {
    /** Field name in the ledger document. */
    name: string;
    /** Recorded series read from Prometheus. */
    series: string;
    /** Unit of the summed value. */
    unit: string;
    /** Multiplier turning a sample into its minute's amount (1/samples-per-hour, and unit conversions). */
    factor: number;
    /** `region`: a region cost line (label `line`) instead of a project figure. */
    scope?: "region";
    /** This field's sample count is the project's metered minutes. */
    countsMinutes?: boolean;
}

/** Names of the ledger's Kubernetes objects. */
export const LEDGER_OBJECT_NAMES = { cronJob: LEDGER_CRONJOB.name, configMap: "billing-ledger-exporter", secret: "billing-ledger-s3" } as const;

/** Minute 7 of every hour: the hour before is complete and its last rule evaluations are written. */
export const LEDGER_SCHEDULE = "7 * * * *";

/** The fields of a ledger hour, with the conversions of the recorded per-minute series. */
export function ledgerFields(currency: string): LedgerField[] {
    const perHour = samplesPerHour({});
    const minute = 1 / perHour;
    return [
        { name: "cost", series: RECORDED.costRate, unit: currency, factor: minute, countsMinutes: true },
        { name: "costCpu", series: RECORDED.cpuCostRate, unit: currency, factor: minute },
        { name: "costMemory", series: RECORDED.memoryCostRate, unit: currency, factor: minute },
        { name: "costStorage", series: RECORDED.storageCostRate, unit: currency, factor: minute },
        { name: "costEgress", series: RECORDED.egressCostRate, unit: currency, factor: minute },
        { name: "costBuild", series: RECORDED.buildCostRate, unit: currency, factor: minute },
        { name: "cpuCoreHours", series: RECORDED.cpuBillable, unit: "core-hours", factor: minute },
        { name: "memoryGiBHours", series: RECORDED.memoryBillable, unit: "GiB-hours", factor: minute / BYTES_PER_GIB },
        { name: "storageGiBHours", series: RECORDED.storageBillable, unit: "GiB-hours ((claims requested + bucket reserved) × replicas)", factor: minute / BYTES_PER_GIB },
        { name: "internetEgressGiB", series: RECORDED.internetEgressRate, unit: "GiB", factor: (3600 * minute) / BYTES_PER_GIB },
        // The two parts of internet egress, so a bill shows which way its bytes left.
        { name: "edgeEgressGiB", series: RECORDED.edgeEgressRate, unit: "GiB (sent to Traefik: HTTP, WebSocket, TCP/UDP, passthrough)", factor: (3600 * minute) / BYTES_PER_GIB },
        { name: "directEgressGiB", series: RECORDED.directEgressRate, unit: "GiB (sent straight to the internet)", factor: (3600 * minute) / BYTES_PER_GIB },
        { name: "internalGiB", series: RECORDED.internalTransmitRate, unit: "GiB (not billed)", factor: (3600 * minute) / BYTES_PER_GIB },
        { name: "regionCost", series: RECORDED.regionCostRate, unit: currency, factor: minute, scope: "region" },
    ];
}

/** The JSON the exporter receives as LEDGER_SPEC. */
export function exporterSpec(spec: LedgerSpec): { region: string; currency: string; prefix: string; samplesPerHour: number; fields: LedgerField[] } {
    return { region: spec.region, currency: spec.currency, prefix: spec.target.prefix, samplesPerHour: samplesPerHour({}), fields: ledgerFields(spec.currency) };
}

/** The exporter program and the aws4 signer it loads, as ConfigMap data (file name → text). */
export function exporterFiles(): Record<string, string> {
    const aws4 = path.dirname(require.resolve("aws4/package.json"));
    return {
        "ledger-exporter.js": fs.readFileSync(path.join(__dirname, "ledger-exporter.js"), "utf8"),
        "aws4.js": fs.readFileSync(path.join(aws4, "aws4.js"), "utf8"),
        "lru.js": fs.readFileSync(path.join(aws4, "lru.js"), "utf8"),
    };
}

function checkSpec(spec: LedgerSpec): void {
    if (!Number.isInteger(spec.backfillHours) || spec.backfillHours < 1) {
        throw new Error(`billing ledger: backfillHours must be a positive integer, got ${spec.backfillHours}`);
    }
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(spec.target.endpoint)) {
        throw new Error(`billing ledger: endpoint "${spec.target.endpoint}" must be a host name without scheme`);
    }
    if (spec.target.prefix.startsWith("/") || spec.target.prefix.endsWith("/") || spec.target.prefix === "") {
        throw new Error(`billing ledger: prefix "${spec.target.prefix}" must be a non-empty key prefix without leading or trailing slash`);
    }
}

const labels = {
    "app.kubernetes.io/name": "platform-metering",
    "app.kubernetes.io/component": "billing-ledger",
    "app.kubernetes.io/part-of": "platform",
    [LABELS.managedBy]: "pulumi",
};

/** The ledger's ConfigMap and CronJob (the credentials Secret is made by the component from secrets). */
export function renderLedgerObjects(spec: LedgerSpec): { configMap: IConfigMap; cronJob: ICronJob } {
    checkSpec(spec);
    const configMap: IConfigMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: LEDGER_OBJECT_NAMES.configMap, namespace: NAMESPACES.monitoring, labels },
        data: exporterFiles(),
    };
    const fromSecret = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: LEDGER_OBJECT_NAMES.secret, key: name } } });
    const cronJob: ICronJob = {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: LEDGER_OBJECT_NAMES.cronJob, namespace: NAMESPACES.monitoring, labels },
        spec: {
            schedule: LEDGER_SCHEDULE,
            timeZone: "Etc/UTC",
            // Two runs writing the same hour would race on "exists, else write".
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 1800,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                metadata: { labels },
                spec: renderPlatformJobSpec({
                    uid: LEDGER_EXPORTER_IMAGE.uid,
                    labels,
                    backoffLimit: 2,
                    activeDeadlineSeconds: 1800,
                    container: {
                        name: "exporter",
                        image: LEDGER_EXPORTER_IMAGE.image,
                        command: ["node", "/opt/ledger/ledger-exporter.js"],
                        env: [
                            { name: "PROMETHEUS_URL", value: PROMETHEUS_URL },
                            { name: "LEDGER_SPEC", value: JSON.stringify(exporterSpec(spec)) },
                            { name: "S3_ENDPOINT", value: spec.target.endpoint },
                            { name: "S3_BUCKET", value: spec.target.bucket },
                            { name: "S3_REGION", value: spec.target.region },
                            { name: "BACKFILL_HOURS", value: String(spec.backfillHours) },
                            fromSecret("AWS_ACCESS_KEY_ID"),
                            fromSecret("AWS_SECRET_ACCESS_KEY"),
                        ],
                        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                        volumeMounts: [{ name: "exporter", mountPath: "/opt/ledger", readOnly: true }],
                    },
                    volumes: [{ name: "exporter", configMap: { name: LEDGER_OBJECT_NAMES.configMap } }],
                }),
            },
        },
    };
    return { configMap, cronJob };
}

/** Arguments of the ledger component. */
export interface BillingLedgerArgs {
    /** Region, currency, bucket and backfill window. */
    spec: LedgerSpec;
    /** S3 credentials of the bucket (secret config). */
    credentials: { accessKey: pulumi.Input<string>; secretKey: pulumi.Input<string> };
}

/**
 * The billing ledger CronJob, its program and its bucket credentials, in `monitoring`. Provider through
 * `opts`; pass the monitoring add-on as `opts.dependsOn` (the namespace must exist).
 */
export class BillingLedger extends pulumi.ComponentResource {
    /** Name of the CronJob. */
    readonly cronJobName: pulumi.Output<string>;

    constructor(name: string, args: BillingLedgerArgs, opts?: pulumi.ComponentResourceOptions) {
        const objects = renderLedgerObjects(args.spec);
        super("platform:metering:BillingLedger", name, {}, opts);
        const childOptions: pulumi.CustomResourceOptions = { parent: this, dependsOn: opts?.dependsOn };
        const secret = new k8s.core.v1.Secret(
            `${name}-s3`,
            {
                metadata: { name: LEDGER_OBJECT_NAMES.secret, namespace: NAMESPACES.monitoring, labels },
                stringData: { AWS_ACCESS_KEY_ID: pulumi.secret(args.credentials.accessKey), AWS_SECRET_ACCESS_KEY: pulumi.secret(args.credentials.secretKey) },
            },
            { ...childOptions, additionalSecretOutputs: ["data", "stringData"] },
        );
        const configMap = new k8s.core.v1.ConfigMap(`${name}-exporter`, { metadata: objects.configMap.metadata, data: objects.configMap.data }, childOptions);
        const cronJob = new k8s.batch.v1.CronJob(
            `${name}-cronjob`,
            { metadata: objects.cronJob.metadata, spec: objects.cronJob.spec as k8s.types.input.batch.v1.CronJobSpec },
            childOptions,
        );
        void secret;
        void configMap;
        this.cronJobName = cronJob.metadata.name;
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
