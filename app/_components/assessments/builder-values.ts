// The builder's values, shared by the server pages that fill it and the client builder. Not in
// the "use client" module: a server component importing a value from one gets a client
// reference, not the value.
export type BuilderLabOption = { id: string; title: string; module: string; minutes: number; points: number };

export type BuilderValues = {
  title: string;
  introduction: string;
  labs: Array<{ labId: string; weight: number | string }>;
  timeLimitMinutes: number | string;
  passMarkPercent: number | string;
  showResults: boolean;
  showHints: boolean;
  inviteValidityDays: number | string;
};

export const NEW_ASSESSMENT: BuilderValues = {
  title: "",
  introduction: "",
  labs: [],
  timeLimitMinutes: 90,
  passMarkPercent: 60,
  showResults: true,
  showHints: false,
  inviteValidityDays: 7,
};
