"use client";

// "Image build": the Build image button's progress in words, the build log as it streams, and
// the outcome: the image reference to deploy, or the failing Dockerfile line and buildah's error.
import { useEffect, useRef } from "react";
import { type BuiltImageView, pinnedImageRef } from "@/lib/builds/events";
import type { BuildState } from "./hooks/use-build";

export function BuildPanel({ build, lastImage }: { build: BuildState; lastImage: BuiltImageView | null }) {
  const logRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [build.log.length]);
  const { result } = build;
  if (!build.building && !build.error && !result && build.log.length === 0) {
    return lastImage ? (
      <section className="stack-tight build-panel" aria-labelledby="build-heading">
        <h2 id="build-heading">Image build</h2>
        <p className="muted small" data-testid="last-image">
          Your last image, built {new Date(lastImage.builtAt).toLocaleString()}: <code>{lastImage.image}</code>. To deploy
          exactly this build: <code data-testid="last-image-pinned">{pinnedImageRef(lastImage.image, lastImage.digest)}</code>
        </p>
      </section>
    ) : null;
  }

  return (
    <section className="stack-tight build-panel" aria-labelledby="build-heading" aria-busy={build.building}>
      <h2 id="build-heading">Image build</h2>
      {build.error ? (
        <p className="form-error" role="alert">
          {build.error}
        </p>
      ) : null}
      {build.status ? (
        <p role="status" className="muted" data-testid="build-status">
          {build.status}
        </p>
      ) : null}
      {result?.type === "done" ? (
        <div className="check-row check-pass" data-testid="build-result">
          <p className="check-body">
            Your image: <code>{result.image}</code>
          </p>
          <p className="check-body muted small">
            To run exactly this build in the deploy lab, use this as the <code>image:</code> of your Deployment:{" "}
            <code data-testid="build-image-pinned">{pinnedImageRef(result.image, result.digest)}</code>
          </p>
        </div>
      ) : result?.type === "failed" ? (
        <div className="check-row check-fail" data-testid="build-result" role="alert">
          <p className="check-body">{result.error}</p>
          {result.details.length ? <pre className="build-details">{result.details.join("\n")}</pre> : null}
        </div>
      ) : null}
      {build.log.length ? (
        <pre ref={logRef} className="build-log" tabIndex={0} aria-label="Build log" data-testid="build-log">
          {build.log.join("\n")}
        </pre>
      ) : null}
    </section>
  );
}
