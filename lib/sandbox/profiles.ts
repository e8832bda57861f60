// The sandbox size profiles: the one list that lab frontmatter (`sandbox:`), the sandbox service's
// input schema and the quota builders agree on. What each profile allows is PROFILE_SIZES in
// manifests.ts.
export const SIZE_PROFILES = ["small", "medium", "large"] as const;
export type SizeProfile = (typeof SIZE_PROFILES)[number];
