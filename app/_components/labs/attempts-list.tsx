// "Attempt history": every graded attempt, newest first, with the hash of the files it graded.
import type { AttemptView } from "@/lib/workspace/views";

export function AttemptsList({ attempts }: { attempts: AttemptView[] }) {
  if (attempts.length === 0) return null;
  return (
    <section aria-labelledby="attempts-heading">
      <h2 id="attempts-heading" className="h-small">
        Attempt history
      </h2>
      <table className="table small">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Score</th>
            <th scope="col">Files</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.id}>
              <td>{a.seq}</td>
              <td>{new Date(a.createdAt).toLocaleString()}</td>
              <td>
                {a.score}/{a.maxScore}
                {a.completed ? " ✓" : ""}
              </td>
              <td>
                <code title="SHA-256 of the files graded">{a.filesSha256.slice(0, 12)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
