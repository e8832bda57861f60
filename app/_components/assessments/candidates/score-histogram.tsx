// The score distribution of an assessment's submitted candidates: a plain SVG histogram (no chart
// library, no script) and the same figures as a table for screen readers and for copying.
import type { HistogramBin } from "@/lib/assessments/candidates";

const WIDTH = 400;
const HEIGHT = 140;
const PAD = 20;

export function ScoreHistogram({ bins, passMarkPercent }: { bins: readonly HistogramBin[]; passMarkPercent: number }) {
  const most = Math.max(1, ...bins.map((b) => b.count));
  const barWidth = (WIDTH - 2 * PAD) / bins.length;
  const total = bins.reduce((s, b) => s + b.count, 0);
  const passX = PAD + ((WIDTH - 2 * PAD) * passMarkPercent) / 100;
  return (
    <figure className="stack-tight">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + PAD}`} width="100%" style={{ maxWidth: `${WIDTH * 1.5}px` }} role="img" aria-label={`Scores of ${total} submitted candidates in bins of 10 points`}>
        {bins.map((b, i) => {
          const h = ((HEIGHT - PAD) * b.count) / most;
          return (
            <g key={b.from}>
              <rect x={PAD + i * barWidth + 1} y={HEIGHT - h} width={barWidth - 2} height={h} fill="currentColor" opacity={0.6}>
                <title>{`${b.from}–${b.to}%: ${b.count}`}</title>
              </rect>
              {b.count ? (
                <text x={PAD + (i + 0.5) * barWidth} y={HEIGHT - h - 3} textAnchor="middle" fontSize="10" fill="currentColor">
                  {b.count}
                </text>
              ) : null}
              <text x={PAD + i * barWidth} y={HEIGHT + 12} textAnchor="middle" fontSize="9" fill="currentColor">
                {b.from}
              </text>
            </g>
          );
        })}
        <text x={WIDTH - PAD} y={HEIGHT + 12} textAnchor="middle" fontSize="9" fill="currentColor">
          100
        </text>
        <line x1={PAD} y1={HEIGHT} x2={WIDTH - PAD} y2={HEIGHT} stroke="currentColor" />
        <line x1={passX} y1={PAD / 2} x2={passX} y2={HEIGHT} stroke="currentColor" strokeDasharray="4 3" />
        <text x={passX + 3} y={PAD / 2 + 8} fontSize="9" fill="currentColor">
          pass mark {passMarkPercent}%
        </text>
      </svg>
      <figcaption>
        <details>
          <summary>The same as a table</summary>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Score</th>
                <th scope="col">Candidates</th>
              </tr>
            </thead>
            <tbody>
              {bins.map((b) => (
                <tr key={b.from}>
                  <td>
                    {b.from}–{b.to === 100 ? "100" : (b.to - 0.1).toFixed(1)}%
                  </td>
                  <td>{b.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
