// Stands in for the `server-only` marker package under Vitest, which runs outside React's
// server environment (the real package throws when imported without the react-server condition).
export {};
