// Parses the YAML or JSON a learner submits (one or more `---`-separated documents) into
// Kubernetes objects for their sandbox, BEFORE anything reaches the cluster. Limits keep a
// hostile document (alias bombs, huge or deeply nested input) cheap to refuse, and every
// problem names the document and line and says what to do.
import { LineCounter, parseAllDocuments, type Document } from "yaml";
import { z } from "zod";
import { formatBytes } from "@/lib/bytes";

export const INPUT_LIMITS = {
  maxBytes: 256 * 1024,
  maxDocuments: 50,
  /** Aliases (`*name`) expanded per document; a billion-laughs bomb needs far more. */
  maxAliasCount: 100,
  maxDepth: 32,
};

/**
 * Kinds that live outside any namespace. A learner's sandbox is one namespace, so these are
 * refused with a message rather than sent to the API server (which would refuse them anyway).
 */
export const CLUSTER_SCOPED_KINDS = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterTrustBundle",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "DeviceClass",
  "FlowSchema",
  "IngressClass",
  "IPAddress",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "ResourceSlice",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectReview",
  "SelfSubjectRulesReview",
  "ServiceCIDR",
  "StorageClass",
  "StorageVersion",
  "StorageVersionMigration",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
  "VolumeAttributesClass",
]);

export type LearnerObject = {
  /** 1-based position among the documents, as a learner counts them. */
  document: number;
  /** 1-based line where the document starts. */
  line: number;
  apiVersion: string;
  kind: string;
  name: string;
  object: Record<string, unknown> & { metadata: Record<string, unknown> & { name: string; namespace: string } };
};

export type InputProblem = { document: number | null; line: number | null; message: string };

export type ParseResult = { ok: true; objects: LearnerObject[] } | { ok: false; problems: InputProblem[] };

const HeaderSchema = z.object({
  apiVersion: z.string({ error: "needs `apiVersion` (for example `apps/v1`)" }).min(1, "needs `apiVersion`"),
  kind: z.string({ error: "needs `kind` (for example `Deployment`)" }).min(1, "needs `kind`"),
  metadata: z.object(
    {
      name: z.string({ error: "needs `metadata.name`" }).min(1, "needs `metadata.name`"),
      namespace: z.string({ error: "`metadata.namespace` must be a string" }).optional(),
    },
    { error: "needs a `metadata` mapping with a `name`" },
  ),
});

function depthOf(value: unknown): number {
  // Iterative, so a deep document cannot overflow the stack while being measured.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > INPUT_LIMITS.maxDepth) return max;
    if (v && typeof v === "object") for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/**
 * Parses learner input for the sandbox `namespace`. Objects without a namespace get it;
 * objects naming another namespace, and cluster-scoped kinds, are refused.
 */
export function parseLearnerManifests(text: string, namespace: string): ParseResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > INPUT_LIMITS.maxBytes) {
    return fail(null, null,
      `The input is ${formatBytes(bytes)}; the limit is ${formatBytes(INPUT_LIMITS.maxBytes)}. ` +
        "Apply fewer objects at a time, or move large data out of ConfigMaps.");
  }
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true }) as Document.Parsed[];
  } catch (error) {
    return fail(null, null, `The input could not be read as YAML or JSON: ${firstLine(String(error))}`);
  }
  if (!Array.isArray(documents)) documents = [];
  const nonEmpty = documents
    .map((doc, i) => ({ doc, document: i + 1 }))
    .filter(({ doc }) => doc.errors.length > 0 || !(doc.contents === null || isNullScalar(doc.contents)));
  if (nonEmpty.length === 0) return fail(null, null, "There is nothing to apply: the input has no documents.");
  if (nonEmpty.length > INPUT_LIMITS.maxDocuments) {
    return fail(null, null,
      `The input has ${nonEmpty.length} documents; the limit is ${INPUT_LIMITS.maxDocuments}. Apply them in smaller batches.`);
  }

  const problems: InputProblem[] = [];
  const objects: LearnerObject[] = [];
  for (const { doc, document } of nonEmpty) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    const problem = (message: string) => problems.push({ document, line, message: `Document ${document} (line ${line}): ${message}` });
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const at = err.linePos?.[0]?.line ?? line;
      problems.push({ document, line: at, message: `Document ${document} (line ${at}): ${firstLine(err.message)}. Fix the YAML syntax there.` });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: INPUT_LIMITS.maxAliasCount });
    } catch (error) {
      const message = String(error instanceof Error ? error.message : error);
      problem(
        /alias/i.test(message)
          ? `uses YAML aliases too many times (more than ${INPUT_LIMITS.maxAliasCount}). Write the values out instead of repeating \`*aliases\`.`
          : `could not be read: ${firstLine(message)}`,
      );
      continue;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      problem("is not a Kubernetes object. Each document must be a mapping with `apiVersion`, `kind` and `metadata.name`.");
      continue;
    }
    if (depthOf(value) > INPUT_LIMITS.maxDepth) {
      problem(`is nested more than ${INPUT_LIMITS.maxDepth} levels deep, which no Kubernetes object needs. Check the indentation.`);
      continue;
    }
    // A List (`kind: List` with `items`, as `kubectl get -o yaml` prints) has no metadata of its
    // own, so say what it is before asking for a name.
    const listKind = (value as { kind?: unknown }).kind;
    if (typeof listKind === "string" && (listKind === "List" || listKind.endsWith("List"))) {
      problem(`is a ${listKind}, which is not accepted here. Write each object as its own document instead, separated by a line with \`---\` (take the entries under \`items:\` out of the list).`);
      continue;
    }
    const header = HeaderSchema.safeParse(value);
    if (!header.success) {
      problem(`${header.error.issues[0]!.message}. Each document must have \`apiVersion\`, \`kind\` and \`metadata.name\`.`);
      continue;
    }
    const { apiVersion, kind, metadata } = header.data;
    const label = `${kind} "${metadata.name}"`;
    if (CLUSTER_SCOPED_KINDS.has(kind)) {
      problem(
        `${label} is a cluster-wide kind, and your sandbox is a single namespace (${namespace}). ` +
          "Remove this document; the lab only needs objects inside your namespace.",
      );
      continue;
    }
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      problem(
        `${label} names the namespace "${metadata.namespace}", but you can only use your sandbox "${namespace}". ` +
          "Delete the `metadata.namespace` line (your namespace is filled in for you).",
      );
      continue;
    }
    const object = value as LearnerObject["object"];
    object.metadata = { ...(object.metadata as Record<string, unknown>), name: metadata.name, namespace };
    objects.push({ document, line, apiVersion, kind, name: metadata.name, object });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, objects };
}

function isNullScalar(node: unknown): boolean {
  return !!node && typeof node === "object" && "value" in node && (node as { value: unknown }).value === null;
}

function fail(document: number | null, line: number | null, message: string): ParseResult {
  return { ok: false, problems: [{ document, line, message }] };
}
