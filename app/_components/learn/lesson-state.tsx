"use client";

// The per-learner parts of a lesson page (completion, last quiz result). The page itself is
// static and the same for everyone; this context fetches the learner's state after load.
import { createContext, use, useCallback, useEffect, useState, type ReactNode } from "react";
import { loadLessonState, type LessonClientState } from "@/app/(learn)/learn/actions";

type LessonStateContext = {
  lessonId: string;
  state: LessonClientState | null;
  update: (next: LessonClientState) => void;
};

const Context = createContext<LessonStateContext | null>(null);

export function LessonStateProvider({ lessonId, children }: { lessonId: string; children: ReactNode }) {
  const [state, setState] = useState<LessonClientState | null>(null);
  useEffect(() => {
    let live = true;
    loadLessonState(lessonId).then(
      (loaded) => live && setState(loaded),
      () => live && setState({ signedIn: false }),
    );
    return () => {
      live = false;
    };
  }, [lessonId]);
  const update = useCallback((next: LessonClientState) => setState(next), []);
  return <Context value={{ lessonId, state, update }}>{children}</Context>;
}

export function useLessonState(): LessonStateContext {
  const value = use(Context);
  if (!value) throw new Error("useLessonState needs a LessonStateProvider");
  return value;
}
