// The registry of built-in check kinds (name → params schema + run). A new kind goes in a file
// of this folder by what it reads (k8s, k8s-env, pods, http, script, tests, manifests, dockerfile, image, shell,
// sql, structured, workflow) and is listed here; docs/lab-format.md lists them for authors.
import { dockerfileKinds } from "./dockerfile";
import { httpKinds } from "./http";
import { imageKinds } from "./image";
import { k8sKinds } from "./k8s";
import { envKinds } from "./k8s-env";
import type { KindSpec } from "./kind";
import { manifestKinds } from "./manifests";
import { podKinds } from "./pods";
import { scriptKinds } from "./script";
import { shellKinds } from "./shell";
import { sqlKinds } from "./sql";
import { structuredKinds } from "./structured";
import { testKinds } from "./tests";
import { workflowKinds } from "./workflow";

export const CHECK_KINDS = {
  ...k8sKinds,
  ...envKinds,
  ...podKinds,
  ...httpKinds,
  ...scriptKinds,
  ...testKinds,
  ...manifestKinds,
  ...dockerfileKinds,
  ...imageKinds,
  ...shellKinds,
  ...sqlKinds,
  ...structuredKinds,
  ...workflowKinds,
};

export type BuiltinKindName = keyof typeof CHECK_KINDS;

export function builtinKind(name: string): KindSpec | undefined {
  return Object.hasOwn(CHECK_KINDS, name) ? (CHECK_KINDS as Record<string, KindSpec>)[name] : undefined;
}

export const KIND_NAMES = Object.keys(CHECK_KINDS) as BuiltinKindName[];
