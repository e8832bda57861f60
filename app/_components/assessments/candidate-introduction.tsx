// What a candidate sees before pressing Start: the builder's live preview and, in part 4 of
// issue 11, the candidate's introduction page itself, so the preview cannot drift from it. No
// hooks: it renders on the server or in the browser alike. Everything the reviewer typed is
// rendered as text (React escapes it); blank lines separate paragraphs.

export type IntroductionView = {
  organisationName?: string;
  title: string;
  introduction: string;
  labs: ReadonlyArray<{ title: string; minutes: number; weight: number }>;
  timeLimitMinutes: number;
  showResults: boolean;
  showHints: boolean;
};

/**
 * What is recorded while a candidate works (issue 11, part 5), in the words the candidate reads.
 * Each item has a store: revisions, lab_applies (lib/workspace/applies.ts), the signed attempts,
 * and assessment_events (pastes, focus, active time; lib/assessments/events.ts).
 */
export const RECORDED_ITEMS = [
  "every saved version of your files",
  "every apply of your files to your lab environment, with what the cluster accepted or refused",
  "every check of your work (graded attempts), with its result",
  "large pastes into the editor: when, how large and into which file, not what was pasted",
  "when this page loses focus (you switch to another window or tab)",
  "the time you spend on each lab",
] as const;

function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export function CandidateIntroduction({ view }: { view: IntroductionView }) {
  const totalWeight = view.labs.reduce((sum, lab) => sum + lab.weight, 0) || 1;
  const estimate = view.labs.reduce((sum, lab) => sum + lab.minutes, 0);
  return (
    <article className="stack candidate-intro" aria-label="What the candidate sees">
      <header>
        {view.organisationName ? <p className="muted small">{view.organisationName} invites you to</p> : null}
        <h2>{view.title || "Untitled assessment"}</h2>
      </header>
      {paragraphs(view.introduction).map((p, i) => (
        <p key={i} className="pre-wrap">
          {p}
        </p>
      ))}
      <p>
        <strong>Time limit: {view.timeLimitMinutes} minutes</strong> for {view.labs.length === 1 ? "1 lab" : `${view.labs.length} labs`}
        {estimate ? ` (the labs' own estimates add up to ${estimate} minutes)` : ""}.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Lab</th>
            <th scope="col">Estimate</th>
            <th scope="col">Share of the score</th>
          </tr>
        </thead>
        <tbody>
          {view.labs.map((lab, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>{lab.title}</td>
              <td>{lab.minutes} min</td>
              <td>{Math.round((lab.weight / totalWeight) * 100)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="h-small">Rules</h3>
      <ul>
        <li>The clock starts on the server when you press Start and does not stop if you close the page.</li>
        <li>When the time is up, your work is submitted as it is; you can also submit earlier.</li>
        <li>Each lab has its own environment; links to the course are not available during the assessment.</li>
        <li>{view.showResults ? "You see the results of your checks as you work." : "You do not see the results of checks; the reviewer does."}</li>
        <li>{view.showHints ? "Hints are shown for failed checks." : "Hints are not shown."}</li>
        <li>Your link works in one browser: once you have started, opening it in another browser is refused.</li>
      </ul>
      <h3 className="h-small">What is recorded</h3>
      <ul>
        {RECORDED_ITEMS.map((item) => (
          <li key={item}>{item[0]!.toUpperCase() + item.slice(1)}.</li>
        ))}
      </ul>
    </article>
  );
}
