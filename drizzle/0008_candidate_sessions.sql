ALTER TABLE "assessment_invites" ADD COLUMN "deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assessment_invites" ADD COLUMN "binding_hash" text;--> statement-breakpoint
ALTER TABLE "assessment_invites" ADD COLUMN "submission" jsonb;--> statement-breakpoint
CREATE INDEX "assessment_invites_deadline_idx" ON "assessment_invites" USING btree ("status","deadline_at");