// Schemas for the curriculum's MDX frontmatter (docs/content-format.md) and for quiz answers
// coming back from the browser. Shared by the catalogue, content:check and the quiz form.
import { z } from "zod";

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const SlugSchema = z
  .string()
  .regex(KEBAB_CASE, { error: "must be lowercase kebab-case, like `processes-and-signals`" });

/** A lesson id, `<module>/<lesson>`. */
export const LessonIdSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/, {
  error: "must be a lesson id `module/lesson`, like `linux/the-shell`",
});

const text = z.string({ error: "must be text" }).trim().min(1, { error: "must not be empty" });

export const QuizQuestionSchema = z
  .strictObject({
    id: SlugSchema,
    prompt: text,
    choices: z
      .array(text, { error: "must be a list of choices" })
      .min(2, { error: "needs at least 2 choices" })
      .max(6, { error: "allows at most 6 choices" }),
    answer: z.number({ error: "must be a number" }).int({ error: "must be a whole number" }).min(0, {
      error: "is a zero-based index and cannot be negative",
    }),
    explanation: text,
  })
  .superRefine((question, ctx) => {
    if (question.answer >= question.choices.length) {
      ctx.addIssue({
        code: "custom",
        path: ["answer"],
        message: `is ${question.answer} but there are only ${question.choices.length} choices (answers are zero-based: 0 to ${question.choices.length - 1})`,
      });
    }
  });

export const QuizSchema = z
  .array(QuizQuestionSchema, { error: "must be a list of questions" })
  .min(2, { error: "needs at least 2 questions" })
  .max(6, { error: "allows at most 6 questions" })
  .superRefine((questions, ctx) => {
    const seen = new Set<string>();
    questions.forEach((question, index) => {
      if (seen.has(question.id)) {
        ctx.addIssue({
          code: "custom",
          path: [index, "id"],
          message: `\`${question.id}\` is used by another question in this quiz; ids must be unique`,
        });
      }
      seen.add(question.id);
    });
  });

export const OverviewFrontmatterSchema = z.strictObject({
  title: text,
  summary: text,
});

export const ModuleFrontmatterSchema = z.strictObject({
  title: text,
  summary: text,
  order: z.number({ error: "must be a number" }).int({ error: "must be a whole number" }),
});

export const LessonFrontmatterSchema = z.strictObject({
  title: text,
  summary: text,
  order: z.number({ error: "must be a number" }).int({ error: "must be a whole number" }),
  minutes: z
    .number({ error: "must be a number of minutes" })
    .int({ error: "must be a whole number" })
    .positive({ error: "must be more than 0" }),
  objectives: z
    .array(text, { error: "must be a list" })
    .min(2, { error: "needs at least 2 objectives" })
    .max(6, { error: "allows at most 6 objectives" }),
  prerequisites: z.array(LessonIdSchema, { error: "must be a list of lesson ids (may be [])" }),
  quiz: QuizSchema,
});

export type OverviewFrontmatter = z.infer<typeof OverviewFrontmatterSchema>;
export type ModuleFrontmatter = z.infer<typeof ModuleFrontmatterSchema>;
export type LessonFrontmatter = z.infer<typeof LessonFrontmatterSchema>;
export type QuizQuestion = z.infer<typeof QuizQuestionSchema>;

/** A quiz question as the browser may see it before the learner submits: no answer, no explanation. */
export type PublicQuestion = { id: string; prompt: string; choices: string[] };

/** What the learner submitted: question id → zero-based index of the chosen choice. */
export const QuizAnswersSchema = z.record(
  z.string().max(100),
  z.number().int().min(0).max(100),
);
export type QuizAnswers = z.infer<typeof QuizAnswersSchema>;

export type QuestionResult = {
  id: string;
  correct: boolean;
  /** The index the learner chose, or null when the question was left unanswered. */
  chosen: number | null;
  /** Shown only for a question the learner answered; null otherwise, so an empty submission reveals nothing. */
  correctChoice: number | null;
  explanation: string | null;
};

export type QuizResult = { score: number; total: number; results: QuestionResult[] };
