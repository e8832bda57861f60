// The candidate's timer arithmetic, pure so it can be tested: the time left is measured against
// the server's clock. When the page arrives the browser notes how far its own clock is from the
// server's (`skewMs`); later it subtracts that, so a browser clock that is hours off, or changed
// while the page is open by less than the skew it already had, shows the server's time left.

/** The browser's clock minus the server's, measured when the page arrives with `serverNow`. */
export function clockSkewMs(serverNow: Date, browserNow: number): number {
  return browserNow - serverNow.getTime();
}

/** Milliseconds left until `deadline` by the server's clock, never below 0. */
export function timeLeftMs(deadline: Date, browserNow: number, skewMs: number): number {
  return Math.max(0, deadline.getTime() - (browserNow - skewMs));
}

/** "12:05" or "1:02:03": the time left as the timer shows it (seconds rounded up, so 0 means up). */
export function timeLeftText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
}
