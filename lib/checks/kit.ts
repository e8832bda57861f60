// The kit for custom checks: one import for everything a lab's `run(ctx)` needs besides its own
// judgement. Helpers that cannot go on (no such object, an empty or broken file, failWith) end the
// check with a fail outcome the learner can act on (see failure.ts); anything else a check throws
// stays a check error. Built-in kinds use the same modules (kinds/).
export { CheckFailed, failWith, withKit } from "./failure";
export { isMapping, requireFile, requireStructured } from "./files";
export { learnerPattern, type LearnerPattern } from "./pattern";
export { imageProblem, parseQuantity } from "./kinds/k8s";
export { clusterOf, findObject, requireObject, waitFor, type KnownObjects, type ObjectOf } from "./objects";
export { fail, isOutcome, pass, type AnyObject, type CheckContext, type CheckOutcome, type KubeRef } from "./types";
export { containersOf, describeWorkload, podSpecOf, podTemplateOf, podsAtOnce, podsRunning, workloadRef, type WorkloadKind, type WorkloadRef } from "./workloads";
