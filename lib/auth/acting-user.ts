// Who a data-access function acts for. Every function that reads or changes a learner's rows takes
// one and touches only that user's rows; the caller (a page, action or route) gets it from the
// session. Only the id is needed, so tests and scripts can pass `{ id }` without a full user.
export type ActingUser = { id: string };
