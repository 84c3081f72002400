/**
 * Software installed on the hosts by the node bootstrap, pinned. (Helm charts and container images are
 * pinned beside this file in versions.ts and images.ts; k3s itself is pinned per stack in
 * `platform:cluster.k3sVersion` so regions can be upgraded one at a time.)
 */
export const NODE_SOFTWARE = {
    /** Tailscale client from pkgs.tailscale.com (stable track). */
    tailscale: "1.88.4",
    /** gVisor `runsc` release (date-tagged) from storage.googleapis.com/gvisor/releases/release. */
    gvisor: "20251110.0",
    /** Ubuntu release the bootstrap targets (apt repositories are chosen for it). */
    ubuntuCodename: "noble",
    /** hcloud image for cloud nodes. */
    hcloudImage: "ubuntu-24.04",
} as const;
