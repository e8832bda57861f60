// What a reviewer without an organisation sees instead of assessments.
export function NoOrganisation({ message }: { message: string }) {
  return (
    <section className="stack">
      <h1>Assessments</h1>
      <p className="form-error">{message}</p>
    </section>
  );
}
