// The attempts timeline: score (% of the lab's points) over time since Start, one line per lab, as
// plain SVG, with the same figures in a table below it for screen readers and for reading exact
// values.
import type { LabReportDTO } from "@/lib/assessments/report";
import { minutesSince } from "@/lib/assessments/report-model";

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 44, right: 16, top: 12, bottom: 36 };
const SERIES = 4; // colour classes in report.css; markers tell labs apart beyond colour

type Point = { lab: number; seq: number; minutes: number; percent: number };

function Marker({ shape, x, y }: { shape: number; x: number; y: number }) {
  if (shape % 3 === 1) return <rect x={x - 4} y={y - 4} width={8} height={8} />;
  if (shape % 3 === 2) return <polygon points={`${x},${y - 5} ${x + 5},${y + 4} ${x - 5},${y + 4}`} />;
  return <circle cx={x} cy={y} r={4} />;
}

export function TimelineChart({ labs, startedAt }: { labs: LabReportDTO[]; startedAt: Date | null }) {
  const all = labs.flatMap((l) => l.attempts);
  if (all.length === 0) return <p className="muted">No attempts were graded, so there is no timeline.</p>;
  const start = startedAt ?? new Date(Math.min(...all.map((a) => a.at.getTime())));
  const points: Point[] = labs.flatMap((lab, i) => lab.attempts.map((a) => ({ lab: i, seq: a.seq, minutes: minutesSince(start, a.at), percent: a.percent })));
  const maxMinutes = Math.max(1, ...points.map((p) => p.minutes));
  const x = (minutes: number) => PAD.left + (minutes / maxMinutes) * (WIDTH - PAD.left - PAD.right);
  const y = (percent: number) => PAD.top + (1 - percent / 100) * (HEIGHT - PAD.top - PAD.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * maxMinutes));
  const label = startedAt ? "minutes since Start" : "minutes since the first attempt";
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="timeline-title">
        <title id="timeline-title">Score of each attempt over time, per lab; the table below has the same figures.</title>
        {[0, 25, 50, 75, 100].map((p) => (
          <g key={p} className="timeline-grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(p)} y2={y(p)} />
            <text x={PAD.left - 6} y={y(p) + 4} textAnchor="end">
              {p}%
            </text>
          </g>
        ))}
        {ticks.map((t, i) => (
          <text key={i} className="timeline-axis" x={x(t)} y={HEIGHT - PAD.bottom + 16} textAnchor="middle">
            {t}
          </text>
        ))}
        <text className="timeline-axis" x={(WIDTH + PAD.left) / 2} y={HEIGHT - 4} textAnchor="middle">
          {label}
        </text>
        {labs.map((lab, i) => {
          const mine = points.filter((p) => p.lab === i);
          if (!mine.length) return null;
          return (
            <g key={lab.labId} className={`timeline-series series-${i % SERIES}`}>
              <polyline fill="none" points={mine.map((p) => `${x(p.minutes)},${y(p.percent)}`).join(" ")} />
              {mine.map((p) => (
                <Marker key={p.seq} shape={i} x={x(p.minutes)} y={y(p.percent)} />
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="timeline-legend">
          {labs.map((lab, i) => (
            <li key={lab.labId} className={`series-${i % SERIES}`}>
              <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
                <Marker shape={i} x={7} y={7} />
              </svg>{" "}
              {lab.title}
            </li>
          ))}
        </ul>
      </figcaption>
      <table className="table">
        <caption>Attempts over time</caption>
        <thead>
          <tr>
            <th scope="col">Lab</th>
            <th scope="col">Attempt</th>
            <th scope="col">Time ({label})</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {labs.flatMap((lab) =>
            lab.attempts.map((a) => (
              <tr key={`${lab.labId}-${a.seq}`}>
                <td>{lab.title}</td>
                <td>{a.seq}</td>
                <td>{minutesSince(start, a.at).toFixed(1)}</td>
                <td>
                  {a.earned} / {a.max} ({Math.round(a.percent)}%)
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </figure>
  );
}
