// The sandbox size profiles: the one list that lab frontmatter (`sandbox:`), the sandbox service's
// input schema and the quota builders agree on. What each profile allows is PROFILE_SIZES in
// manifests.ts.
export const SIZE_PROFILES = ["small", "medium", "large"] as const;
export type SizeProfile = (typeof SIZE_PROFILES)[number];

/**
 * Where a sandbox's pods run (lab frontmatter `workloads:`): "simulated" on KWOK nodes (objects are
 * accepted and marked running, nothing runs), "real" on the real node (containers really run).
 * The API server enforces it from the namespace's annotations (PodNodeSelector,
 * PodTolerationRestriction): a learner cannot move a pod.
 */
export const WORKLOAD_PLACEMENTS = ["simulated", "real"] as const;
export type WorkloadPlacement = (typeof WORKLOAD_PLACEMENTS)[number];
