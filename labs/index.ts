// The static registry of labs: lab id → its checks. content:check fails when a folder in labs/
// is missing here or this names a folder that does not exist. See docs/lab-format.md.
import type { CheckDefinition } from "@/lib/labs/define";
import { checks as batchScoringJob } from "./batch-scoring-job/checks";
import { checks as batchScoringScript } from "./batch-scoring-script/checks";
import { checks as churnFeaturesInSql } from "./churn-features-in-sql/checks";
import { checks as ciPipelineForAModel } from "./ci-pipeline-for-a-model/checks";
import { checks as containeriseTheModel } from "./containerise-the-model/checks";
import { checks as deployTheModel } from "./deploy-the-model/checks";
import { checks as designThePredictionApi } from "./design-the-prediction-api/checks";
import { checks as fixTheBrokenDeployment } from "./fix-the-broken-deployment/checks";
import { checks as scaleThenCleanUp } from "./scale-then-clean-up/checks";
import { checks as testTheChurnFeatures } from "./test-the-churn-features/checks";

export const LAB_REGISTRY: Readonly<Record<string, readonly CheckDefinition[]>> = {
  "batch-scoring-job": batchScoringJob,
  "batch-scoring-script": batchScoringScript,
  "churn-features-in-sql": churnFeaturesInSql,
  "ci-pipeline-for-a-model": ciPipelineForAModel,
  "containerise-the-model": containeriseTheModel,
  "deploy-the-model": deployTheModel,
  "design-the-prediction-api": designThePredictionApi,
  "fix-the-broken-deployment": fixTheBrokenDeployment,
  "scale-then-clean-up": scaleThenCleanUp,
  "test-the-churn-features": testTheChurnFeatures,
};
