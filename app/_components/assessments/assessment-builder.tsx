"use client";

// The assessment builder: every field is controlled (React resets uncontrolled fields after a
// form action, which would lose a reviewer's input on a validation error) and feeds the live
// preview of the candidate's introduction below the form.
import { useActionState, useState, type ReactNode } from "react";
import { saveAssessmentAction, type BuilderState } from "@/app/(review)/review/actions";
import type { BuilderLabOption, BuilderValues } from "./builder-values";
import { CandidateIntroduction } from "./candidate-introduction";

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

type NumberName = "timeLimitMinutes" | "passMarkPercent" | "inviteValidityDays";

/** A labelled number input of the builder, with its error and, given `hintId`, a hint. */
function NumberField({
  name,
  label,
  min,
  max,
  values,
  errors,
  set,
  hintId,
  children,
}: {
  name: NumberName;
  label: string;
  min: number;
  max: number;
  values: BuilderValues;
  errors: BuilderState["fieldErrors"];
  set: (key: NumberName, value: string) => void;
  /** The hint (the children) describes the input while no error does. */
  hintId?: string;
  children?: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        type="number"
        min={min}
        max={max}
        value={values[name]}
        onChange={(e) => set(name, e.target.value)}
        aria-invalid={!!errors[name]}
        aria-describedby={errors[name] ? `${name}-error` : hintId}
      />
      {hintId ? (
        <p id={hintId} className="field-hint">
          {children}
        </p>
      ) : null}
      <FieldError id={`${name}-error`} message={errors[name]} />
    </div>
  );
}

export function AssessmentBuilder({
  assessmentId,
  initial,
  labOptions,
  hasCandidates,
}: {
  assessmentId?: string;
  initial: BuilderValues;
  labOptions: BuilderLabOption[];
  /** The current version has invites: saving makes a new version. */
  hasCandidates: boolean;
}) {
  const [state, action, pending] = useActionState<BuilderState, FormData>(saveAssessmentAction, { message: "", error: false, fieldErrors: {} });
  const [values, setValues] = useState<BuilderValues>(initial);
  const [toAdd, setToAdd] = useState("");
  const errors = state.fieldErrors;
  const byId = new Map(labOptions.map((l) => [l.id, l]));
  const available = labOptions.filter((l) => !values.labs.some((c) => c.labId === l.id));
  const estimate = values.labs.reduce((sum, l) => sum + (byId.get(l.labId)?.minutes ?? 0), 0);
  const set = <K extends keyof BuilderValues>(key: K, value: BuilderValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const moveLab = (from: number, to: number) =>
    setValues((v) => {
      const labs = [...v.labs];
      const [lab] = labs.splice(from, 1);
      labs.splice(to, 0, lab!);
      return { ...v, labs };
    });

  const describedBy = (name: string) => (errors[name] ? `${name}-error` : undefined);

  return (
    <div className="stack">
      <form action={action} className="stack" noValidate>
        {assessmentId ? <input type="hidden" name="assessmentId" value={assessmentId} /> : null}
        {hasCandidates ? (
          <p className="field-hint">Candidates are already invited to the current version, so saving creates a new version. Their invites keep the version they got.</p>
        ) : null}
        <div className="field">
          <label htmlFor="title">Title</label>
          <input id="title" name="title" value={values.title} onChange={(e) => set("title", e.target.value)} aria-invalid={!!errors.title} aria-describedby={describedBy("title")} maxLength={200} />
          <FieldError id="title-error" message={errors.title} />
        </div>
        <div className="field">
          <label htmlFor="introduction">Introduction for candidates</label>
          <textarea
            id="introduction"
            name="introduction"
            rows={6}
            value={values.introduction}
            onChange={(e) => set("introduction", e.target.value)}
            aria-invalid={!!errors.introduction}
            aria-describedby={describedBy("introduction") ?? "introduction-hint"}
          />
          <p id="introduction-hint" className="field-hint">Plain text, shown as written; a blank line starts a new paragraph.</p>
          <FieldError id="introduction-error" message={errors.introduction} />
        </div>

        <fieldset className="stack">
          <legend>Labs, in the order candidates see them</legend>
          {values.labs.length ? (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Lab</th>
                  <th scope="col">Estimate</th>
                  <th scope="col">Points</th>
                  <th scope="col">Weight</th>
                  <th scope="col">Order</th>
                </tr>
              </thead>
              <tbody>
                {values.labs.map((lab, i) => {
                  const option = byId.get(lab.labId);
                  return (
                    <tr key={lab.labId}>
                      <td>{i + 1}</td>
                      <td>
                        <input type="hidden" name="labId" value={lab.labId} />
                        {option?.title ?? lab.labId}
                        <FieldError id={`labs.${i}.labId-error`} message={errors[`labs.${i}.labId`]} />
                      </td>
                      <td>{option ? `${option.minutes} min` : "?"}</td>
                      <td>{option?.points ?? "?"}</td>
                      <td>
                        <label className="visually-hidden" htmlFor={`weight-${i}`}>
                          Weight of {option?.title ?? lab.labId}
                        </label>
                        <input
                          id={`weight-${i}`}
                          name="weight"
                          type="number"
                          min={1}
                          max={100}
                          className="field-select"
                          style={{ width: "5rem" }}
                          value={lab.weight}
                          onChange={(e) => set("labs", values.labs.map((l, j) => (j === i ? { ...l, weight: e.target.value } : l)))}
                          aria-invalid={!!errors[`labs.${i}.weight`]}
                          aria-describedby={describedBy(`labs.${i}.weight`)}
                        />
                        <FieldError id={`labs.${i}.weight-error`} message={errors[`labs.${i}.weight`]} />
                      </td>
                      <td className="inline-form">
                        <button type="button" className="button button-quiet" disabled={i === 0} onClick={() => moveLab(i, i - 1)} aria-label={`Move ${option?.title ?? lab.labId} up`}>
                          ↑
                        </button>
                        <button
                          type="button"
                          className="button button-quiet"
                          disabled={i === values.labs.length - 1}
                          onClick={() => moveLab(i, i + 1)}
                          aria-label={`Move ${option?.title ?? lab.labId} down`}
                        >
                          ↓
                        </button>
                        <button type="button" className="button button-quiet" onClick={() => set("labs", values.labs.filter((_, j) => j !== i))} aria-label={`Remove ${option?.title ?? lab.labId}`}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <p className="muted">No labs yet: add one from the catalogue.</p>
          )}
          <FieldError id="labs-error" message={errors.labs} />
          <div className="inline-form">
            <label htmlFor="add-lab">Add a lab</label>
            <select id="add-lab" className="field-select" value={toAdd} onChange={(e) => setToAdd(e.target.value)}>
              <option value="">Choose a lab…</option>
              {available.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.title} ({l.minutes} min, {l.points} points)
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-quiet"
              disabled={!toAdd}
              onClick={() => {
                set("labs", [...values.labs, { labId: toAdd, weight: 1 }]);
                setToAdd("");
              }}
            >
              Add
            </button>
          </div>
        </fieldset>

        <div className="grid">
          <NumberField
            name="timeLimitMinutes"
            label="Time limit (minutes)"
            min={5}
            max={480}
            values={values}
            errors={errors}
            set={set}
            hintId="time-hint"
          >
            The labs&apos; estimates add up to {estimate} minutes.
            {estimate > Number(values.timeLimitMinutes) ? " The limit is shorter: candidates may not finish every lab." : ""}
          </NumberField>
          <NumberField name="passMarkPercent" label="Pass mark (% of the weighted score)" min={0} max={100} values={values} errors={errors} set={set} />
          <NumberField name="inviteValidityDays" label="Invites valid for (days)" min={1} max={90} values={values} errors={errors} set={set} />
        </div>
        <div className="field-check">
          <input id="showResults" name="showResults" type="checkbox" checked={values.showResults} onChange={(e) => set("showResults", e.target.checked)} />
          <label htmlFor="showResults">Candidates see the results of their checks while they work</label>
        </div>
        <div className="field-check">
          <input id="showHints" name="showHints" type="checkbox" checked={values.showHints} onChange={(e) => set("showHints", e.target.checked)} />
          <label htmlFor="showHints">Candidates see hints for failed checks</label>
        </div>
        {/* The live region is always there, so the message is announced when it appears. */}
        <div role="status">{state.message ? <p className={state.error ? "form-error" : "muted"}>{state.message}</p> : null}</div>
        <p>
          <button type="submit" className="button" disabled={pending}>
            {pending ? "Saving…" : assessmentId ? "Save" : "Create assessment"}
          </button>
        </p>
      </form>

      <section className="stack" aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview: the candidate&apos;s introduction</h2>
        <CandidateIntroduction
          view={{
            title: values.title,
            introduction: values.introduction,
            labs: values.labs.map((l) => ({ title: byId.get(l.labId)?.title ?? l.labId, minutes: byId.get(l.labId)?.minutes ?? 0, weight: Number(l.weight) || 0 })),
            timeLimitMinutes: Number(values.timeLimitMinutes) || 0,
            showResults: values.showResults,
            showHints: values.showHints,
          }}
        />
      </section>
    </div>
  );
}
