// lib/grading owns judging learner work: check kinds, the grader, stored attempts and insights.
// This file is the registry of built-in check kinds (name → params schema + run).
import { dockerfileKinds } from "./dockerfile";
import { k8sKinds } from "./k8s";
import type { KindSpec } from "./kind";
import { manifestKinds } from "./manifests";
import { shellKinds } from "./shell";
import { structuredKinds } from "./structured";

export const CHECK_KINDS = {
  ...k8sKinds,
  ...manifestKinds,
  ...dockerfileKinds,
  ...shellKinds,
  ...structuredKinds,
};

export type BuiltinKindName = keyof typeof CHECK_KINDS;

export function builtinKind(name: string): KindSpec | undefined {
  return Object.hasOwn(CHECK_KINDS, name) ? (CHECK_KINDS as Record<string, KindSpec>)[name] : undefined;
}

export const KIND_NAMES = Object.keys(CHECK_KINDS) as BuiltinKindName[];
