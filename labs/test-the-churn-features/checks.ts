import { defineChecks } from "@/lib/labs/define";
import { labMutants } from "@/lib/labs/mutants";

// Each mutant (mutants/<name>/) is the reference with one bug; a check runs the tests against
// the mutants of the module they test.
const mutants = labMutants("test-the-churn-features");
const of = (file: string) => mutants.filter((m) => Object.keys(m.files).includes(file));

export const checks = defineChecks([
  {
    id: "feature-tests",
    title: "Your feature tests pass on the reference and catch its mutants",
    points: 50,
    hints: [
      "Run them yourself first: `python -m pytest -q tests/test_features.py` must pass on the code you were given.",
      "Each surviving mutant names a promise of a docstring that no test checks. Write the smallest input that tells the right answer from the wrong one: an event exactly 28 days back, one just inside, one after `as_of`, two on the same day, a `None`.",
      "Test tenure buckets at both sides of each boundary (5 and 6, 23 and 24) with `@pytest.mark.parametrize`, and `None`.",
    ],
    kind: "tests.mutationScore",
    params: { files: ["tests/test_features.py"], mutants: of("churn/features.py"), required: 5 },
  },
  {
    id: "service-tests",
    title: "Your service tests pass on the reference and catch its mutants",
    points: 50,
    hints: [
      "Build the app in the test with a stand-in model, `TestClient(create_app(threshold=0.5, score=lambda days, bucket: 0.5))`, so you know the probability the service works with.",
      "Assert every field of a response, not just the status code; a probability exactly at the threshold is the case that tells `>=` from `>`.",
      "Bad input is the caller's problem: a negative tenure, an empty `customer_id`, a date that is not a date and a misspelled field must each answer 422.",
    ],
    kind: "tests.mutationScore",
    params: { files: ["tests/test_service.py"], mutants: of("churn/service.py"), required: 3 },
  },
]);
