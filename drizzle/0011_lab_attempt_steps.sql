ALTER TABLE "lab_attempts" ADD COLUMN "step" text;--> statement-breakpoint
ALTER TABLE "lab_attempts" ADD COLUMN "completed_steps" jsonb DEFAULT '[]'::jsonb NOT NULL;