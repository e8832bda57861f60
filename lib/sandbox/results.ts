// What the sandbox functions return and take besides the database: the failure codes, the
// result shapes, the progress callback and the dependencies tests and scripts swap in; and how an
// error from the cluster becomes a failure value.
import "server-only";
import { ClusterUnreachable, KubeApiError, type KubeClient } from "@/lib/k8s/client";
import { CLUSTER_UNREACHABLE, reportServerError } from "@/lib/http/server-error";
import { failure as failureOf, type Failure } from "@/lib/result";
import type { SandboxDTO } from "./queries";

export type SandboxFailureCode =
  | "invalid-input"
  | "not-found"
  | "not-ready"
  | "limit-reached"
  | "cluster-unreachable"
  | "stuck-terminating"
  | "failed";

export type SandboxFailure = Failure<SandboxFailureCode>;
export type SandboxResult = { ok: true; sandbox: SandboxDTO } | SandboxFailure;

/** Progress in words, for streaming to the page ("Creating namespace…"). */
export type OnProgress = (step: string) => void;

/** Who acts on the cluster, and as which installation; tests and scripts pass their own. */
export type SandboxDeps = {
  cluster?: KubeClient;
  installation?: string;
  /** How long stop waits for the namespace to disappear. */
  terminationTimeoutMs?: number;
};

export function failure(code: SandboxFailureCode, error: string): SandboxFailure {
  return failureOf(code, error);
}

export const notFound = () =>
  failure("not-found", "This sandbox does not exist or has already been removed. Start the lab again to get a new one.");

/**
 * Maps an error from the cluster to a failure value; unexpected errors are rethrown. The
 * learner gets words and a request id; what the cluster said (its address, the kubeconfig path,
 * the API server's message about platform objects) goes to the server log under that id.
 */
export function clusterFailure(error: unknown): SandboxFailure {
  if (error instanceof ClusterUnreachable) return failure("cluster-unreachable", reportServerError(CLUSTER_UNREACHABLE, "the cluster cannot be reached", error).error);
  if (error instanceof KubeApiError) {
    return failure("failed", reportServerError("The cluster refused to change your sandbox; try again in a moment.", "the cluster refused a sandbox change", error).error);
  }
  throw error;
}
