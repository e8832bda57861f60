import { expect, test } from "vitest";
import { execEndFrom, execPath, frame, resizeFrame } from "./exec";

test("the exec address asks for a tty shell in the named container", () => {
  expect(execPath({ namespace: "lab-x", pod: "workspace", container: "shell" }, ["bash", "-l"], true)).toBe(
    "/api/v1/namespaces/lab-x/pods/workspace/exec?container=shell&stdin=true&stdout=true&stderr=false&tty=true&command=bash&command=-l",
  );
});

test("frames start with their channel; resize is Kubernetes' TerminalSize", () => {
  expect([...frame(0, Buffer.from("ls\r"))]).toEqual([0, 108, 115, 13]);
  expect(resizeFrame(120, 40).toString("utf8")).toBe('\u0004{"Width":120,"Height":40}');
});

test("the error channel's Status becomes an exit code", () => {
  expect(execEndFrom('{"metadata":{},"status":"Success"}')).toEqual({ exitCode: 0, message: "" });
  expect(
    execEndFrom('{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [bash -l], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}'),
  ).toEqual({ exitCode: 3, message: "command terminated with non-zero exit code: error executing command [bash -l], exit code 3" });
  expect(execEndFrom("container not found")).toEqual({ exitCode: null, message: "container not found" });
});
