import { asArray, asRecord } from "./values";

/**
 * Annotation and finalizer keys the Percona operators act on: `percona.com/…`, `internal.percona.com/…` and any
 * other `<x>.percona.com/…` (matched on the lower-cased key). RE2 and ECMAScript read the pattern alike.
 *
 * What the pinned operators read on their own objects (review 19d; the platform renders none of them):
 * - Percona XtraDB Cluster operator v1.19.0, on a PerconaXtraDBCluster: `percona.com/issue-vault-token`
 *   (pkg/apis/pxc/v1/pxc_types.go ShouldWaitForTokenIssue: the operator holds the cluster until a Vault token
 *   appears), `percona.com/pvc-resize-in-progress` (pkg/controller/pxc/volumes.go parses it as the start of a
 *   volume resize and acts on it); on a PerconaXtraDBClusterRestore: `percona.com/unsafe-pitr`
 *   (pkg/controller/pxcrestore/controller.go: forces a point-in-time restore the operator judged inconsistent)
 *   and `percona.com/headless-service` (pkg/pxc/backup/restore.go). Finalizers (pkg/naming/naming.go):
 *   `percona.com/delete-pxc-pvc` (deletes the nodes' claims and the system-user Secrets with the cluster),
 *   `percona.com/delete-proxysql-pvc`, `percona.com/delete-ssl`, `percona.com/delete-pxc-pods-in-order`, and on
 *   backups `percona.com/delete-backup` (deletes the backup's files from the bucket),
 *   `internal.percona.com/release-lock`, `internal.percona.com/keep-job`.
 * - Percona Operator for MongoDB v1.22.0, on a PerconaServerMongoDB: `percona.com/resync-pbm` (a PBM resync of
 *   the storage), `percona.com/resync-in-progress` (pkg/apis/psmdb/v1/psmdb_types.go),
 *   `percona.com/preserved-restarted-at.<statefulset>` (pkg/controller/perconaservermongodb/statefulset.go copies
 *   it into the pod template), `percona.com/update-mongos-first` (smart.go). Finalizers (pkg/naming/naming.go):
 *   `percona.com/delete-psmdb-pvc`, `percona.com/delete-psmdb-pods-in-order`, `percona.com/delete-pitr-chunks`
 *   (deletes the oplog chunks, the point-in-time recovery, from the bucket with the cluster), on backups
 *   `percona.com/delete-backup`, and `internal.percona.com/release-lock`.
 *
 * The operators write some of these on their own objects (resize, resync, restart markers), so the admission
 * twin lets each operator through and a tenant keep a value it finds unchanged.
 */
export const PERCONA_METADATA_KEY_PATTERN = "^([a-z0-9.-]+[.])?percona[.]com/";

/** Problems of a tenant Percona object's metadata: no annotation and no finalizer the operators act on ({@link PERCONA_METADATA_KEY_PATTERN}). */
export function perconaMetadataProblems(metadata: unknown): string[] {
    const pattern = new RegExp(PERCONA_METADATA_KEY_PATTERN);
    const record = asRecord(metadata) ?? {};
    const annotations = Object.keys(asRecord(record.annotations) ?? {})
        .filter((key) => pattern.test(key.toLowerCase()))
        .map((key) => `metadata.annotations["${key}"] is set (the operator acts on percona.com annotations: a Vault wait, a forced restore, a resync or a restart no tenant may set)`);
    const finalizers = asArray(record.finalizers)
        .map(String)
        .filter((key) => pattern.test(key.toLowerCase()))
        .map((key) => `metadata.finalizers has "${key}" (the operator's finalizers delete claims, Secrets or backup files from the bucket)`);
    return [...annotations, ...finalizers];
}
