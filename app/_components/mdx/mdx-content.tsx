// Renders compiled lesson MDX on the server with the components lessons may use
// (docs/content-format.md). No MDX code reaches the browser; only the copy buttons and the quiz
// (passed in as `quiz`) are client components.
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as jsxRuntime from "react/jsx-runtime";
import Link from "next/link";
import { getMDXComponent } from "mdx-bundler/client/jsx";
import type { ComponentProps, ComponentType, ReactNode } from "react";
import { Callout } from "./callout";
import { CodeBlock } from "./code-block";
import { Figure } from "./figure";

type MdxComponent = ComponentType<{ components?: Record<string, unknown> }>;

// Evaluating the bundle is cheap but not free; static pages render each one once anyway.
const evaluated = new Map<string, MdxComponent>();
const MAX_EVALUATED = 200;

function componentFor(code: string): MdxComponent {
  let component = evaluated.get(code);
  if (!component) {
    // The app's own React is handed to the bundle, so it renders with the same React as the page.
    component = getMDXComponent(code, { React, ReactDOM, _jsx_runtime: jsxRuntime }) as MdxComponent;
    if (evaluated.size >= MAX_EVALUATED) evaluated.delete(evaluated.keys().next().value!);
    evaluated.set(code, component);
  }
  return component;
}

function MdxLink({ href = "", ...rest }: ComponentProps<"a">) {
  if (href.startsWith("/")) return <Link href={href} {...rest} />;
  if (/^https?:\/\//.test(href)) return <a href={href} rel="noreferrer" {...rest} />;
  return <a href={href} {...rest} />;
}

/** A link into the site as plain text: an assessment's lab page has no links out to the course. */
function LinkAsText({ href = "", children, ...rest }: ComponentProps<"a">) {
  if (href.startsWith("/")) return <span>{children}</span>;
  return <MdxLink href={href} {...rest}>{children}</MdxLink>;
}

export function MdxContent({ code, quiz, siteLinks = true }: { code: string; quiz?: ReactNode; siteLinks?: boolean }) {
  const Content = componentFor(code);
  const components = {
    Callout,
    Figure,
    Quiz: () => <>{quiz ?? null}</>,
    pre: CodeBlock,
    a: siteLinks ? MdxLink : LinkAsText,
  };
  return (
    <div className="mdx">
      {/* A server component: the MDX component is compiled once per page and cached in `evaluated`. */}
      {/* eslint-disable-next-line react-hooks/static-components */}
      <Content components={components} />
    </div>
  );
}
